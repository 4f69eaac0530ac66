from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = "Cities"

    def ready(self):
        from . import signals  # noqa: F401
