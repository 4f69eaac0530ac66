"""The admin's translation views, guarded (cities.translating): wagtail-localize's
"Translate this page" and "Sync translated pages" for those who may
translate the page, and "Submit translation for review"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.views.submit_translations import SubmitPageTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView

from .translating import (
    can_submit_for_review,
    may_publish_translations,
    may_translate,
    submit_for_review,
)

_submit_page = SubmitPageTranslationView.as_view()
_update = UpdateTranslationsView.as_view()


def submit_page_translation(request, page_id):
    page = get_object_or_404(Page, id=page_id)
    if not may_translate(request.user, page):
        raise PermissionDenied
    return _submit_page(request, page_id=page_id)


def update_translations(request, translation_source_id):
    source = get_object_or_404(TranslationSource, id=translation_source_id)
    instance = source.get_source_instance()
    if isinstance(instance, Page):
        if not may_translate(request.user, instance):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("publish_translations"):
            if not may_publish_translations(request.user, instance):
                raise PermissionDenied  # an official's translation goes through review
    return _update(request, translation_source_id=translation_source_id)


def submit_translation_for_review(request, translation_id):
    translation = get_object_or_404(Translation, id=translation_id)
    page = translation.get_target_instance()
    if not can_submit_for_review(request.user, translation):
        raise PermissionDenied
    if request.method == "POST":
        submit_for_review(request.user, translation)
        messages.success(
            request,
            _("The translation '%(title)s' was submitted for review.")
            % {"title": page.get_admin_display_title()},
        )
        return redirect(reverse("wagtailadmin_explore", args=[page.get_parent().id]))
    return TemplateResponse(
        request,
        "cities/admin/submit_translation_for_review.html",
        {
            "page": page,
            "translation": translation,
            "page_title": _("Submit translation for review"),
            "header_icon": "resubmit",
        },
    )
