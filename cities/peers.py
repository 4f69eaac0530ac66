"""The peer finder's ranking: which cities to learn from about a challenge,
or about the challenges a city works on, and why, in words.

Pure: plain facts in (`Facts`: the public cities with what the peer finder
compares, their live public practices per challenge and status, the accepted
transfers between them), ranked peers out. The facts are gathered by the app
that can see practices and transfers (`exchange.peer_facts`); this module
reads no database. Documented, weights included, in docs/peers.md.

A city is a peer when it has live, public practices on one of the
challenges asked about or names one of them on its page (`CityChallenge`).
Its score is the sum of points, each a weight of `WEIGHTS` times a fact:

* its practices on the challenges, each weighted by its status
  (scaled > running > pilot > ended: "scaled" is the practices' status, a
  practice grown beyond its pilot, not its geographic `scale`);
* the challenges asked about that it names on its page;

and, when a city asks (not when only a challenge is given), how it
compares with that city:

* similar population, by ratio (the smaller over the larger: 1 for equal
  sizes, 0.5 for a city twice the size, whatever the sizes);
* the same region (of the same country), else the same country, else the
  same continent (the closest that applies);
* each language both cities speak;
* each accepted transfer between them, in either direction;
* how close in meaning its practices on the challenges are to the asking
  city's (the best pair's cosine similarity, from the vectors of search by
  meaning that the facts carry; nothing when they carry none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from django.utils import formats
from django.utils.translation import gettext, ngettext_lazy, pgettext
from django_countries import countries

from . import languages
from .models import Continent

# The one place the weights live (docs/peers.md explains each).
WEIGHTS = {
    # Per live, public practice on a challenge asked about, by its status
    # (practices.models.Status values).
    "practice": {"scaled": 4.0, "running": 3.0, "pilot": 2.0, "ended": 1.0},
    # Per challenge asked about that the city names on its page.
    "challenge": 3.0,
    # Times the smaller population over the larger one.
    "population": 3.0,
    # The closest of the three that applies.
    "same_region": 3.0,
    "same_country": 2.0,
    "same_continent": 1.0,
    # Per language both cities speak.
    "language": 1.0,
    # Per accepted transfer between the two cities, either direction.
    "transfer": 2.0,
    # Times how close in meaning the closest pair of practices (one of each
    # city) is: 0 at MEANING_FLOOR or below, 1 at MEANING_FULL or above.
    "meaning": 4.0,
}
# Cosine similarities on the scale of multilingual-e5-small
# (search.embeddings), which is compressed: unrelated practices score below
# 0.80, two practices on one topic about 0.80-0.83, a practice and its
# translation about 0.83-0.89, a practice and its near copy above 0.90.
MEANING_FLOOR = 0.82
MEANING_FULL = 0.90
STATUS_ORDER = tuple(WEIGHTS["practice"])  # scaled, running, pilot, ended: how reasons list them


@dataclass(frozen=True)
class CityFacts:
    id: int
    name: str
    slug: str
    url_path: str
    country: str = ""
    region: str = ""
    continent: str = ""
    population: int | None = None
    languages: tuple[str, ...] = ()
    challenges: tuple[int, ...] = ()  # the challenges it names on its page, in its order
    # {challenge id: {status: live, public practices}}
    practices: Mapping[int, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PracticeVectors:
    """A city's practices by meaning: their titles and, row for row, their
    vectors (unit length, so that a dot product is a cosine)."""

    titles: tuple[str, ...]
    vectors: np.ndarray


@dataclass(frozen=True)
class Facts:
    cities: Mapping[int, CityFacts]
    challenge_names: Mapping[int, str]
    # {frozenset({city id, city id}): accepted transfers between the two, either direction}
    transfers: Mapping[frozenset, int] = field(default_factory=dict)
    # {city id: its live, public practices on the challenges asked about, by
    # meaning}; empty when search by meaning is off or no city asks.
    meaning: Mapping[int, PracticeVectors] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """Peers on `challenges` (ids), for the city `city` (an id) or for
    anyone (None)."""

    challenges: tuple[int, ...]
    city: int | None = None


@dataclass
class Peer:
    city: CityFacts
    score: float
    points: dict[str, float]  # practices, challenges, population, geography, languages, transfers, meaning
    reasons: list[str]
    url: str | None = None  # the city page's URL, which the caller fills in (from `city.url_path`)


def rank(facts: Facts, question: Question, limit: int | None = None) -> list[Peer]:
    """The peers of `question`, best first (score, then name, then id)."""
    asking = facts.cities.get(question.city) if question.city is not None else None
    asked = tuple(dict.fromkeys(question.challenges))
    wanted = set(asked)
    peers = []
    for city in facts.cities.values():
        if asking is not None and city.id == asking.id:
            continue
        if wanted.isdisjoint(city.practices) and wanted.isdisjoint(city.challenges):
            continue  # neither practices on the challenges nor naming one: no peer
        peer = _score(facts, asked, city, asking)
        if peer is not None:
            peers.append(peer)
    peers.sort(key=lambda p: (-p.score, p.city.name.casefold(), p.city.id))
    return peers[:limit] if limit is not None else peers


def _score(facts: Facts, asked, city: CityFacts, asking: CityFacts | None) -> Peer | None:
    named = set(city.challenges)
    works_on = [c for c in asked if c in named]
    practice_reasons, practice_points, said = [], 0.0, set()
    for challenge in asked:
        counts = {s: n for s, n in city.practices.get(challenge, {}).items() if n and s in WEIGHTS["practice"]}
        if counts:
            practice_points += sum(WEIGHTS["practice"][s] * n for s, n in counts.items())
            reason = practices_reason(counts, facts.challenge_names.get(challenge, "?"))
            if challenge in named:  # its practices and its page agree: said once
                # Translators: a reason why a city is a peer, e.g. "a scaled practice on housing (works on it too)".
                reason = gettext("%(reason)s (works on it too)") % {"reason": reason}
                said.add(challenge)
            practice_reasons.append(reason)
    if not practice_reasons and not works_on:
        return None
    points = {"practices": practice_points, "challenges": WEIGHTS["challenge"] * len(works_on)}
    reasons = list(practice_reasons)
    if unsaid := [c for c in works_on if c not in said]:
        names = ", ".join(in_sentence(facts.challenge_names.get(c, "?")) for c in unsaid)
        if practice_reasons:
            # Translators: a reason why a city is a peer; %(challenges)s lists challenges named on its page.
            reasons.append(gettext("also works on %(challenges)s") % {"challenges": names})
        else:
            reasons.append(gettext("works on %(challenges)s") % {"challenges": names})
    if asking is not None:
        for name, (value, reason) in _compared(facts, city, asking).items():
            points[name] = value
            if reason:
                reasons.append(reason)
    return Peer(city=city, score=round(sum(points.values()), 3), points=points, reasons=reasons)


def _compared(facts, city: CityFacts, asking: CityFacts) -> dict[str, tuple[float, str]]:
    """{points name: (points, reason or "")} of how `city` compares with `asking`."""
    out = {}
    if city.population and asking.population:
        ratio = min(city.population, asking.population) / max(city.population, asking.population)
        out["population"] = (
            WEIGHTS["population"] * ratio,
            # Translators: a reason why a city is a peer: its population compared with the asking city's.
            gettext("population %(peer)s vs %(asking)s")
            % {"peer": short_number(city.population), "asking": short_number(asking.population)},
        )
    else:
        out["population"] = (0.0, "")
    out["geography"] = _geography(city, asking)
    shared = languages.names(set(city.languages) & set(asking.languages))
    if len(shared) > 1:
        # Translators: a reason why a city is a peer, e.g. "both speak Spanish, Basque and Catalan".
        spoken = gettext("both speak %(languages)s and %(last)s") % {
            "languages": ", ".join(str(name) for name in shared[:-1]),
            "last": shared[-1],
        }
    else:
        spoken = gettext("also speaks %(language)s") % {"language": shared[0]} if shared else ""
    out["languages"] = (WEIGHTS["language"] * len(shared), spoken)
    transfers = facts.transfers.get(frozenset((city.id, asking.id)), 0)
    out["transfers"] = (
        WEIGHTS["transfer"] * transfers,
        TRANSFERS_REASON % {"count": transfers} if transfers else "",
    )
    if facts.meaning:
        out["meaning"] = _meaning(facts.meaning.get(city.id), facts.meaning.get(asking.id))
    return out


def _meaning(theirs: PracticeVectors | None, yours: PracticeVectors | None) -> tuple[float, str]:
    """The points and reason of the closest pair of practices, one of
    each city (the first such pair in the two cities' orders on a tie)."""
    if theirs is None or yours is None or not len(theirs.titles) or not len(yours.titles):
        return 0.0, ""
    similarities = theirs.vectors @ yours.vectors.T
    i, j = np.unravel_index(int(np.argmax(similarities)), similarities.shape)
    best = float(similarities[i, j])
    if best <= MEANING_FLOOR:
        return 0.0, ""
    share = min(1.0, (best - MEANING_FLOOR) / (MEANING_FULL - MEANING_FLOOR))
    return (
        round(WEIGHTS["meaning"] * share, 3),
        # Translators: a reason why a city is a peer: a practice of theirs ↔ one of the asking city's.
        gettext("practices close in meaning to yours: %(theirs)s ↔ %(yours)s")
        % {"theirs": theirs.titles[i], "yours": yours.titles[j]},
    )


def _geography(city: CityFacts, asking: CityFacts) -> tuple[float, str]:
    same_country = bool(city.country) and city.country == asking.country
    if same_country and city.region and city.region.casefold() == asking.region.casefold():
        return WEIGHTS["same_region"], gettext("same region (%(region)s)") % {"region": city.region}
    if same_country:
        country = countries.name(city.country) or city.country
        return WEIGHTS["same_country"], gettext("same country (%(country)s)") % {"country": country}
    if city.continent and city.continent == asking.continent:
        continent = Continent(city.continent).label
        return WEIGHTS["same_continent"], gettext("also in %(continent)s") % {"continent": continent}
    return 0.0, ""


# --- Words ---


def in_sentence(name: str) -> str:
    """A challenge's name inside a sentence: "Social procurement" →
    "social procurement" (an acronym, "EU funds", keeps its capitals)."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


# Translators: reasons why a city is a peer. The count is the number of
# practices; the singular is said without the number ("a scaled practice").
TRANSFERS_REASON = ngettext_lazy(
    "%(count)d transfer between them already", "%(count)d transfers between them already", "count"
)
ONE_STATUS_REASONS = {
    "scaled": ngettext_lazy(
        "a scaled practice on %(challenge)s", "%(count)d scaled practices on %(challenge)s", "count"
    ),
    "running": ngettext_lazy(
        "a running practice on %(challenge)s", "%(count)d running practices on %(challenge)s", "count"
    ),
    "pilot": ngettext_lazy(
        "a pilot practice on %(challenge)s", "%(count)d pilot practices on %(challenge)s", "count"
    ),
    "ended": ngettext_lazy(
        "an ended practice on %(challenge)s", "%(count)d ended practices on %(challenge)s", "count"
    ),
}
# Translators: one part of "2 practices on housing, one scaled, one pilot".
STATUS_COUNTS = {
    "scaled": ngettext_lazy("one scaled", "%(count)d scaled", "count"),
    "running": ngettext_lazy("one running", "%(count)d running", "count"),
    "pilot": ngettext_lazy("one pilot", "%(count)d pilot", "count"),
    "ended": ngettext_lazy("one ended", "%(count)d ended", "count"),
}
MIXED_REASON = ngettext_lazy(
    "%(count)d practice on %(challenge)s, %(detail)s", "%(count)d practices on %(challenge)s, %(detail)s", "count"
)


def practices_reason(counts: Mapping[str, int], challenge_name: str) -> str:
    """"a scaled practice on housing", "an ended practice on housing",
    "3 running practices on housing",
    "2 practices on social procurement, one scaled, one pilot"."""
    name = in_sentence(challenge_name)
    total = sum(counts.values())
    statuses = [s for s in STATUS_ORDER if counts.get(s)]
    if len(statuses) == 1:
        status = statuses[0]
        return ONE_STATUS_REASONS[status] % {"count": total, "challenge": name}
    detail = ", ".join(STATUS_COUNTS[s] % {"count": counts[s]} for s in statuses)
    return MIXED_REASON % {"count": total, "challenge": name, "detail": detail}


def short_number(value: int) -> str:
    """1,800,000 → "1.8 M"; 2,000,000 → "2 M"; 346,000 → "346 k"; 950 → "950"."""
    if value >= 999_500:
        millions = round(value / 1_000_000, 1)
        text = formats.number_format(int(millions) if millions == int(millions) else millions)
        # Translators: a population in millions, abbreviated ("1.8 M").
        return pgettext("millions", "%(number)s M") % {"number": text}
    if value >= 1000:
        # Translators: a population in thousands, abbreviated ("346 k").
        return pgettext("thousands", "%(number)s k") % {"number": formats.number_format(round(value / 1000))}
    return formats.number_format(value)
