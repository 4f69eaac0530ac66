"""Wagtail hooks through which the search app serves pages of lower apps."""

from wagtail import hooks

from .similar import practice_vectors
from .views import practice_search

hooks.register("serve_practice_search", practice_search)
hooks.register("practice_vectors", practice_vectors)  # the peer finder's (exchange.peer_facts)
