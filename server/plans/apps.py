from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "server.plans"
    label = "plans"

    def ready(self) -> None:
        # Cache coherence for the public catalogue in every process, not only where the
        # admin is loaded (see server/plans/cache.py).
        from server.plans.cache import install_write_guard

        install_write_guard()
