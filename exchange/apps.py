from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("Exchange between cities")

    def ready(self):
        # The digests' "answered questions" section (cities.digests.content),
        # registered in every process that builds digests (web, worker, commands).
        from . import digest_sections  # noqa: F401, PLC0415
