"""Lead images of cities and case studies (cities.lead_image): refused
without alt text and credit, shown on the page with responsive renditions
and on the cards (lazily loaded), from the search index's stored card for
search hits."""

import pytest
import wagtail_factories
from django.core.exceptions import ValidationError

from practices.factories import CaseStudyPageFactory, CityPageFactory
from search.indexing import update_entries

ALT = "A drawing of the network logo: linked circles"
CREDIT = "Solidarity Cities Exchange"


@pytest.fixture
def image(db):
    return wagtail_factories.ImageFactory(title="Logo drawing", file__width=1600, file__height=900)


@pytest.mark.parametrize("kind", ["city", "case study"])
@pytest.mark.parametrize(("alt", "credit", "missing"), [("", CREDIT, "lead_image_alt"), (ALT, " ", "lead_image_credit")])
def test_an_image_without_alt_text_or_credit_is_refused_with_a_message(site_tree, image, kind, alt, credit, missing):
    page = site_tree["dublin"] if kind == "city" else CaseStudyPageFactory(parent=site_tree["dublin"])
    page.lead_image, page.lead_image_alt, page.lead_image_credit = image, alt, credit
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert missing in error.value.message_dict
    assert "required with a lead image" in " ".join(error.value.message_dict[missing])


def test_no_image_needs_no_alt_text(site_tree):
    CaseStudyPageFactory(parent=site_tree["dublin"]).full_clean()


def _with_image(page, image):
    page.lead_image, page.lead_image_alt, page.lead_image_credit = image, ALT, CREDIT
    page.save_revision().publish()
    return page


def test_case_study_page_and_its_cards_show_the_image_alt_text_and_credit(client, site_tree, image):
    practice = _with_image(CaseStudyPageFactory(parent=site_tree["dublin"], title="Community kitchens"), image)
    update_entries([practice.pk])

    page = client.get(practice.url).content.decode()
    assert f'alt="{ALT}"' in page
    assert "srcset=" in page and "480w" in page and "1200w" in page
    assert f'<figcaption class="lead-image__credit">{CREDIT}</figcaption>' in page

    # The card on the city page (a page listing) and on the search page and
    # the home page (search hits: renditions stored when indexed).
    for url in (site_tree["dublin"].url, "/practices/?q=kitchens", "/"):
        html = client.get(url).content.decode()
        card = html[html.index('class="card__image"'):]
        card = card[:card.index("</figure>")]
        assert f'alt="{ALT}"' in card, url
        assert 'loading="lazy"' in card and 'width="320"' in card and 'height="180"' in card, url
        assert "320w" in card and "480w" in card, url
        assert CREDIT in card, url


def test_city_page_and_city_card_show_the_image(client, site_tree, image):
    _with_image(site_tree["turin"], image)
    page = client.get(site_tree["turin"].url).content.decode()
    assert f'alt="{ALT}"' in page and CREDIT in page and "800w" in page

    index = client.get(site_tree["cities"].url).content.decode()
    card = index[index.index('class="card__image"'):]
    assert f'alt="{ALT}"' in card[:card.index("</figure>")] and 'loading="lazy"' in card


def test_pages_without_images_show_no_figure(client, site_tree):
    practice = CaseStudyPageFactory(parent=site_tree["dublin"])
    assert "<figure" not in client.get(practice.url).content.decode()


def test_cards_with_images_cost_no_query_per_card(client, site_tree, image):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        client.get(url)  # renditions made, caches warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for i in range(2):
        _with_image(CaseStudyPageFactory(parent=site_tree["dublin"], title=f"Practice {i}"), image)
    _with_image(site_tree["turin"], image)
    _with_image(site_tree["dublin"], image)
    few = (queries(site_tree["dublin"].url), queries(site_tree["cities"].url))
    for i in range(2, 6):
        _with_image(CaseStudyPageFactory(parent=site_tree["dublin"], title=f"Practice {i}"), image)
    bilbao = CityPageFactory(parent=site_tree["cities"], title="Bilbao", slug="bilbao", country="ES")
    _with_image(bilbao, image)
    assert (queries(site_tree["dublin"].url), queries(site_tree["cities"].url)) == few
