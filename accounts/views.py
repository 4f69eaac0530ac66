"""The peer's own profile page (the sign-in pages are django-allauth's)."""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from .forms import ProfileForm
from .profiles import profile_of


@never_cache
@login_required
def profile(request):
    """Edit one's profile; a form with an error writes nothing."""
    instance = profile_of(request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your profile is saved."))
        with translation.override(form.instance.language):  # the page in the language just chosen
            return redirect("accounts_profile")
    return render(request, "accounts/profile.html", {
        "form": form,
        "profile": instance,
        "email": EmailAddress.objects.filter(user=request.user, primary=True).first(),
    })
