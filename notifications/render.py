"""A notice as an email, rendered when it is sent (in the recipient's
language), from the templates of its kind and its JSON context:

- `notifications/<kind>_subject.txt`: the subject (one line; whitespace collapsed);
- `notifications/<kind>.txt`: the text part;
- `notifications/<kind>.html` (optional): the HTML part, CSS inlined.

The .txt templates are rendered without HTML escaping. Besides the notice's
context, the templates get `recipient_name`, `link` (the notice's link,
absolute, or ""), `site_name` and `site_url`; the HTML one also `subject`.
`notifications/layout.txt` and `layout.html` are the layout a kind may
extend (blocks `content`, `link_text`, `reason`).
"""

import dataclasses
import re
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

from .languages import language_for
from .links import absolute_url

KIND = re.compile(r"[a-z][a-z0-9_]{0,99}")
RESERVED = frozenset({"recipient_name", "link", "site_name", "site_url", "subject"})


def template_names(kind):
    """(subject, text, html) template names of a kind."""
    base = f"notifications/{kind}"
    return f"{base}_subject.txt", f"{base}.txt", f"{base}.html"


def check_kind(kind):
    """A ValueError unless `kind` is a template name with a subject and a text template."""
    if not isinstance(kind, str) or not KIND.fullmatch(kind):
        raise ValueError(f"{kind!r} is not a notice kind (lower-case letters, digits and _)")
    for name in template_names(kind)[:2]:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            raise ValueError(f"the notice kind {kind!r} has no template {name}") from None


def display_name(user):
    return user.get_full_name() or user.get_username()


def _render_text(name, context):
    """A .txt template, without HTML escaping."""
    return get_template(name).template.render(Context(context, autoescape=False))


_inliner = css_inline.CSSInliner(load_remote_stylesheets=False)


@dataclasses.dataclass
class NoticeEmail:
    """One notice, rendered: notifications.delivery's Outgoing."""

    delivery: object  # the Notice
    address: str
    subject: str
    text: str
    html: str = ""

    @property
    def message_id(self):
        # Stable per notice: if a send is ever repeated after a crash, mail
        # systems that deduplicate on Message-ID see the same message.
        domain = urlsplit(settings.BASE_URL).hostname or "localhost"
        return f"<notice.{self.delivery.pk}@{domain}>"

    @property
    def sent_fields(self):
        return {"address": self.address}

    def message(self, connection=None):
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.address],
            connection=connection,
            headers={"Message-ID": self.message_id, "Auto-Submitted": "auto-generated"},
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message

    def as_bytes(self):
        return self.message().message().as_bytes(linesep="\r\n")


def render(notice, language=None):
    """The email of `notice` (its recipient loaded) in `language`, by
    default the recipient's (notifications.languages): subject, text, HTML
    (its `<html lang>` too) and dates."""
    user = notice.recipient
    subject_name, text_name, html_name = template_names(notice.kind)
    context = {
        **notice.context,
        "recipient_name": display_name(user),
        "link": absolute_url(notice.link) if notice.link else "",
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": absolute_url("/"),
    }
    with translation.override(language or language_for(user)):
        subject = " ".join(_render_text(subject_name, context).split())
        text = _render_text(text_name, context)
        try:
            html_template = get_template(html_name)
        except TemplateDoesNotExist:
            html = ""
        else:
            html = _inliner.inline(html_template.render({**context, "subject": subject}))
    return NoticeEmail(notice, user.email, subject, text, html)
