from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities")

    def ready(self):
        # In ready(): the receivers import models, which load only once the app registry is.
        from . import checks, signals  # noqa: F401
