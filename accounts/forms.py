"""Sign-in, sign-up, profile and suspension forms."""

from allauth.account import forms as allauth_forms
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailAdminLoginForm

from cities import languages
from cities.models import CityPage

from .languages import language_for
from .models import Profile
from .suspension import REASON_MAX_LENGTH, is_suspended
from .text import plain_text


class RefuseSuspendedMixin:
    """Django's sign-in forms: a suspended account's right password gets the
    message that it is suspended, not a session."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if is_suspended(user):
            raise ValidationError(
                _("Your account is suspended. Contact the network's moderators."), code="suspended"
            )


class AdminLoginForm(RefuseSuspendedMixin, AdminAuthenticationForm):
    """Django's admin sign-in with the user name's length enforced (Django's
    form only sets the input's maxlength): an over-long name is a form
    error, not a sign-in attempt (django-axes would try to record it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class WagtailLoginForm(RefuseSuspendedMixin, WagtailAdminLoginForm):
    """The Wagtail admin's sign-in (settings.WAGTAILADMIN_USER_LOGIN_FORM)."""


class SiteWording:
    """allauth's forms worded like the rest of the site: labels without a
    colon and without placeholders that repeat them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        if "email" in self.fields:
            self.fields["email"].label = _("Email address")


class LoginForm(SiteWording, allauth_forms.LoginForm):
    """allauth's sign-in by email address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email address")
        self.fields["password"].help_text = ""  # the page links to the password reset
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


class ResetPasswordForm(SiteWording, allauth_forms.ResetPasswordForm):
    pass


class NewPasswordWording:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "oldpassword": _("Current password"),
            "password1": _("New password"),
            "password2": _("New password (again)"),
        }
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label


class ResetPasswordKeyForm(NewPasswordWording, SiteWording, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(NewPasswordWording, SiteWording, allauth_forms.ChangePasswordForm):
    pass


class AddEmailForm(SiteWording, allauth_forms.AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("New email address")


class SignupForm(SiteWording, allauth_forms.SignupForm):
    """allauth's sign-up (email, password twice) and the name other peers see.
    Sign-ups naming one email address are throttled (the "signup_email" rate
    of settings.ACCOUNT_RATE_LIMITS), besides allauth's limit per client address."""

    display_name = forms.CharField(
        label=_("Your name"), max_length=80, validators=[plain_text],
        help_text=_("Shown to other peers, for example with your questions."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]

    def clean_email(self):
        email = super().clean_email()
        if email and not ratelimit.consume(allauth_context.request, action="signup_email", key=email.lower()):
            raise ValidationError(
                _(
                    "Too many sign-ups with this email address. Try again in an hour, "
                    "or reset your password if you already have an account."
                ),
                code="rate_limited",
            )
        return email


def public_cities():
    """The cities a peer may name: live, public city pages."""
    return CityPage.objects.live().public().canonical().order_by("title")


class CityChoiceField(forms.ModelChoiceField):
    """A city by its page id: anything but a page id in range is an invalid
    choice before the database sees it (a huge number would overflow it)."""

    def to_python(self, value):
        if value not in self.empty_values:
            text = str(value).strip()
            if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) < 2**31:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), choices=languages.LANGUAGES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Profile
        fields = ["display_name", "organisation", "role", "city", "languages", "language"]
        field_classes = {"city": CityChoiceField}
        labels = {
            "display_name": _("Your name"), "city": _("City of the network"),
            "language": _("Language of the site and your emails"),
        }
        help_texts = {"language": _("Digests and notices reach you in this language.")}
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "role": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        city = self.fields["city"]
        city.queryset = public_cities()
        city.empty_label = _("None")
        city.label_from_instance = lambda page: page.title
        language = self.fields["language"]
        language.required = True
        language.choices = settings.LANGUAGES  # no blank choice: one is always in effect
        if self.instance.pk and not self.instance.language:
            # Never chosen: show the one the emails use now.
            self.initial["language"] = language_for(self.instance.user)

    def clean_languages(self):
        return languages.ordered(self.cleaned_data["languages"])


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), max_length=REASON_MAX_LENGTH, validators=[plain_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Recorded with your name and the time; moderators see it in the account's history."),
    )
