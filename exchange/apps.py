from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "Exchange between cities"

    def ready(self):
        # The digests' "answered questions" section (cities.digests.content),
        # registered in every process that builds digests (web, worker, commands).
        from . import digest_sections  # noqa: F401, PLC0415
