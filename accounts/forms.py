"""Sign-in forms."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class AdminLoginForm(AdminAuthenticationForm):
    """Django's admin sign-in with the user name's length enforced (Django's
    form only sets the input's maxlength): an over-long name is a form
    error, not a sign-in attempt (django-axes would try to record it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
