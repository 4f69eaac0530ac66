from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Practices"

    def ready(self):
        # In ready(): the receivers import models, which load only once the app registry is.
        from . import signals  # noqa: F401
