"""Digest subscriptions: the one-click unsubscribe (RFC 8058) and the
preferences page, for signed-in members and, through the signed link in every
digest, for members without an account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .country_outlines import OutlinesUnavailable, outlines_geojson
from .forms import PreferencesForm
from .memberships import (
    TokenError,
    joinable_groups,
    membership_from_unsubscribe_token,
    memberships_from_preferences_token,
)
from .models import Membership


def invalid_link(request, reason):
    return render(request, "cities/unsubscribe_invalid.html", {"reason": reason}, status=400)


# Mail providers POST "List-Unsubscribe=One-Click" without a CSRF token
# (RFC 8058); the signed token in the URL is the authorisation.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a one-button confirmation (link scanners follow GETs, so a GET
    must not unsubscribe); POST, from that button or the mail client, does."""
    try:
        membership = membership_from_unsubscribe_token(token)
    except TokenError as error:
        return invalid_link(request, error.reason)
    if request.method == "POST":
        if membership is not None and membership.is_active:
            membership.unsubscribe()
            membership.save(update_fields=["cadence", "subscribed_at", "unsubscribed_at"])
        return render(request, "cities/unsubscribe_done.html", {"membership": membership})
    return render(request, "cities/unsubscribe.html", {"membership": membership, "token": token})


def _preferences(request, memberships, joinable=None, token=None):
    form = PreferencesForm(
        request.POST or None, memberships=memberships.select_related("group"), joinable=joinable
    )
    if request.method == "POST" and form.is_valid():
        form.save(user=request.user if token is None else None)
        messages.success(request, gettext("Your digest preferences are saved."))
        return redirect(request.path)
    return render(request, "cities/preferences.html", {"form": form, "token": token})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    return _preferences(
        request,
        Membership.objects.filter(user=request.user).order_by("group__name"),
        joinable=joinable_groups(request.user),
    )


@require_http_methods(["GET", "POST"])
def preferences_by_token(request, token):
    try:
        memberships = memberships_from_preferences_token(token)
    except TokenError as error:
        return invalid_link(request, error.reason)
    return _preferences(request, memberships.order_by("group__name"), token=token)


@cache_control(public=True, max_age=7 * 24 * 3600)
def country_outlines(request):
    """The map's fallback layer: the countries' outlines as GeoJSON
    (cities.country_outlines), the same for every visitor."""
    try:
        body = outlines_geojson()
    except OutlinesUnavailable as error:
        return HttpResponse(f"No country outlines: {error}.", status=404, content_type="text/plain")
    return HttpResponse(body, content_type="application/geo+json")
