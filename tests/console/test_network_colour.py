"""A network's poster colour, set in the console and checked for contrast before it is saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.content.colours import PALETTE
from service.content.models import Network
from tests.support.console import page_text


@pytest.fixture
def lead(console, managers):
    """The Minds Matter lead, signed in."""
    console.sign_in(managers["network_lead"].email, managers["network_lead"].totp_secret)
    return console


def minds(session) -> Network:
    return session.scalar(select(Network).where(Network.slug == "minds"))


def form_for(network: Network, **changes) -> dict:
    return {
        "name": network.name,
        "short_description": network.short_description,
        "long_description": network.long_description,
        "sensitive": "y",
        "discreet_name": network.discreet_name,
        "keywords_en": " ".join(k.word for k in network.keywords if k.language == "en"),
        **changes,
    }


def test_a_lead_sets_a_dark_colour_and_the_page_shows_white_text_on_it(lead, session):
    network = minds(session)
    saved = lead.post(f"/console/content/network/{network.id}", form_for(network, colour="#4e342e"))
    assert saved.status_code == 302
    session.expire_all()
    assert minds(session).colour == "#4E342E"
    page = lead.get(f"/console/content/network/{network.id}")
    html = page.get_data(as_text=True)
    assert 'type="color"' in html and 'value="#4E342E"' in html
    assert ".poster-band{background:#4E342E;color:#FFFFFF" in html
    assert "white text, contrast 11.3:1 in colour and 11.2:1 printed in grey" in page_text(page)


def test_a_colour_that_prints_as_a_mid_grey_is_refused_and_nothing_changes(lead, session):
    network = minds(session)
    before = network.colour
    refused = lead.post(
        f"/console/content/network/{network.id}", form_for(network, colour="#ff0000")
    )
    assert refused.status_code == 400
    text = page_text(refused)
    assert "#FF0000 is too mid-toned for poster text" in text
    assert "printed in grey" in text and "choose a darker or a lighter shade" in text
    session.expire_all()
    assert minds(session).colour == before


def test_a_new_network_is_offered_the_palettes_next_unused_colour(console, managers, session):
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    used = set(session.scalars(select(Network.colour)))
    html = console.get("/console/content/networks/new").get_data(as_text=True)
    offered = re.search(r'<input[^>]*type="color"[^>]*value="(#[0-9A-F]{6})"', html)
    assert offered, html
    assert offered.group(1) == next(c for c in PALETTE if c not in used)
