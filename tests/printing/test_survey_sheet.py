"""A survey's paper sheet in the noticeboard pack: tick boxes, the return box, a QR, the word.

Read back from the PDF (pypdf), rendered to PNG to be looked at, and the QR decoded with
zbarimg from the rendered page.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from service.db import utcnow
from service.printing.operations import build_pack, find_site
from service.surveys import operations as surveys
from tests.support.browser import ARTIFACTS
from tests.support.printing import page_texts, render_pngs
from tests.support.settings import PUBLIC_URL
from tests.support.surveys import create_survey

RETURN_TO = "the blue box by the canteen door"
POLISH = {
    "title": "Ankieta nastrojów",
    "intro": "Cztery krótkie pytania.",
    "return_to": "niebieska skrzynka przy drzwiach stołówki",
}
URDU_RETURN = "کینٹین کے دروازے کے پاس نیلا ڈبہ"


def _qr(path: Path, page: int, folder: Path) -> list[str]:
    """What zbarimg reads from one page rendered at 150 dpi."""
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"qr-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(png),
        ],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{png}.png"], capture_output=True, text=True
    )
    return found.stdout.split()


def _sheet_pages(pages: list[str], marker: str) -> list[int]:
    return [n for n, text in enumerate(pages, start=1) if marker in text]


def _office_page(pages: list[str], language: str) -> int:
    """The page with a sheet's foot: where it goes back, the QR and the office's box."""
    [found] = [n for n, text in enumerate(pages, start=1) if f"{language} · " in text]
    return found


def open_pulse(session, org, **fields):
    survey = create_survey(session, org, opened=False, **fields)
    survey.return_to = RETURN_TO
    surveys.translate(session, survey, "title", "pl", POLISH["title"])
    surveys.translate(session, survey, "intro", "pl", POLISH["intro"])
    surveys.translate(session, survey, "return_to", "pl", POLISH["return_to"])
    surveys.translate(session, survey, "return_to", "ur", URDU_RETURN)
    surveys.translate(session, survey.questions[0], "options", "pl", "Autobus\nSamochód\nPieszo")
    surveys.open_survey(session, survey, utcnow())
    session.flush()
    return survey


def test_an_open_survey_gets_a_sheet_per_language_with_boxes_return_box_word_and_qr(
    app, demo, session, tmp_path
):
    survey = open_pulse(session, demo, audience="open")
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, ("en", "pl", "ur"), public_url=PUBLIC_URL, now=utcnow())
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    pages = page_texts(path)
    folder = ARTIFACTS / "survey-sheet"
    render_pngs(path, folder)
    (folder / "pack.pdf").write_bytes(pack.pdf)

    english = _office_page(pages, "en")
    text = pages[english - 1]
    assert "Have your say" in text
    assert "Four quick questions." in text
    assert "1. How do you get to work?" in text
    assert "Bus" in text and "Car" in text and "Walk" in text
    assert "Prefer not to say" in text
    assert "1 is low, 5 is high." in text
    assert "Yes" in text and "No" in text
    assert f"put it in the return box: {RETURN_TO}" in text
    assert "Or text PULSE to" in text
    assert "For the office: sheet number" in text
    assert f"en · {site.name}" in text
    assert _qr(path, english, folder) == [f"{PUBLIC_URL}/o/{demo.slug}/survey/{survey.id}"]

    polish = _office_page(pages, "pl")
    text = pages[polish - 1]
    assert POLISH["title"] in text
    assert "Autobus" in text and "Pieszo" in text
    assert POLISH["return_to"] in text
    assert "Wolę nie odpowiadać" in text or "Prefer not to say" not in text
    assert _qr(path, polish, folder) == [f"{PUBLIC_URL}/o/{demo.slug}/survey/{survey.id}"]

    # Urdu, set right to left (Nastaliq's tall lines take a second page): the QR still reads.
    urdu = _office_page(pages, "ur")
    assert "PULSE" in pages[urdu - 1]
    assert _qr(path, urdu, folder) == [f"{PUBLIC_URL}/o/{demo.slug}/survey/{survey.id}"]


def test_a_survey_for_everyone_opted_in_is_answered_by_a_text_from_its_qr(
    app, demo, session, tmp_path
):
    open_pulse(session, demo)  # audience: everyone opted in, no public page
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, ("en",), public_url=PUBLIC_URL, now=utcnow())
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    pages = page_texts(path)
    [page] = _sheet_pages(pages, "Pulse survey")
    number = next(n.e164 for n in demo.numbers if n.sms)
    assert _qr(path, page, tmp_path) == [f"SMSTO:{number}:PULSE"]


def test_no_sheet_for_a_network_survey_an_attributable_one_or_another_sites(
    app, demo, session, tmp_path
):
    from service.content.models import Network
    from service.organisations.models import Site

    network = session.scalars(select(Network).where(Network.organisation_id == demo.id)).first()
    others = session.scalars(
        select(Site).where(Site.organisation_id == demo.id, Site.slug != "eastfield-depot")
    ).first()
    open_pulse(
        session,
        demo,
        keyword="NETS",
        title="Network only",
        audience="networks",
        network_ids=[network.id],
    )
    open_pulse(session, demo, keyword="WHEN", title="Which evening", mode="attributable")
    open_pulse(
        session, demo, keyword="OTHER", title="Other site", audience="sites", site_ids=[others.id]
    )
    here = open_pulse(
        session,
        demo,
        keyword="HERE",
        title="This depot",
        audience="sites",
        site_ids=[find_site(session, "eastfield-depot", demo.id).id],
    )
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, ("en",), public_url=PUBLIC_URL, now=utcnow())
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    everything = "\n".join(page_texts(path))
    assert here.title in everything
    for title in ("Network only", "Which evening", "Other site"):
        assert title not in everything
