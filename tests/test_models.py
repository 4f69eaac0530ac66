import pytest
from django.core.exceptions import ValidationError

from practices.factories import CaseStudyPageFactory

pytestmark = pytest.mark.django_db


def test_city_and_country_come_from_the_parent_city(site_tree):
    page = CaseStudyPageFactory(parent=site_tree["dublin"])
    page.refresh_from_db()
    assert page.city.title == "Dublin"
    assert page.country.code == "IE"
    assert page.country.name == "Ireland"


def test_moving_a_case_study_moves_it_to_the_new_city(site_tree):
    page = CaseStudyPageFactory(parent=site_tree["dublin"])
    page.move(site_tree["turin"], pos="last-child")
    page.refresh_from_db()
    assert page.city.title == "Turin"
    assert page.country.code == "IT"


def test_years_for_readers(site_tree):
    running = CaseStudyPageFactory.build(start_year=2015, status="running")
    ended = CaseStudyPageFactory.build(start_year=2012, end_year=2019, status="ended")
    assert running.years == "since 2015"
    assert ended.years == "2012–2019"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"start_year": 2020, "end_year": 2019}, "end_year"),
        ({"budget": 10000, "currency": ""}, "currency"),
        ({"budget": 10000, "currency": "EURO"}, "currency"),
    ],
)
def test_inconsistent_facts_are_rejected(site_tree, fields, field):
    page = CaseStudyPageFactory(parent=site_tree["dublin"])
    for name, value in fields.items():
        setattr(page, name, value)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert field in error.value.message_dict


def test_summary_is_limited_to_500_characters(site_tree):
    page = CaseStudyPageFactory(parent=site_tree["dublin"])
    page.summary = "x" * 501
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "summary" in error.value.message_dict
