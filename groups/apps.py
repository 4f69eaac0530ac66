from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = "Working group pages, shortlists and votes"

    def ready(self):
        # Signal handlers and the digest's "transfers" section need the models,
        # loaded only now.
        from . import digest, signals  # noqa: F401, PLC0415
