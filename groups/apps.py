from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = _("Working group pages, shortlists and votes")

    def ready(self):
        # Signal handlers and the digest's "transfers" section need the models,
        # loaded only now.
        from . import digest, signals  # noqa: F401, PLC0415
