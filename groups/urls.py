"""The working groups' public pages and shortlist forms, included at the
site root by cms/urls.py."""

from django.urls import path, register_converter

from . import views


class EntryIdConverter:
    """A shortlist entry's id: digits that fit a database integer (others: 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(EntryIdConverter, "entry")

urlpatterns = [
    path("groups/", views.groups_index, name="groups_index"),
    path("groups/<slug:slug>/", views.group_page, name="groups_page"),
    path("groups/<slug:slug>/shortlist/propose/", views.propose, name="groups_propose"),
    path("groups/<slug:slug>/shortlist/<entry:pk>/vote/", views.vote, name="groups_vote"),
    path("groups/<slug:slug>/shortlist/<entry:pk>/select/", views.select_to_scale, name="groups_select"),
]
