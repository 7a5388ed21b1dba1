from django.urls import path

from server.core import views

urlpatterns = [
    path("app-config/", views.AppConfigView.as_view(), name="app-config"),
]
