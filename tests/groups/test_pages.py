"""The public group pages: what they list (members, challenges, practices,
transfers among members, selections to scale, the shortlist), what they
never list (drafts, private pages, other cities' transfers), the links from
city and case study pages, the extension point for other sections, and the
fragment cache."""

import pytest
from django.test import override_settings
from wagtail import hooks
from wagtail.models import PageViewRestriction

from groups import scaling
from groups.shortlist import record_entry

from .conftest import GROUP_URL

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def section(html, heading_id):
    """The HTML of the page section labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    ends = [i for i in (html.find("</section>", start), html.find("</aside>", start)) if i != -1]
    return html[start: min(ends)]


def test_the_index_lists_every_group_with_its_cities_and_challenges(client, world):
    html = html_of(client, "/groups/")
    assert "<h1>Working groups</h1>" in html
    assert f'href="{GROUP_URL}"' in html and 'href="/groups/housing-together/"' in html
    local = html[html.index("Local economies"):]  # by name: after "Housing together"
    assert "Dublin" in local and "Bilbao" in local and "Local economy recovery" in local
    assert "Turin" not in local


def test_a_group_page_lists_members_challenges_practices_and_transfers_among_members(client, world):
    html = html_of(client, GROUP_URL)
    assert "<h1>Local economies</h1>" in html
    facts = section(html, "facts-heading")
    assert "Dublin" in facts and "Bilbao" in facts and "Turin" not in facts
    assert "Local economy recovery" in facts and "Housing" not in facts

    practices = section(html, "practices-heading")
    # The live public case studies on the group's challenge, from any city.
    for title in ("CasaBottega", "Dublin social enterprise committee", "Bilbao solidarity market"):
        assert title in practices
    for title in ("Dublin housing co-ops", "Dublin draft practice", "Turin private practice"):
        assert title not in html

    transfers = section(html, "transfers-heading")
    assert "Bilbao</a> is adapting" in transfers and "Dublin social enterprise committee" in transfers
    assert "piloting" in transfers
    assert "Turin" not in transfers  # Turin is not a member
    assert "Bilbao solidarity market" not in transfers  # pending


def test_a_city_that_leaves_the_public_leaves_the_group_page(client, world):
    PageViewRestriction.objects.create(page=world["bilbao"], restriction_type=PageViewRestriction.LOGIN)
    html = html_of(client, GROUP_URL)
    assert "Bilbao" not in section(html, "facts-heading")
    assert "is adapting" not in section(html, "transfers-heading")


def test_unknown_groups_are_not_found(client, world):
    assert client.get("/groups/no-such-group/").status_code == 404
    assert client.get(GROUP_URL + "?page=99").status_code == 404
    assert client.get(GROUP_URL + "?page=abc").status_code == 200  # the first page


def test_selected_to_scale_shows_on_the_group_page_the_case_study_and_its_card(client, world):
    casabottega = world["pages"]["casabottega"]
    scaling.record_selected(casabottega, note="Chosen by the network's peers.")
    html = html_of(client, GROUP_URL)
    assert "CasaBottega" in section(html, "selected-heading")
    assert "Chosen by the network&#x27;s peers." in section(html, "selected-heading")
    card = section(html, "practices-heading")
    assert card.count("Selected to scale") == 1
    assert '<dd class="selected-to-scale">Selected to scale</dd>' in html_of(client, casabottega.url)
    assert "Selected to scale" not in html_of(client, world["pages"]["committee"].url)


def test_a_practice_that_goes_private_or_unpublished_leaves_the_shortlist_and_the_selections(client, world):
    pages = world["pages"]
    record_entry(world["group"], pages["casabottega"], voters=[world["accounts"]["follower"]])
    record_entry(world["group"], pages["market"])
    scaling.record_selected(pages["casabottega"])
    scaling.record_selected(pages["market"])
    html = html_of(client, GROUP_URL)
    assert "CasaBottega" in section(html, "shortlist-heading")
    assert "1 vote" in section(html, "shortlist-heading")

    PageViewRestriction.objects.create(page=pages["casabottega"], restriction_type=PageViewRestriction.PASSWORD,
                                       password="secret")
    pages["market"].unpublish()
    html = html_of(client, GROUP_URL)
    assert "CasaBottega" not in html and "Bilbao solidarity market" not in html
    assert "Nothing is on the shortlist yet." in html


def test_the_city_page_links_its_working_groups(client, world):
    html = html_of(client, world["dublin"].url)
    assert f'<a href="{GROUP_URL}">Local economies</a>' in html


def test_other_apps_add_sections_through_construct_working_group_context(client, world):
    """The extension point for the exchange's answered questions: a hook gets
    the group and the page's context, and adds templates to `extra_sections`
    (rendered in the cached part of the page) and the values they read."""
    seen = {}

    def add_section(group, context):
        seen["group"] = group
        seen["practices"] = [p.title for p in context["practices"]]
        seen["all"] = context["practices_on_challenges"].count()
        context["extra_sections"].append("groups/tests/extra_section.html")
        context["extra_greeting"] = f"Questions of {group.name}"

    with hooks.register_temporarily("construct_working_group_context", add_section):
        html = html_of(client, GROUP_URL)
    assert seen["group"] == world["group"]
    assert "CasaBottega" in seen["practices"] and seen["all"] == 3
    assert "Questions of Local economies" in html
    assert "Questions of" not in html_of(client, GROUP_URL)  # the hook is gone


@override_settings(PAGE_FRAGMENT_SECONDS=60)
def test_the_page_is_cached_between_editorial_events_but_votes_show_at_once(client, world, django_assert_max_num_queries):
    follower = world["accounts"]["follower"]
    entry, _ = record_entry(world["group"], world["pages"]["casabottega"])
    html_of(client, GROUP_URL)  # renders and keeps the fragment
    with django_assert_max_num_queries(6):  # the group, the page of practices, the shortlist
        html = html_of(client, GROUP_URL)
    assert "Dublin social enterprise committee" in html and "0 votes" in html

    client.force_login(follower)
    response = client.post(f"/groups/local-economies/shortlist/{entry.pk}/vote/", follow=True)
    assert "Your vote for “CasaBottega” is counted." in response.content.decode()
    assert "1 vote" in response.content.decode() and "You voted for it." in response.content.decode()
    client.logout()
    assert "1 vote" in html_of(client, GROUP_URL)  # the shortlist is never cached

    # An editorial event (a selection to scale) retires the cached part.
    scaling.record_selected(world["pages"]["committee"])
    assert "Dublin social enterprise committee" in section(html_of(client, GROUP_URL), "selected-heading")


def test_the_group_page_shows_the_latest_answered_questions_on_its_practices(client, world):
    """The exchange's section: answered questions the asker let be public,
    on the case studies of the group's challenges; never a private, hidden
    or unanswered one, nor one on a practice off the group's challenges."""
    from exchange import questions

    peer, turin, dublin = world["accounts"]["peer"], world["accounts"]["turin"], world["accounts"]["dublin"]
    pages = world["pages"]
    shown = questions.ask(peer, pages["casabottega"], "How did you choose the first artisans of CasaBottega?")
    questions.answer(turin, shown, "By an open call to the neighbourhood's craft workshops.")
    private = questions.ask(peer, pages["casabottega"], "Could we see the call text you used, please?",
                            public=False)
    questions.answer(turin, private, "Yes, we will send it to you by email.")
    hidden = questions.ask(peer, pages["casabottega"], "Did the programme fund the shop fittings?")
    questions.answer(turin, hidden, "An answer a moderator will hide from the public.")
    questions.hide(world["accounts"]["moderator"], hidden, "answer")
    questions.ask(peer, pages["committee"], "Who sits on the committee, and how often does it meet?")
    off_topic = questions.ask(peer, pages["housing"], "How were the housing co-operatives first funded?")
    questions.answer(dublin, off_topic, "An answer on a practice outside the group's challenges.")

    html = section(html_of(client, GROUP_URL), "group-questions-heading")
    assert "How did you choose the first artisans of CasaBottega?" in html
    assert "By an open call to the neighbourhood" in html
    assert 'href="/cities/turin/casabottega/"' in html or "CasaBottega</a>" in html
    for text in ("call text", "shop fittings", "Who sits on the committee", "housing co-operatives"):
        assert text not in html
    assert "peer@example.org" not in html
