from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = "Cities"

    def ready(self):
        # In ready(): the receivers import models, which load only once the app registry is.
        from . import checks, signals  # noqa: F401
