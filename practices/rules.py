"""The rules a case study's facts must follow together (not one field alone).

One function, used by `CaseStudyPage.clean` (the admin) and by the import
format's serializer (practices.records), so both reject the same things with
the same words.
"""

import re

from django.utils.translation import gettext

CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def fact_errors(*, start_year=None, end_year=None, budget=None, currency=""):
    """{field name: reason} for every rule the facts break; empty when they
    are consistent. `currency` may be in any case."""
    errors = {}
    if start_year and end_year and end_year < start_year:
        errors["end_year"] = gettext("%(end)s is before the start year %(start)s") % {"end": end_year, "start": start_year}
    if currency and not CURRENCY_CODE.fullmatch(currency):
        errors["currency"] = gettext("expected a three-letter ISO 4217 code such as EUR, got %(currency)s") % {
            "currency": repr(currency)
        }
    elif budget is not None and not currency:
        errors["currency"] = gettext("required with a budget")
    return errors
