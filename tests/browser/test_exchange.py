"""Recording a transfer, as people click it: Dublin's official follows
"Record that your city is adapting this" from Turin's case study, fills in
the form in the Wagtail admin; it shows on Dublin's page at once, and on
Turin's case study once a moderator has accepted it under "Proposals to
answer"."""

import re

import pytest
from playwright.sync_api import expect

from exchange.models import Transfer

from .conftest import screenshot
from .test_admin_workflow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHANGES = "Empty council offices instead of shops."


def test_official_records_a_transfer_moderator_accepts_it(browser_site, new_page, page):
    source = browser_site["case_studies"]["coops"]
    visitor = new_page()
    visitor.goto(source.url)
    expect(visitor.get_by_role("link", name="Record that your city is adapting this")).to_have_count(0)

    # Dublin's official, from the case study to the admin form (the case study chosen already).
    sign_in(page, "official-dublin")
    page.goto(source.url)
    page.get_by_role("link", name="Record that your city is adapting this").click()
    expect(page).to_have_title(re.compile("New: Transfer"))
    expect(page.locator("#id_source-title")).to_have_text(source.title)
    expect(page.get_by_label("Adopting city")).to_have_value(str(browser_site["dublin"].pk))
    page.get_by_label("Stage").select_option(label="Piloting")
    page.get_by_role("textbox", name="What we changed").fill(CHANGES)
    screenshot(page, "admin-transfer")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Transfer recorded: Dublin adapting")).to_be_visible()
    transfer = Transfer.objects.get(adopting_city=browser_site["dublin"])
    assert transfer.is_pending and transfer.stage == "piloting"

    # Shown on Dublin's side at once, not yet on Turin's case study.
    visitor.goto(browser_site["dublin"].url)
    adapting = visitor.get_by_role("region", name="Practices Dublin is adapting")
    expect(adapting.get_by_role("link", name=source.title)).to_be_visible()
    expect(adapting).to_contain_text("Waiting for Turin to confirm.")
    visitor.goto(source.url)
    expect(visitor.get_by_text(CHANGES)).to_have_count(0)

    # The moderator answers it.
    moderator = new_page()
    sign_in(moderator, "moderator")
    moderator.get_by_role("link", name="Proposals to answer").click()
    moderator.get_by_role("link", name=f"Dublin adapting “{source.title}”").click()
    expect(moderator.get_by_text(CHANGES)).to_be_visible()
    moderator.get_by_role("button", name="Accept").click()
    expect(moderator.get_by_text(f"Accepted: Dublin adapting “{source.title}”")).to_be_visible()

    visitor.goto(source.url)
    adaptations = visitor.get_by_role("region", name="Cities adapting this practice")
    expect(adaptations.get_by_role("heading", name="Dublin")).to_be_visible()
    expect(adaptations).to_contain_text("Adapted by 2 cities.")
    expect(adaptations.get_by_text(CHANGES)).to_be_visible()
    expect(visitor.locator(".adapted-by")).to_have_text("2 cities")
