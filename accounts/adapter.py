"""django-allauth's adapter for peer accounts (settings.ACCOUNT_ADAPTER).

- Emails (confirmation, password reset, notices) are rendered by allauth and
  sent by one method, `send_mail`: the one place to hand them to another
  delivery mechanism (for now Django's mail, during the request).
- The client address for allauth's rate limits is the one django-axes uses
  (accounts.client_ip: behind TRUSTED_PROXY_COUNT proxies).
- A suspended account is told so at sign-in and is not signed in.
- A new account gets its profile, with the name given at sign-up and the
  language of the pages it signed up on (accounts.languages)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from .client_ip import client_ip
from .languages import signup_language
from .models import Profile
from .suspension import is_suspended, suspended_response


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email `template_prefix` for `email` and send it:
        every account email leaves through here."""
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.BASE_URL,
            **context,
        }
        message = self.render_mail(template_prefix, email, ctx)
        message.send()

    def get_client_ip(self, request) -> str:
        return client_ip(request) or super().get_client_ip(request)

    def pre_login(self, request, user, **kwargs):
        if user.is_active and is_suspended(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return suspended_response(request)
        return super().pre_login(request, user, **kwargs)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            display_name = form.cleaned_data.get("display_name") or user.get_username()
            Profile.objects.update_or_create(
                user=user, defaults={"display_name": display_name, "language": signup_language()}
            )
        return user
