"""Drive the Wagtail page editor the way a person does: load the form, fill
it in, press a button."""

from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

EDIT_FORM_ID = "page-edit-form"


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("practices", "casestudypage", parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def form_data(response, **changes):
    data = querydict_from_html(response.content.decode(), form_id=EDIT_FORM_ID)
    # The StreamField editor is drawn by JavaScript, so its inputs are not in
    # the HTML; an empty body is what a person who leaves it alone submits.
    data.setdefault("body-count", "0")
    for key, value in changes.items():
        data[key] = value
    return data


def create_case_study(client, parent, title, action=None):
    """Fill in the add form under `parent`; `action` is None (save draft),
    "action-submit" (submit for review) or "action-publish"."""
    form = client.get(add_url(parent))
    assert form.status_code == 200, form.status_code
    data = form_data(
        form, title=title, slug=title.lower().replace(" ", "-"), summary=f"What {title} does."
    )
    if action:
        data[action] = "1"
    return client.post(add_url(parent), data)


def denied(response):
    """Wagtail answers a permission failure with 403 or a redirect to the
    dashboard with an error message."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.url.rstrip("/").endswith("/admin")
