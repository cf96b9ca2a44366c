"""The broadcast preview in Chromium: Edit and back, Urdu right to left with its numbers and
keywords in order, an untranslated language held and then released, the page in Urdu."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.broadcasts.models import Broadcast
from service.contacts.models import Contact
from service.contacts.operations import join_network
from service.content.models import Network
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage
from tests.support import factories
from tests.support.browser import screenshot, watched_tab
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser

BODY = "Cuppa is in the yard on Friday."
POLISH = "Herbatka jest na podwórku w piątek."
# "Just text JOIN MINDS, or call 07400 123456.": a keyword and a number inside Urdu.
URDU = "صرف JOIN MINDS لکھیں یا 07400 123456 پر کال کریں۔"
URDU_LATER = "جمعہ کو صحن میں چائے ہے۔"
PHONES = ("+447400188801", "+447400188802")
OTHERS = (("+447400188811", "en"), ("+447400188812", "en"), ("+447400188813", "pl"))

# The box of the first occurrence of a piece of text inside an element, from a DOM Range:
# where the browser actually drew those characters.
BOX = """([selector, needle]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let text = "", nodes = [];
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, text.length]);
    text += walker.currentNode.data;
  }
  const at = text.indexOf(needle);
  if (at < 0) return null;
  const range = document.createRange();
  const place = (offset) => {
    for (const [node, start] of nodes) {
      if (offset <= start + node.data.length) return [node, offset - start];
    }
  };
  range.setStart(...place(at));
  range.setEnd(...place(at + needle.length));
  const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
}"""


def box(tab, selector: str, needle: str) -> dict:
    found = tab.evaluate(BOX, [selector, needle])
    assert found is not None, f"{needle!r} not in {selector}"
    return found


def same_line(a: dict, b: dict) -> bool:
    return abs((a["top"] + a["bottom"]) / 2 - (b["top"] + b["bottom"]) / 2) < 12


@pytest.fixture(scope="module")
def urdu_members(live):
    """Two Urdu-reading members of Minds Matter beside three others, and its leads."""
    with live.database.session() as session:
        org = session.get_one(Organisation, live.org_id)
        minds = session.scalar(select(Network).where(Network.slug == "minds"))
        for phone in PHONES:
            contact = factories.create_contact(session, org=org, phone=phone, language="ur")
            join_network(session, contact, minds, channel="sms", consent_version="v1")
        others = []
        for phone, language in OTHERS:
            contact = factories.create_contact(session, org=org, phone=phone, language=language)
            join_network(session, contact, minds, channel="sms", consent_version="v1")
            others.append(contact.id)
        ids = [c.id for c in session.scalars(select(Contact).where(Contact.language == "ur")).all()]
        minds_id = minds.id
        session.commit()
    # One lead per test: a code already used to sign in is not accepted twice.
    leads = {}
    for name in ("lead", "urdu"):
        email = f"preview-{name}@northgate.example"
        leads[name] = (
            email,
            manager_secret(
                live.database, live.org_id, email, ("network_lead", minds_id, None), enrolled=True
            ),
        )
    return {"ids": ids, "others": others, "leads": leads}


def _rows_for(live, contact_ids):
    with live.database.session() as session:
        return session.scalars(
            select(OutboundMessage).where(OutboundMessage.contact_id.in_(contact_ids))
        ).all()


def test_preview_edit_urdu_order_hold_and_release(browser, live, urdu_members):
    with watched_tab(browser, live.url, width=1920, height=1080) as page:
        sign_in(page, *urdu_members["leads"]["lead"], enrolled=True)
        page.goto("/console/broadcasts/new")
        page.get_by_label("Message in English").fill(BODY)
        page.get_by_label("Minds Matter").check()
        page.get_by_text("Translations (optional)").click()
        page.get_by_label("In Polish").fill(POLISH)
        page.get_by_label("In Urdu").fill(URDU)
        page.get_by_role("button", name="Preview").click()
        page.get_by_role("heading", name="Preview").wait_for()

        # Urdu is laid out right to left, and marked as Urdu.
        row = 'tr[data-language="ur"] td[data-text]'
        cell = page.locator(row).first
        assert cell.get_attribute("lang") == "ur" and cell.get_attribute("dir") == "rtl"
        keyword = page.locator(f'{row} bdi[lang="en"]', has_text="JOIN MINDS").first
        assert keyword.get_attribute("dir") == "ltr"
        assert page.locator(f"{row} bdi", has_text="07400 123456").first.get_attribute("dir") == (
            "ltr"
        )
        # Visual order: the Urdu word before the keyword is to its right; the word after it, to
        # its left; the number's groups stay 07400 then 123456, left to right.
        selector = 'tr[data-language="ur"] td[data-text]'
        before, key, after = (
            box(page, selector, "صرف"),
            box(page, selector, "JOIN MINDS"),
            box(page, selector, "لکھیں"),
        )
        assert same_line(before, key) and same_line(key, after)
        assert before["left"] >= key["right"] - 1 and key["left"] >= after["right"] - 1
        first, second = box(page, selector, "07400"), box(page, selector, "123456")
        assert same_line(first, second) and first["right"] <= second["left"] + 1
        # The network's Urdu name starts the line: it is at the right.
        label = box(page, f"{selector} bdi[data-label]", "ذہنی")
        assert label["left"] > key["right"]
        assert violations(page, WCAG_AA) == []
        screenshot(page, "broadcast-preview-urdu", area="console")

        # Edit: back to the form with every language as typed.
        page.get_by_role("link", name="Edit").click()
        page.get_by_role("heading", name="Edit the broadcast").wait_for()
        assert page.get_by_label("Message in English").input_value() == BODY
        assert page.get_by_label("In Polish").input_value() == POLISH
        assert page.get_by_label("In Urdu").input_value() == URDU
        assert page.get_by_label("Minds Matter").is_checked()
        screenshot(page, "broadcast-edit-kept", area="console")
        # Without Urdu, the Urdu members are flagged with what the English would cost them.
        page.get_by_label("In Urdu").fill("")
        page.get_by_role("button", name="Preview").click()
        page.get_by_role("heading", name="Preview").wait_for()
        untranslated = page.locator('fieldset[data-untranslated="ur"]')
        assert "2 people: 2 SMS segments in English" in untranslated.inner_text()
        # The English text in an Urdu row is an English island: its full stop stays at its end.
        english = page.locator(f"{row} bdi[data-body]").first
        assert english.get_attribute("lang") == "en" and english.get_attribute("dir") == "ltr"
        friday, stop = box(page, selector, "Friday"), box(page, selector, "Friday.")
        assert stop["right"] > friday["right"]
        total_before = int(page.locator("[data-totals] bdi").first.inner_text())

        untranslated.get_by_label("Hold").check()
        page.get_by_role("button", name="Update the totals").click()
        page.get_by_role("heading", name="Preview").wait_for()
        total_after = int(page.locator("[data-totals] bdi").first.inner_text())
        assert total_after == total_before - 2
        assert page.locator('[data-held="ur"]').inner_text() == (
            "Urdu: 2 people wait for the text in their language."
        )
        assert page.locator('fieldset[data-untranslated="ur"]').get_by_label("Hold").is_checked()
        screenshot(page, "broadcast-preview-held", area="console")

        page.get_by_role("button", name=f"Send to {total_after} people now").click()
        page.get_by_role("heading", name="Held until translated").wait_for()
        # Sent to everyone else; nothing to the Urdu members, and the log says who waits.
        assert _rows_for(live, urdu_members["ids"]) == []
        assert len(_rows_for(live, urdu_members["others"])) == 3
        assert live.texts_to(OTHERS[2][0])[-1].endswith(POLISH)
        with live.database.session() as session:
            entry = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "broadcast.send")
                .order_by(AuditEntry.id.desc())
            ).first()
            assert entry.detail["held"] == ["ur"]
            broadcast = session.get_one(Broadcast, entry.detail["id"])
            assert broadcast.recipients == total_after  # counted by the worker
        screenshot(page, "broadcast-sent-held", area="console")

        # Adding the Urdu text sends it to them, in Urdu.
        page.get_by_label("Message in Urdu").fill(URDU_LATER)
        page.get_by_role("button", name="Add the text and send it to them").click()
        page.get_by_text("Added: the broadcast goes to them in their language.").wait_for()
        assert len(_rows_for(live, urdu_members["ids"])) == 2
        for phone in PHONES:
            assert live.texts_to(phone)[-1].endswith(URDU_LATER)
        assert page.get_by_role("heading", name="Held until translated").count() == 0


def test_the_preview_in_urdu_reads_right_to_left_with_its_numbers_in_place(
    browser, live, urdu_members
):
    with watched_tab(browser, live.url, width=1366, height=768, locale="ur") as page:
        sign_in(page, *urdu_members["leads"]["urdu"], enrolled=True)
        page.goto("/console/broadcasts/new")
        page.get_by_label("Message in English").fill(BODY)
        page.get_by_label("Minds Matter").check()
        page.get_by_role("button", name="Preview").click()
        section = page.locator('section[aria-labelledby="preview"]')
        section.wait_for()
        assert section.get_attribute("lang") == "ur" and section.get_attribute("dir") == "rtl"
        assert page.get_by_role("heading", name="پیش نظارہ").is_visible()
        # "وصول کنندگان: N افراد۔": the count comes first, so it is drawn right of its noun.
        totals = page.locator("[data-totals]")
        people = totals.locator("bdi").first.inner_text()
        count = box(page, "[data-totals]", people)
        noun = box(page, "[data-totals]", "افراد")
        assert same_line(count, noun) and count["left"] >= noun["right"] - 1
        # The heading sits at the right edge of the section, as Urdu starts there.
        heading = page.get_by_role("heading", name="پیش نظارہ").bounding_box()
        area = section.bounding_box()
        assert heading["x"] + heading["width"] > area["x"] + area["width"] - 40
        # Language names are each in their own script, marked with their language.
        assert page.locator('th bdi[lang="pl"]', has_text="Polski").count() >= 1
        assert violations(page, WCAG_AA) == []
        screenshot(page, "broadcast-preview-in-urdu", area="console")
