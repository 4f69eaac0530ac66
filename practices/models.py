from functools import partial

from django import forms
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager, TranslatableMixin
from wagtail.search import index

from cities import page_locales
from cities.lead_image import LeadImageMixin, with_lead_images
from cities.models import CityPage
from cities.visibility import VisiblePageManager, VisiblePageQuerySet

from .blocks import SECTION_NAMES, CaseStudyBodyBlock
from .feeds import LatestPracticesFeed
from .rules import fact_errors
from .structured_data import case_study_document

PAGE_SIZE = 12


# --- Taxonomies: controlled vocabularies managed by moderators as snippets ---


class Term(index.Indexed, models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Challenge(Term):
    class Meta(Term.Meta):
        pass


class PolicyLever(Term):
    class Meta(Term.Meta):
        verbose_name = _("policy lever")


class Sector(Term):
    class Meta(Term.Meta):
        pass


class TargetGroup(Term):
    class Meta(Term.Meta):
        verbose_name = _("target group")


TAXONOMIES = {
    "challenges": Challenge,
    "policy_levers": PolicyLever,
    "sectors": Sector,
    "target_groups": TargetGroup,
}


# --- Choices ---


class Status(models.TextChoices):
    PILOT = "pilot", _("Pilot")
    RUNNING = "running", _("Running")
    SCALED = "scaled", _("Scaled")
    ENDED = "ended", _("Ended")


class Scale(models.TextChoices):
    # Translators: the geographic scale of a practice.
    NEIGHBOURHOOD = "neighbourhood", pgettext_lazy("scale", "Neighbourhood")
    CITY = "city", pgettext_lazy("scale", "City")
    REGION = "region", pgettext_lazy("scale", "Region")
    NATIONAL = "national", pgettext_lazy("scale", "National")


class OrganisationType(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative")
    WORKER_COOPERATIVE = "worker_cooperative", _("Worker cooperative")
    CONSUMER_COOPERATIVE = "consumer_cooperative", _("Consumer cooperative")
    HOUSING_COOPERATIVE = "housing_cooperative", _("Housing cooperative")
    ENERGY_COOPERATIVE = "energy_cooperative", _("Energy cooperative")
    MUTUAL_SOCIETY = "mutual_society", _("Mutual society")
    ASSOCIATION = "association", _("Association")
    FOUNDATION = "foundation", _("Foundation")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
    COMMUNITY_LAND_TRUST = "community_land_trust", _("Community land trust")
    PUBLIC_BODY = "public_body", _("Public body")
    PRIVATE_COMPANY = "private_company", _("Private company")
    NETWORK = "network", _("Network")


LANGUAGE_CHOICES = global_settings.LANGUAGES


def language_name(code: str) -> str:
    """The language's name in the interface language ("Spanish", "espagnol")."""
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return dict(LANGUAGE_CHOICES).get(code, code)
YEAR_MIN, YEAR_MAX = 1900, 2100  # the years a case study, an outcome or a search may name
YEAR_VALIDATORS = [MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]


def paginate(request, queryset):
    """The page of `queryset` that the request's `page` parameter asks for
    (PAGE_SIZE items; the first when it is not a number; 404 past the end)."""
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        raise Http404("No such page of results.") from None


def format_years(start_year, end_year, status) -> str:
    """"2016–2020", "since 2018", or the start year of an ended practice."""
    if not start_year:
        return ""
    if end_year:
        return f"{start_year}–{end_year}"
    # Translators: the years of a practice that is still going, e.g. "since 2019".
    return gettext("since %(year)s") % {"year": start_year} if status != Status.ENDED else str(start_year)


# --- Pages ---


class CaseStudyQuerySet(VisiblePageQuerySet):
    def listable(self):
        """What the public may see: live and not behind a privacy restriction."""
        return self.live().public()

    def for_listing(self):
        return with_lead_images(self.select_related("city").prefetch_related("challenges"))

    def by_city(self, cities):
        """(city, its case studies from this queryset by title) pairs in the order of
        ``cities``: one query for all the case studies."""
        cities = list(cities)
        by_city = {city.pk: [] for city in cities}
        for practice in self.filter(city__in=cities).order_by("title", "pk"):
            by_city[practice.city_id].append(practice)
        return [(city, by_city[city.pk]) for city in cities]


CaseStudyManager = PageManager.from_queryset(CaseStudyQuerySet)


class CaseStudyTag(TaggedItemBase):
    content_object = ParentalKey("practices.CaseStudyPage", related_name="tagged_items", on_delete=models.CASCADE)


class CaseStudyPage(LeadImageMixin, Page):
    """A structured case study of one city's practice. Lives under its city."""

    summary = models.TextField(
        max_length=500,
        validators=[MaxLengthValidator(500)],
        help_text=_("What the practice is and why it matters, in at most 500 characters.")
    )
    body = StreamField(CaseStudyBodyBlock(), blank=True, use_json_field=True)

    challenges = ParentalManyToManyField(Challenge, blank=True, related_name="case_studies")
    policy_levers = ParentalManyToManyField(PolicyLever, blank=True, related_name="case_studies")
    sectors = ParentalManyToManyField(Sector, blank=True, related_name="case_studies")
    target_groups = ParentalManyToManyField(TargetGroup, blank=True, related_name="case_studies")
    tags = ClusterTaggableManager(through=CaseStudyTag, blank=True, help_text=_("Free keywords."))

    start_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    scale = models.CharField(max_length=16, choices=Scale.choices, default=Scale.CITY)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(
        max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. EUR, USD. Required with a budget.")
    )
    funding_sources = models.CharField(max_length=500, blank=True, help_text=_("e.g. municipal budget; EU ESF+."))
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES, default="en")

    contact_name = models.CharField(max_length=200, blank=True)
    contact_role = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, help_text=_("Shown to signed-in users only."))

    related_case_studies = ParentalManyToManyField("self", blank=True, symmetrical=False)

    # Derived from the parent page on save; never edited by hand.
    city = models.ForeignKey(
        CityPage, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # Stable identifier of an imported case study (see docs/import-format.md).
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)

    objects = CaseStudyManager()

    # The importer's key names one page of a translation group (the one it
    # made), never its aliases and translations (cities.page_locales).
    exclude_fields_in_copy = ["external_id"]

    def with_content_json(self, content):
        page = super().with_content_json(content)
        page.external_id = self.external_id
        return page

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        LeadImageMixin.lead_image_panel,
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("challenges", widget=forms.CheckboxSelectMultiple),
                FieldPanel("policy_levers", widget=forms.CheckboxSelectMultiple),
                FieldPanel("sectors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("target_groups", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year")]),
                FieldRowPanel([FieldPanel("status"), FieldPanel("scale")]),
                FieldRowPanel([FieldPanel("budget"), FieldPanel("currency")]),
                FieldPanel("funding_sources"),
                FieldPanel("language"),
            ],
            heading=_("Facts"),
        ),
        InlinePanel("partners", label=_("Partners"), heading=_("Partners")),
        InlinePanel("outcomes", label=_("Outcomes"), heading=_("Outcomes (measured results)")),
        InlinePanel("sources", label=_("Sources"), heading=_("Sources")),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_role"), FieldPanel("contact_email")],
            heading=_("Contact"),
        ),
        FieldPanel("related_case_studies"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("city"),
        index.FilterField("status"),
    ]
    parent_page_types = ["cities.CityPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def clean(self):
        super().clean()
        errors = fact_errors(
            start_year=self.start_year,
            end_year=self.end_year,
            budget=self.budget,
            currency=self.currency,
        )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.alias_of_id:  # an alias copies every field (Wagtail's create_alias)
            self.external_id = None
        if self.currency:
            self.currency = self.currency.upper()
        self.sync_city()
        return super().save(*args, **kwargs)

    def is_translation(self) -> bool:
        """Whether this page (not an alias) translates an older page of its
        translation group (wagtail-localize's editor makes them)."""
        if self.alias_of_id or not self.translation_key:
            return False
        older = Page.objects.filter(translation_key=self.translation_key, alias_of__isnull=True)
        if self.pk:
            older = older.filter(pk__lt=self.pk)
        return older.exists()

    def language_note(self) -> dict:
        """What the reader is told about the language of the text shown: the
        language it is written in, whether it is a translation (and where
        the original is), whether it differs from the interface's."""
        shown = self.language
        note = {"language": shown, "name": language_name(shown), "differs": shown != translation.get_language()}
        if self.is_translation():
            first = (
                Page.objects.filter(translation_key=self.translation_key, alias_of__isnull=True)
                .order_by("pk").select_related("locale").first()
            )
            original = first.specific if first else None
            if original is not None and original.live:
                note["original_language"] = original.language
                note["original_name"] = language_name(original.language)
                note["original_url"] = original.get_url()
        return note

    def sync_city(self):
        if not self.path:
            return
        parent = self.get_parent()
        self.city_id = parent.pk if parent and parent.specific_class is CityPage else None

    @cached_property
    def city_page(self):
        return self.city

    @property
    def country(self):
        return self.city.country if self.city else None

    @property
    def years(self):
        return format_years(self.start_year, self.end_year, self.status)

    def visible_related(self):
        """The related case studies the public may see (not evaluated here)."""
        related = CaseStudyPage.objects.filter(pk__in=self.related_case_studies.values_list("pk", flat=True))
        return CaseStudyPage.objects.filter(
            translation_key__in=related.values("translation_key")
        ).in_language(page_locales.language_of(self)).listable().for_listing()

    def _structured_data(self, request):
        # The JSON-LD (read first, in the head) and the facts box both read
        # the challenges: one query.
        prefetch_related_objects([self], "challenges")
        return case_study_document(self, request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["partners"] = self.partners.all()
        context["outcomes"] = self.outcomes.all()
        context["sources"] = self.sources.all()
        context["related"] = SimpleLazyObject(lambda: list(self.visible_related()))
        context["show_contact_email"] = request.user.is_authenticated
        context["practice_index"] = PracticeIndexPage.public_index()
        context["section_names"] = SECTION_NAMES
        context["structured_data"] = partial(self._structured_data, request)
        # What higher apps add, through the ``construct_case_study_context``
        # Wagtail hook (``fn(page, request, context)``; practices import no
        # higher app): templates rendered with this context at the end of the
        # key facts (``extra_facts``) and after the case study
        # (``extra_sections``), the same for every visitor (they are in the
        # cached fragment; read lazily), and ``visitor_actions``, templates of
        # what this visitor may do here (the fragment varies on them).
        context["extra_facts"] = []
        context["extra_sections"] = []
        context["visitor_actions"] = []
        for construct in hooks.get_hooks("construct_case_study_context"):
            construct(self, request, context)
        return context


class CaseStudyPartner(TranslatableMixin, Orderable):
    """A partner of the practice. Translatable (its name and role are text a
    city translates in wagtail-localize's editor, with the page)."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("organisation name"), max_length=200)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices)
    role = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("name"), FieldPanel("organisation_type"), FieldPanel("role")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass

    def __str__(self):
        return self.name


class CaseStudyOutcome(TranslatableMixin, Orderable):
    """A measured result. Translatable, like the partners (its metric and unit)."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="outcomes")
    metric = models.CharField(max_length=200, help_text=_("What was measured, e.g. 'people placed in work'."))
    value = models.DecimalField(max_digits=16, decimal_places=2)
    unit = models.CharField(max_length=50, blank=True, help_text=_("e.g. people, EUR, %."))
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR_VALIDATORS)

    panels = [FieldRowPanel([FieldPanel("metric"), FieldPanel("value"), FieldPanel("unit"), FieldPanel("year")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass

    def __str__(self):
        return f"{self.metric}: {self.value} {self.unit}".strip()

    @property
    def display_value(self):
        value = self.value.normalize()
        return f"{value:,f}"


class CaseStudySource(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("URL"), max_length=500)
    title = models.CharField(max_length=250, blank=True)

    panels = [FieldPanel("url"), FieldPanel("title")]

    def __str__(self):
        return self.title or self.url


class PracticeIndexPage(RoutablePageMixin, Page):
    """All published case studies, newest first, filterable by challenge and
    city; also serves one page per challenge."""

    intro = models.TextField(blank=True)

    objects = VisiblePageManager()

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    @classmethod
    def public_index(cls):
        """The live, public practice index or None, read when first used
        (a template fragment served from the cache never reads it)."""
        return SimpleLazyObject(lambda: cls.objects.live().public().in_language().first())

    def practices(self):
        return CaseStudyPage.objects.listable().in_language(page_locales.language_of(self)).for_listing().order_by(
            "-first_published_at", "-pk"
        )

    @path("")
    def index(self, request):
        """The practice search page (query, facets, sort and page from the URL; see
        docs/search.md), served by the first ``serve_practice_search`` Wagtail hook,
        called as ``fn(index_page, request)``, that returns a response: the search
        app registers it (search/wagtail_hooks.py), as practices import no higher app."""
        for serve in hooks.get_hooks("serve_practice_search"):
            response = serve(self, request)
            if response is not None:
                return response
        raise ImproperlyConfigured(
            "No app serves the practice search page: install one that registers the "
            "'serve_practice_search' Wagtail hook (the search app does)."
        )

    @path("challenges/<slug:slug>/", name="challenge")
    def challenge(self, request, slug):
        challenge = get_object_or_404(Challenge, slug=slug)
        practices = self.practices().filter(challenges=challenge)
        return self.render(
            request,
            template="practices/challenge_page.html",
            context_overrides={"challenge": challenge, "practices": paginate(request, practices)},
        )

    @path("compare/", name="compare")
    def compare(self, request):
        """2 to 4 case studies side by side, chosen by `p` (page ids, repeated):
        see practices.compare. Malformed choices answer 400, unknown, draft
        or private pages 404, each with a message on the page."""
        from .compare import PARAMETER, compare

        comparison = compare(request.GET.getlist(PARAMETER), self, request)
        response = self.render(
            request, template="practices/compare_page.html", context_overrides={"comparison": comparison}
        )
        response.status_code = comparison.status
        return response

    @path("feed/", name="feed")
    def feed(self, request):
        return LatestPracticesFeed(self)(request)

    def challenge_url(self, challenge):
        return self.url + self.reverse_subpage("challenge", kwargs={"slug": challenge.slug})
