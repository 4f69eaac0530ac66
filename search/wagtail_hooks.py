"""Wagtail hooks through which the search app serves pages of lower apps."""

from wagtail import hooks

from .views import practice_search

hooks.register("serve_practice_search", practice_search)
