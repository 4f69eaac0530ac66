"""Routing a request to a child page in one query."""


class DirectChildRouteMixin:
    """For a page type that allows one type of child page: Wagtail's routing
    reads a child as a base page, then again as its specific type; this reads
    it as its specific type at once. A child of another type (a tree edited
    by hand) is routed the Wagtail way."""

    def route(self, request, path_components):
        models = self.allowed_subpage_models()
        if path_components and len(models) == 1:
            model = models[0]
            child = model.objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self  # as Wagtail does: no query for the parent
                return child.route(request, path_components[1:])
        return super().route(request, path_components)
