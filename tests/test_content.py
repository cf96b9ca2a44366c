"""Writing content: validation at write time, keyword clashes, translations with fallback."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.content import notices, operations, queries
from service.content.models import Event, Network, NetworkKeyword
from service.errors import InvalidPhoneNumber, InvalidRecurrence, KeywordClash, ValidationError
from tests.support import factories


def test_a_keyword_cannot_name_two_networks_in_any_language(session) -> None:
    org = factories.create_organisation(session)
    factories.create_network(session, org=org, keywords={"en": ["CARERS"], "pl": ["OPIEKUŃ"]})
    with pytest.raises(KeywordClash, match="OPIEKUN"):
        factories.create_network(session, org=org, slug="other", keywords={"ro": ["opiekun"]})
    with pytest.raises(KeywordClash, match="CARERS"):
        factories.create_network(session, org=org, slug="other", keywords={"so": ["Carers"]})


def test_a_refused_network_leaves_nothing_half_written(session) -> None:
    org = factories.create_organisation(session)
    factories.create_network(session, org=org, keywords={"en": ["CARERS"]})
    before = session.scalar(select(func.count()).select_from(Network))
    with pytest.raises(KeywordClash):
        factories.create_network(session, org=org, slug="dup", keywords={"en": ["CARERS"]})
    assert session.scalar(select(func.count()).select_from(Network)) == before
    assert session.scalar(select(func.count()).select_from(NetworkKeyword)) == 1


def test_keywords_may_repeat_across_organisations(session) -> None:
    one = factories.create_organisation(session)
    two = factories.create_organisation(session)
    factories.create_network(session, org=one, keywords={"en": ["CARERS"]})
    factories.create_network(session, org=two, keywords={"en": ["CARERS"]})


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ({"en": ["STOP"]}, "command word"),
        ({"en": ["JOIN"]}, "command word"),
        ({"pl": ["DOŁĄCZ"]}, "command word"),  # Polish JOIN
        ({"so": ["SOOMAALI"]}, "command word"),  # a language name
        ({"en": ["UNALIV"]}, "crisis word"),  # a near miss of UNALIVE: JOIN UNALIV is crisis
        ({"en": ["TWO WORDS"]}, "one word"),
        ({"en": ["X"]}, "one word"),
        ({"xx": ["WORD"]}, "not a supported language"),
        ({"en": []}, "at least one keyword"),
    ],
)
def test_bad_keywords_are_refused(session, words, message) -> None:
    org = factories.create_organisation(session)
    with pytest.raises(ValidationError, match=message):
        factories.create_network(session, org=org, keywords=words)


def test_non_latin_keywords_are_accepted(session) -> None:
    org = factories.create_organisation(session)
    network = factories.create_network(
        session, org=org, keywords={"en": ["CAREERS"], "pa": ["ਕਰੀਅਰ"], "ur": ["کیریئر"]}
    )
    assert sorted(k.language for k in network.keywords) == ["en", "pa", "ur"]


def test_empty_required_text_is_refused(session) -> None:
    org = factories.create_organisation(session)
    with pytest.raises(ValidationError, match="name: must not be empty"):
        operations.create_network(
            session, org, slug="x", name="   ", short_description="x", keywords={"en": ["XX"]}
        )
    with pytest.raises(ValidationError, match="discreet name"):
        operations.create_network(
            session,
            org,
            slug="x",
            name="X",
            short_description="x",
            keywords={"en": ["XX"]},
            sensitive=True,
        )


START = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("change", "refusal", "message"),
    [
        ({"rrule": "FREQ=SOMETIMES"}, InvalidRecurrence, None),
        ({"ends_at": START}, ValidationError, "end after it starts"),
        ({"dial_in_number": "07700 900123"}, InvalidPhoneNumber, None),
    ],
)
def test_events_refuse_bad_rules_times_and_numbers(session, change, refusal, message) -> None:
    org = factories.create_organisation(session)
    fields = {"title": "T", "starts_at": START, "ends_at": START + dt.timedelta(hours=1)}
    with pytest.raises(refusal, match=message):
        operations.create_event(session, org, **(fields | change))
    assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_translation_falls_back_to_english_per_field(session) -> None:
    org = factories.create_organisation(session)
    network = factories.create_network(session, org=org, name="Carers Network")
    operations.set_translation(session, network, "name", "pl", "Sieć opiekunów")
    [polish] = queries.networks(session, org.id, "pl")
    assert polish.name == "Sieć opiekunów"
    assert polish.short_description == "A network for testing."  # no Polish text: English
    [somali] = queries.networks(session, org.id, "so")
    assert somali.name == "Carers Network"
    operations.set_translation(session, network, "name", "pl", "")
    assert queries.networks(session, org.id, "pl")[0].name == "Carers Network"


def test_translations_are_refused_for_unknown_fields_and_english(session) -> None:
    org = factories.create_organisation(session)
    network = factories.create_network(session, org=org)
    with pytest.raises(ValidationError, match="no translatable 'slug'"):
        operations.set_translation(session, network, "slug", "pl", "x")
    with pytest.raises(ValidationError, match="source text"):
        operations.set_translation(session, network, "name", "en", "x")


def test_discreet_name_is_used_only_when_discretion_applies(session) -> None:
    org = factories.create_organisation(session)
    factories.create_network(
        session, org=org, name="LGBT+ Network", sensitive=True, discreet_name="Thursday group"
    )
    [view] = queries.networks(session, org.id, "en")
    assert view.display_name(discreet=True) == "Thursday group"
    assert view.display_name(discreet=False) == "LGBT+ Network"


def test_sub_groups_follow_their_parent(session) -> None:
    org = factories.create_organisation(session)
    carers = factories.create_network(session, org=org, name="Carers")
    factories.create_network(session, org=org, name="Families", parent=carers)
    factories.create_network(session, org=org, name="Careers")
    assert [n.name for n in queries.networks(session, org.id, "en")] == [
        "Careers",
        "Carers",
        "Families",
    ]


def test_support_lines_put_crisis_lines_first(session) -> None:
    org = factories.create_organisation(session)
    factories.create_support_line(session, org=org, name="Advice", position=0)
    factories.create_support_line(
        session, org=org, name="Samaritans", phone="116 123", crisis=True, position=9
    )
    lines = queries.support_lines(session, org.id, "en")
    assert [(line.name, line.phone) for line in lines] == [
        ("Samaritans", "116123"),
        ("Advice", "+448081570123"),
    ]


def test_announcements_are_live_only_inside_their_window(session) -> None:
    org = factories.create_organisation(session)
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    notices.create_announcement(
        session,
        org,
        body="Now",
        publish_from=now - dt.timedelta(days=1),
        publish_until=now + dt.timedelta(days=1),
    )
    notices.create_announcement(session, org, body="Later", publish_from=now + dt.timedelta(days=1))
    notices.create_announcement(
        session,
        org,
        body="Over",
        publish_from=now - dt.timedelta(days=9),
        publish_until=now - dt.timedelta(days=1),
    )
    live = queries.live_announcements(session, org.id, now=now, language="en")
    assert [a.body for a in live] == ["Now"]


def test_occurrences_are_filtered_by_network_and_resolved_to_language(session) -> None:
    org = factories.create_organisation(session)
    one = factories.create_network(session, org=org)
    two = factories.create_network(session, org=org)
    event = factories.create_event(session, org=org, network=one, rrule="FREQ=WEEKLY;BYDAY=FR")
    factories.create_event(session, org=org, network=two, rrule="FREQ=WEEKLY;BYDAY=MO")
    operations.set_translation(session, event, "title", "pl", "Herbatka i rozmowa")
    start = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    found = queries.upcoming_occurrences(
        session,
        org.id,
        start=start,
        end=start + dt.timedelta(days=14),
        language="pl",
        network_ids=[one.id],
    )
    assert [(o.title, o.local_start.strftime("%a %d %H:%M")) for o in found] == [
        ("Herbatka i rozmowa", "Fri 13 12:30"),
        ("Herbatka i rozmowa", "Fri 20 12:30"),
    ]


def test_a_window_picked_from_its_days_cached_block_equals_its_own_expansion(session) -> None:
    # Windows inside a day's block are picked from it; one reaching past the block is
    # expanded by itself, so it is the reference the picks are compared with.
    org = factories.create_organisation(session)
    one = factories.create_network(session, org=org)
    two = factories.create_network(session, org=org)
    factories.create_event(session, org=org, network=one, rrule="FREQ=WEEKLY;BYDAY=FR,WE")
    factories.create_event(
        session,
        org=org,
        network=two,
        title="Evening",
        minutes=600,
        local_start=dt.datetime(2026, 3, 2, 21, 0),
        rrule="FREQ=DAILY",
    )
    factories.create_event(session, org=org, title="Once", local_start=dt.datetime(2026, 3, 30, 9))
    factories.create_event(
        session, org=org, network=one, title="Monthly", rrule="FREQ=MONTHLY;BYDAY=-1MO"
    )
    for start in (
        dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 20, 23, 59, tzinfo=dt.UTC),  # the clocks go forward in its window
        dt.datetime(2026, 3, 30, 9, 30, tzinfo=dt.UTC),  # during the one-off, and the daily
        dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC),  # the one-off ends right at this start
        dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC),  # and starts right at this window's end
    ):
        for network_ids in (None, [one.id], [two.id], []):
            end = start + dt.timedelta(days=21)
            whole = queries.upcoming_occurrences(
                session,
                org.id,
                start=start,
                end=start + dt.timedelta(days=60),
                language="en",
                network_ids=network_ids,
            )
            expected = [o for o in whole if o.starts_at < end and o.ends_at > start]
            picked = queries.upcoming_occurrences(
                session, org.id, start=start, end=end, language="en", network_ids=network_ids
            )
            assert picked == expected and (bool(expected) or network_ids == [])
            limited = queries.upcoming_occurrences(
                session,
                org.id,
                start=start,
                end=end,
                language="en",
                network_ids=network_ids,
                limit=3,
            )
            assert limited == expected[:3]


def test_an_organisation_number_belongs_to_one_organisation(session) -> None:
    factories.create_organisation(session, numbers=("+441134960999",))
    with pytest.raises(ValidationError, match="already belongs"):
        factories.create_organisation(session, numbers=("0113 496 0999",))


@pytest.mark.parametrize("word", ["12", "HO", "MNIE", "TE"])
def test_words_the_parser_cannot_read_as_a_keyword_are_refused(session, demo, word):
    # JOIN 12 picks item 12 of a list; SHAMIL HO and ZAPISZ MNIE are whole JOIN phrases.
    with pytest.raises(ValidationError):
        operations.create_network(
            session,
            demo,
            slug="quiet",
            name="Quiet",
            short_description="A quiet group",
            keywords={"en": [word]},
        )
