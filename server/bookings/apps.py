from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "server.bookings"
    label = "bookings"
