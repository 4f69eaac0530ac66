"""From a request's parameters to ranked peers (`cities.peers`), for
`/peers/`, the "Cities like ..." section of city pages and `/api/peers/`.

`?challenge=<slug>`: cities with practices on that challenge or naming it;
`?city=<slug>`: peers of that city on the challenges it names, compared with
it; both: peers of the city on that one challenge. Bad parameters raise
`PeerParamError` with one clear message per parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext, ngettext

from cities.page_urls import HitUrls
from cities.peers import CityFacts, Peer, Question, rank

from .peer_facts import ChallengeOption, PeerFacts

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")
SLUG_PATTERN = f"^{SLUG.pattern}$"
PARAMETERS = ("challenge", "city")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
CITY_PAGE_LIMIT = 5  # "Cities like <city>" on its page


class PeerParamError(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class PeerResult:
    """A question read from the parameters; its peers are ranked on first
    use (not at all when the page's fragment is cached)."""

    source: PeerFacts = field(repr=False)
    challenge: ChallengeOption | None  # the challenge asked about, if one was
    city: CityFacts | None  # the city asking, if one did
    asked: list[ChallengeOption]  # the challenges ranked on
    limit: int = DEFAULT_LIMIT

    @property
    def challenge_names(self) -> str:
        return ", ".join(c.name for c in self.asked)

    @property
    def peers(self) -> list[Peer]:
        """The best peers, at most `limit`, with their URLs."""
        return self._ranked[0]

    @property
    def total(self) -> int:
        """How many peers were found."""
        return self._ranked[1]

    @cached_property
    def _ranked(self) -> tuple[list[Peer], int]:
        if not self.asked:
            return [], 0
        asking = self.city.id if self.city is not None else None
        facts = self.source.facts([c.id for c in self.asked], asking)
        question = Question(challenges=tuple(c.id for c in self.asked), city=asking)
        peers = rank(facts, question)
        urls = HitUrls()
        for peer in peers[: self.limit]:
            peer.url = urls(peer.city.url_path)
        return peers[: self.limit], len(peers)


def _single(params, name: str, errors: dict, pattern=SLUG, what=None) -> str:
    """The one value of `name` in `params` ("" if none); a problem goes in
    `errors` (`what`: the message when the value does not match `pattern`)."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    values = [v for v in values if v not in (None, "")]
    if len(values) > 1:
        errors[name] = ngettext(
            "give %(name)s once, not %(count)d time.", "give %(name)s once, not %(count)d times.", len(values)
        ) % {"name": name, "count": len(values)}
        return ""
    value = values[0] if values else ""
    what = what or gettext("is not a slug (letters, digits, hyphens and underscores, at most 255).")
    if value and not pattern.fullmatch(value):
        errors[name] = what
        return ""
    return value


def read_limit(params, errors: dict) -> int:
    wrong = gettext("is not a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}
    raw = _single(params, "limit", errors, re.compile(r"[0-9]{1,3}"), wrong)
    if not raw:
        return DEFAULT_LIMIT
    if not 1 <= int(raw) <= MAX_LIMIT:
        errors["limit"] = gettext("must be from 1 to %(max)d.") % {"max": MAX_LIMIT}
        return DEFAULT_LIMIT
    return int(raw)


def ask(source: PeerFacts, params, limit: int = DEFAULT_LIMIT, errors: dict | None = None) -> PeerResult | None:
    """The peers the parameters ask for, or None when they ask nothing
    (no challenge, no city). Raises PeerParamError (with `errors`, which may
    hold the caller's own)."""
    errors = dict(errors or {})
    challenge_slug = _single(params, "challenge", errors)
    city_slug = _single(params, "city", errors)
    challenge = city = None
    if challenge_slug and (challenge := source.challenge(challenge_slug)) is None:
        errors["challenge"] = gettext("no challenge has the slug “%(slug)s”.") % {"slug": challenge_slug}
    if city_slug and (city := source.city(city_slug)) is None:
        errors["city"] = gettext("no published city has the slug “%(slug)s”.") % {"slug": city_slug}
    if errors:
        raise PeerParamError(errors)
    if challenge is None and city is None:
        return None
    if challenge is not None:
        asked = [challenge]
    else:
        asked = [c for c in map(source.challenge_by_id, city.challenges) if c is not None]
    return PeerResult(source, challenge, city, asked, limit)


def city_peers(page) -> PeerResult | None:
    """"Cities like <city>" on a city page: its best peers on the challenges
    it names; None when the city is not public (a preview of a draft)."""
    source = PeerFacts()
    city = source.city_by_id(page.pk)
    if city is None:
        return None
    asked = [c for c in map(source.challenge_by_id, city.challenges) if c is not None]
    return PeerResult(source, None, city, asked, CITY_PAGE_LIMIT)
