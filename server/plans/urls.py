# Each topic keeps its own routes next to its views.
from server.plans.views import catalogue, subscriptions

urlpatterns = [*catalogue.urlpatterns, *subscriptions.urlpatterns]
