import zoneinfo
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from notifications.models import Delivery, DeliveryStatus  # noqa: F401 - DeliveryStatus: the digests' statuses too

from . import page_locales
from .languages import LanguagesField
from .lead_image import LeadImageMixin, with_lead_images
from .map import CityMap, city_markers
from .routing import DirectChildRouteMixin
from .structured_data import city_document
from .visibility import VisiblePageManager

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class CitiesIndexPage(DirectChildRouteMixin, Page):
    """The list of member cities. Each city's case studies live under it."""

    intro = models.TextField(blank=True)

    objects = VisiblePageManager()

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["cities.CityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        """The live public cities by title, and ``city_entries``: (city, its case
        studies) pairs, with no case studies unless a ``construct_cities_index_context``
        Wagtail hook, called as ``fn(page, request, context)``, fills them in (the
        practices app does: cities import no higher app)."""
        context = super().get_context(request, *args, **kwargs)
        context["cities"] = with_lead_images(
            CityPage.objects.child_of(self).live().public().order_by("title")
        )
        context["city_entries"] = [(city, []) for city in context["cities"]]
        for construct in hooks.get_hooks("construct_cities_index_context"):
            construct(self, request, context)
        return context


class Continent(models.TextChoices):
    """Where a city is, at the coarsest grain (the peer finder's "same
    continent"; `region` is the finer, free-text one)."""

    AFRICA = "africa", _("Africa")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    NORTH_AMERICA = "north_america", _("North America")
    SOUTH_AMERICA = "south_america", _("South America")
    OCEANIA = "oceania", _("Oceania")


class CityPage(DirectChildRouteMixin, LeadImageMixin, Page):
    """A member city. Its case studies are its children, so that Wagtail's page
    permissions give each city's officials rights on their own subtree only."""

    @cached_property
    def content_language(self) -> str:
        """The language this page's text is written in (an alias shows its
        original's): the `lang` of that text on the page."""
        return page_locales.content_language(self)

    country = CountryField(help_text=_("ISO 3166-1 alpha-2 code."))
    region = models.CharField(max_length=120, blank=True)
    continent = models.CharField(max_length=16, choices=Continent.choices, blank=True)
    languages = LanguagesField(
        "languages spoken", help_text=_("The languages the city's officials and residents work in."),
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    intro = models.TextField(blank=True, help_text=_("A short introduction to the city."))
    ecosystem = RichTextField(
        blank=True, features=RICH_TEXT_FEATURES,
        help_text=_("The city's Social and Solidarity Economy ecosystem: actors, networks, policies."),
    )

    objects = VisiblePageManager()

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("country"), FieldPanel("region"), FieldPanel("continent")]),
                FieldPanel("population"),
                FieldPanel("languages"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Place"),
        ),
        FieldPanel("intro"),
        LeadImageMixin.lead_image_panel,
        FieldPanel("ecosystem"),
        InlinePanel(
            "city_challenges", label=_("Challenge"), heading=_("Challenges the city works on"),
            help_text=_("The challenges of the network's list that the city is working on, most important first."),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.FilterField("country"),
    ]
    parent_page_types = ["cities.CitiesIndexPage"]
    subpage_types = ["practices.CaseStudyPage"]

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    @property
    def name(self):
        return self.title

    def get_context(self, request, *args, **kwargs):
        """The city's working groups, and its case studies (``practices``) with the
        page that links their challenges (``practice_index``): empty and None unless
        a ``construct_city_page_context`` Wagtail hook, called as
        ``fn(page, request, context)``, fills them in (the practices app does);
        hooks may also add templates to ``extra_sections`` (the exchange does)."""
        context = super().get_context(request, *args, **kwargs)
        context["practices"] = []
        context["practice_index"] = None
        # The city as the network records it: its page in the default language.
        city = page_locales.canonical(self) or self
        context["working_groups"] = city.working_groups.prefetch_related("member_cities")
        context["city_challenges"] = self.city_challenges.select_related("challenge")
        context["city_map"] = self.location_map()
        # Templates of sections a hook adds after the working groups, rendered
        # with this context (the same for every visitor: cached fragment).
        context["extra_sections"] = []
        for construct in hooks.get_hooks("construct_city_page_context"):
            construct(self, request, context)
        context["structured_data"] = partial(city_document, self, context["practices"], request)
        return context

    def location_map(self) -> CityMap:
        """The city on the map (templates/cities/city_page.html): one marker,
        a link to the city's practices; no marker without coordinates."""
        markers = city_markers([self], url=lambda city: "#practices-heading")
        return CityMap(
            gettext("Map: where %(city)s is") % {"city": self.title}, "facts-heading", markers,
            list_link=gettext("Its coordinates"),
        )


# --- The challenges a city works on ---

NOTE_MAX_LENGTH = 300
SINCE_MIN = 1900


def validate_not_future_year(value):
    """A year that has begun: a city cannot have worked on something "since" next year."""
    this_year = timezone.now().year
    if value is not None and value > this_year:
        raise ValidationError(
            gettext("%(value)s is in the future: give a year up to %(this_year)s.")
            % {"value": value, "this_year": this_year}
        )


SINCE_VALIDATORS = [MinValueValidator(SINCE_MIN), validate_not_future_year]


class CityChallenge(Orderable):
    """A challenge the city is working on (one of the network's challenges,
    the practices' taxonomy), with a short plain-text note and the year the
    city started on it. Part of the city page: edited with it in the page
    editor, saved in its revisions and public once the page is published.

    `since` is a year, not a date: officials rarely know the day a city took
    a challenge up, a year is the precision the case studies use for their
    own start and end, and a year compares directly in the peer finder."""

    page = ParentalKey(CityPage, on_delete=models.CASCADE, related_name="city_challenges")
    challenge = models.ForeignKey(
        "practices.Challenge", on_delete=models.CASCADE, related_name="city_challenges",
        db_index=False,  # the (challenge, page) index below serves it
    )
    note = models.CharField(
        max_length=NOTE_MAX_LENGTH, blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        help_text=lazy(
            lambda: gettext("What the city is doing about it, in plain text (at most %(count)d characters).")
            % {"count": NOTE_MAX_LENGTH},
            str,
        )(),
    )
    since = models.PositiveSmallIntegerField(
        _("since (year)"), null=True, blank=True, validators=SINCE_VALIDATORS,
        help_text=_("The year the city started working on it, e.g. 2020; leave empty if unknown."),
    )

    panels = [FieldPanel("challenge"), FieldPanel("note"), FieldPanel("since")]

    class Meta(Orderable.Meta):
        verbose_name = _("city challenge")
        constraints = [
            models.UniqueConstraint(fields=["page", "challenge"], name="city_challenge_once"),
        ]
        indexes = [
            # Cities by challenge (the peer finder); the unique constraint
            # serves a city's challenges.
            models.Index(fields=["challenge", "page"], name="city_challenge_by_challenge"),
        ]

    def __str__(self):
        return f"{self.page} works on {self.challenge}"


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(value)s is not a known time zone (e.g. Europe/Dublin).") % {"value": repr(value)}
        )


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    OFF = "off", _("Off")


