"""The console's Translations pages: review status per language, priority groups first."""

from __future__ import annotations

import re

from service import catalog_review


def signed_in(console, managers, role="admin"):
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    return console


def test_the_overview_counts_each_language_and_group_as_the_files_say(console, managers):
    page = signed_in(console, managers).get("/console/translations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/console/translations"' in html  # in the menu
    headings = re.findall(r'<th scope="col">([^<]+): awaiting review</th>', html)
    assert headings == [catalog_review.LABELS[g] for g in catalog_review.GROUPS]
    for status in catalog_review.statuses():
        row = re.search(rf">{status.name}</a></th>(.*?)</tr>", html, re.S)
        assert row, status.name
        cells = re.findall(r"<td>([^<]+)</td>", row.group(1))
        expected = [str(status.count(g, reviewed=False)) for g in catalog_review.GROUPS]
        assert cells == [*expected, f"{status.count(reviewed=True)} of {len(status.entries)}"]
        assert int(cells[0]) > 0  # crisis strings await a native speaker in every language
    assert "A native Somali speaker must record them" in html


def test_a_language_page_lists_crisis_then_consent_then_speak_up_strings(console, managers):
    page = signed_in(console, managers, "network_lead").get("/console/translations/so")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    headings = re.findall(r'<h2 id="group-([a-z-]+)">', html)
    assert headings == list(catalog_review.GROUPS)
    status = next(s for s in catalog_review.statuses() if s.code == "so")
    crisis = status.awaiting("crisis")[0]
    # The key and the translation's hash a reviewer records, beside the English and Somali.
    at = html.index(f"<code>{crisis.key}</code>")
    assert html.index('id="group-crisis"') < at < html.index('id="group-consent"')
    assert f"<code>{crisis.translation_hash}</code>" in html
    assert 'id="somali-recordings"' in html


def test_only_somali_asks_for_recordings(console, managers):
    html = signed_in(console, managers).get("/console/translations/pl").get_data(as_text=True)
    assert 'id="group-crisis"' in html and 'id="somali-recordings"' not in html


def test_english_and_unknown_languages_have_no_review_page(console, managers):
    signed_in(console, managers)
    assert console.get("/console/translations/en").status_code == 404
    assert console.get("/console/translations/xx").status_code == 404


def test_the_demo_contents_review_status_shows_beside_the_catalogs(console, managers, session):
    from sqlalchemy import func, select

    from service.content.models import Event, Translation

    admin = signed_in(console, managers)
    # The demo's content was written by the team: every field it translated awaits a review.
    polish = session.scalar(
        select(func.count()).select_from(Translation).where(Translation.language == "pl")
    )
    assert polish > 20
    name = next(s.name for s in catalog_review.statuses() if s.code == "pl")
    counted = rf">{name}</a></th><td>(\d+)</td><td>(\d+) of (\d+)</td></tr>"
    html = admin.get("/console/translations").get_data(as_text=True)
    assert 'id="content-review"' in html
    row = re.search(counted, html)
    assert row and row.groups() == (str(polish), "0", str(polish)), row
    # A field ticked Reviewed on its item's page counts as reviewed on both pages.
    cuppa = session.scalar(select(Event.id).where(Event.title == "Cuppa and chat"))
    page = f"/console/content/event/{cuppa}/translations/pl"
    title = session.scalar(
        select(Translation.text).where(
            Translation.owner_table == "event",
            Translation.owner_id == cuppa,
            Translation.language == "pl",
            Translation.field == "title",
        )
    )
    kept = {
        f"text-{t.field}": t.text
        for t in session.scalars(
            select(Translation).where(
                Translation.owner_table == "event",
                Translation.owner_id == cuppa,
                Translation.language == "pl",
            )
        )
    }
    assert (
        admin.post(page, {**kept, "text-title": title, "reviewed-title": "on"}).status_code == 302
    )
    html = admin.get("/console/translations").get_data(as_text=True)
    row = re.search(counted, html)
    assert row.groups() == (str(polish - 1), "1", str(polish))
    language = admin.get("/console/translations/pl").get_data(as_text=True)
    section = language[language.index('id="content-review"') :]
    assert f"{polish - 1} fields awaiting review, 1 reviewed" in section
    assert f'href="{page}"' in section  # each item's page, where the ticks are
    assert "Place" in section and "Title" in section  # the title's place is still awaiting
