from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = _("Practices")

    def ready(self):
        # In ready(): the receivers import models, which load only once the app registry is.
        from . import signals  # noqa: F401
