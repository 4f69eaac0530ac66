"""One member's digest as an email: the subject, the HTML (CSS inlined) and
text parts, the headers, the MIME bytes sent over SMTP.

Each digest is written in its member's language (notifications.languages:
subject, both parts, `<html lang>`, dates). Per-member strings are
substituted into a digest rendered (and CSS-inlined, and serialized as
MIME) once per language and distinct content, not once per member."""

import dataclasses
import html as html_lib
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext

from notifications.languages import languages_for

from ..memberships import preferences_token, unsubscribe_token
from ..models import WorkingGroup
from . import content
from .links import absolute_url, signed_link
from .recipients import Recipient
from .schedule import group_zone

NAME_MARK = "__DIGEST_NAME__"
UNSUBSCRIBE_MARK = "__DIGEST_UNSUBSCRIBE_URL__"
PREFERENCES_MARK = "__DIGEST_PREFERENCES_URL__"
NAME_TEXT_MARK = "__DIGEST_NAME_TEXT__"
TO_MARK = "digest-recipient@mark.invalid"
MESSAGE_ID_MARK = "<digest-message-id@mark.invalid>"


def subject_for(group, items):
    """"<group>: 2 new practices and 1 new transfer among your cities"."""
    # Translators: a digest's subject: the working group's name, then what the digest holds.
    return gettext("%(group)s: %(summary)s") % {"group": group.name, "summary": content.summary(items)}


def _variant_key(items, language):
    return language, tuple(
        (name, tuple(item.key for item in section_items)) for name, section_items in items.items()
    )


def _count(items):
    return sum(len(section_items) for section_items in items.values())


class DigestRenderer:
    """Renders a group's digests; caches the HTML (inlined), text and MIME
    per language and content."""

    def __init__(self, group):
        self.group = group
        self.group_cities = group.city_names
        self.zone = group_zone(group)
        self._cache = {}
        self._mime = {}
        self.inliner = css_inline.CSSInliner(load_remote_stylesheets=False)

    def variant(self, items, language):
        """(html, text) of the digest of `items` (by section name) in
        `language`, with marks where the member's name and links go."""
        key = _variant_key(items, language)
        if key not in self._cache:
            # Dates in the member's language, at the group's time of day.
            with translation.override(language), timezone.override(self.zone):
                self._cache[key] = self._render(items)
        return self._cache[key]

    def _render(self, items):
        """(html, text) in the active language."""
        count = _count(items)
        context = {
            "group": self.group,
            "cities": self.group_cities,
            "sections": [
                {"name": s.name, "items": items[s.name], "html": s.html_template, "text": s.text_template}
                for s in content.SECTIONS
                if items.get(s.name)
            ],
            "count": count,
            "summary": content.summary(items),
            "subject": subject_for(self.group, items),
            "name": NAME_MARK,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "preferences_url": PREFERENCES_MARK,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": absolute_url("/"),
        }
        html = self.inliner.inline(render_to_string("cities/email/digest.html", context))
        text = render_to_string("cities/email/digest.txt", context)
        return html, text

    def render(self, digest):
        html, text = self.variant(digest.items, digest.language)
        values = {
            NAME_MARK: digest.recipient.membership.display_name,
            UNSUBSCRIBE_MARK: digest.unsubscribe_url,
            PREFERENCES_MARK: digest.preferences_url,
        }
        for mark, value in values.items():
            html = html.replace(mark, html_lib.escape(value))
            text = text.replace(mark, value)
        return html, text

    def mime_template(self, items, language):
        """The whole MIME message of a variant, serialized once, with marks
        where the per-member values go (building MIME is most of the cost of
        a message). None if a mark did not survive the encoding verbatim."""
        key = _variant_key(items, language)
        if key not in self._mime:
            html, text = self.variant(items, language)
            with translation.override(language):
                subject = subject_for(self.group, items)
            message = make_message(
                self.group, subject, text.replace(NAME_MARK, NAME_TEXT_MARK),
                html, TO_MARK, MESSAGE_ID_MARK, UNSUBSCRIBE_MARK,
            )
            data = message.message().as_bytes(linesep="\r\n")
            # Member names may not be ASCII: declare every text part 8bit.
            data = data.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")
            marks = (TO_MARK, MESSAGE_ID_MARK, NAME_MARK, NAME_TEXT_MARK, UNSUBSCRIBE_MARK, PREFERENCES_MARK)
            self._mime[key] = data if all(m.encode() in data for m in marks) else None
        return self._mime[key]

    def message_bytes(self, digest):
        template = self.mime_template(digest.items, digest.language)
        address = digest.recipient.address
        unsubscribe, preferences = digest.unsubscribe_url, digest.preferences_url
        plain = address.isascii() and all(
            html_lib.escape(url) == url and url.isascii() for url in (unsubscribe, preferences)
        )
        if template is None or not plain:
            return digest.message().message().as_bytes(linesep="\r\n")
        name = digest.recipient.membership.display_name
        for mark, value in (
            (TO_MARK, address),
            (MESSAGE_ID_MARK, digest.message_id),
            (NAME_MARK, html_lib.escape(name)),
            (NAME_TEXT_MARK, name),
            (UNSUBSCRIBE_MARK, unsubscribe),
            (PREFERENCES_MARK, preferences),
        ):
            template = template.replace(mark.encode(), value.encode())
        return template


