"""Routing a request to a child page in one query."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page


class DirectChildRouteMixin:
    """Wagtail's routing reads a child page as a base page, then again as its
    specific type; this reads it as its specific type in the same query (the
    allowed child types' rows joined to the page's). A child of a type that
    is not allowed, or not a direct subclass of Page, is routed the Wagtail
    way."""

    def route(self, request, path_components):
        if path_components:
            child = self._specific_child(path_components[0])
            if child is not None:
                child._cached_parent_obj = self  # as Wagtail does: no query for the parent
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def _specific_child(self, slug):
        links = {}
        for model in self.allowed_subpage_models():
            parent_link = model._meta.parents.get(Page)
            if parent_link is None:  # not a direct subclass of Page
                return None
            links[parent_link.remote_field.get_accessor_name()] = model
        row = Page.objects.child_of(self).filter(slug=slug).select_related(*links).first()
        if row is None:
            return None
        for name, model in links.items():
            child = getattr(row, name, None)
            if child is not None and ContentType.objects.get_for_model(model).pk == row.content_type_id:
                return child
        return None
