# Each topic keeps its own routes next to its views.
from server.payments.views import cart, orders, refunds, webhook

urlpatterns = [*cart.urlpatterns, *orders.urlpatterns, *webhook.urlpatterns, *refunds.urlpatterns]