@dataclasses.dataclass
class Digest:
    group: WorkingGroup
    recipient: Recipient
    items: dict  # section name -> the member's items, in display order
    renderer: DigestRenderer
    language: str  # the member's (notifications.languages)

    @property
    def count(self):
        return _count(self.items)

    # What notifications.delivery needs of a message (its Outgoing protocol).

    @property
    def delivery(self):
        return self.recipient.delivery

    @property
    def address(self):
        return self.recipient.address

    @property
    def sent_fields(self):
        return {"practice_count": len(self.items.get("practices", []))}

    @cached_property
    def subject(self):
        with translation.override(self.language):
            return subject_for(self.group, self.items)

    @cached_property
    def unsubscribe_url(self):
        return signed_link("cities_digest_unsubscribe", unsubscribe_token(self.recipient.membership))

    @cached_property
    def preferences_url(self):
        return signed_link("cities_digest_preferences_token", preferences_token(self.recipient.membership))

    @cached_property
    def message_id(self):
        domain = urlsplit(settings.BASE_URL).hostname or "localhost"
        delivery = self.recipient.delivery
        if delivery is None or delivery.pk is None:
            return make_msgid("digest", domain=domain)
        # Stable per delivery: if a send is ever repeated after a crash, mail
        # systems that deduplicate on Message-ID see the same message.
        return f"<digest.{delivery.pk}.{delivery.period.replace(':', '.')}@{domain}>"

    def message(self, connection=None):
        html, text = self.renderer.render(self)
        return make_message(
            self.group, self.subject, text, html, self.recipient.address, self.message_id,
            self.unsubscribe_url, connection,
        )

    def as_bytes(self):
        """The message as sent over SMTP; see DigestRenderer.message_bytes."""
        return self.renderer.message_bytes(self)


def make_message(group, subject, text, html, address, message_id, unsubscribe_url, connection=None):
    domain = urlsplit(settings.BASE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "List-Id": f"{group.name} <{group.slug}.digests.{domain}>",
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_digests(group, recipients):
    """The digests of `recipients` (all in `group`): every section is read
    once for the widest window, then filtered per member in memory; each
    digest in its member's language (members without an account:
    LANGUAGE_CODE). A constant number of queries whatever the number of
    members."""
    if not recipients:
        return []
    start = min(r.window_start for r in recipients)
    end = max(r.window_end for r in recipients)
    collected = content.collect(group, start, end)
    renderer = DigestRenderer(group)
    languages = languages_for([r.membership.user for r in recipients if r.membership.user_id])
    return [
        Digest(
            group, r, content.in_window(collected, r.window_start, r.window_end), renderer,
            languages.get(r.membership.user_id, settings.LANGUAGE_CODE),
        )
        for r in recipients
    ]