class WorkingGroup(ClusterableModel):
    """Cities exploring one set of challenges together."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    challenges = ParentalManyToManyField("practices.Challenge", blank=True, related_name="working_groups")
    member_cities = ParentalManyToManyField(CityPage, blank=True, related_name="working_groups")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("challenges"),
        FieldPanel("member_cities"),
        FieldRowPanel([FieldPanel("time_zone"), FieldPanel("default_cadence")]),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @cached_property
    def city_names(self):
        return ", ".join(c.title for c in self.member_cities.all())


# --- Digests: who gets what, and the record that makes each send exactly-once ---


class MembershipQuerySet(models.QuerySet):
    def active(self):
        """Members who want digests: a cadence other than off, not unsubscribed."""
        return self.filter(unsubscribed_at__isnull=True).exclude(cadence=Cadence.OFF)

    def for_address(self, *, user=None, email=None):
        if user is not None:
            return self.filter(user=user)
        return self.filter(user__isnull=True, email__iexact=email)


class Membership(models.Model):
    """A person following a working group: a user, or an email address for
    people without an account. Officials join the groups of their city;
    moderators manage every membership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="group_memberships",
    )
    email = models.EmailField(blank=True, help_text=_("For people without an account."))
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    subscribed_at = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    panels = [
        FieldPanel("user"),
        FieldPanel("email"),
        FieldPanel("group"),
        FieldPanel("cadence"),
    ]

    class Meta:
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"], condition=models.Q(user__isnull=False),
                name="membership_unique_user_group",
            ),
            models.UniqueConstraint(
                Lower("email"), "group", condition=models.Q(user__isnull=True),
                name="membership_unique_email_group",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="membership_user_or_email",
            ),
        ]

    def __str__(self):
        return f"{self.address or '?'} in {self.group}"

    def clean(self):
        super().clean()
        if self.user_id is None and not self.email:
            raise ValidationError(_("Choose a user or give an email address."))

    @property
    def address(self):
        return self.user.email if self.user_id else self.email

    @property
    def display_name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.email.split("@")[0]

    @property
    def is_active(self):
        return self.unsubscribed_at is None and self.cadence != Cadence.OFF

    def set_cadence(self, cadence):
        """Change the cadence; "off" counts as unsubscribing, anything else resubscribes."""
        now = timezone.now()
        if cadence == Cadence.OFF:
            self.unsubscribed_at = self.unsubscribed_at or now
        elif self.unsubscribed_at is not None or self.cadence == Cadence.OFF:
            self.unsubscribed_at = None
            self.subscribed_at = now
        self.cadence = cadence

    def unsubscribe(self):
        self.set_cadence(Cadence.OFF)


class DigestDelivery(Delivery):
    """One digest for one member, group and period. The unique row is the
    exactly-once guard: a worker claims it (pending → sending, with a lease)
    right before sending and marks it sent right after (notifications.delivery)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="deliveries")
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="deliveries")
    period = models.CharField(max_length=32, help_text='e.g. "weekly:2026-11-16".')
    # The practices first published in [window_start, window_end) are this digest's.
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    practice_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "group", "period"], name="digest_delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["group", "period", "status"], name="digest_delivery_group_period"),
            models.Index(fields=["status", "created_at"], name="digest_delivery_status"),
            models.Index(fields=["claim_token"], name="digest_delivery_claim"),
        ]

    def __str__(self):
        return f"{self.group} {self.period} → membership {self.membership_id}: {self.status}"
