"""Review status is data: which strings come first, which a native speaker has checked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from babel.messages.pofile import read_po

from service import catalog_priorities, catalog_review, catalogs
from service.voice.prompts import PROMPTS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "translations.md"


def pot_msgids() -> list:
    with (ROOT / "locales" / "messages.pot").open("rb") as source:
        return [m.id for m in read_po(source) if m.id]


def test_every_rule_still_finds_the_code_it_names():
    # A rule that finds nothing has lost its file or function (moved, renamed).
    unused = set(catalog_priorities.RULES) - catalog_priorities.rules_used(ROOT)
    assert not unused, unused


def test_every_string_that_sends_someone_to_999_is_a_crisis_string():
    groups = catalog_review.priority_groups(ROOT / "locales")
    danger = [m for m in pot_msgids() if "999" in (m if isinstance(m, str) else " ".join(m))]
    assert len(danger) >= 3
    assert {groups.get(catalog_review.key(m)) for m in danger} == {"crisis"}


def test_every_speak_up_string_comes_before_everything_else():
    groups = catalog_review.priority_groups(ROOT / "locales")
    speakup = {
        msgid
        for file, _scope, msgid in catalog_priorities.located(ROOT)
        if file.startswith(("service/speakup/", "kiosk/templates/kiosk/speak_up"))
    }
    assert len(speakup) >= 20
    assert {groups[catalog_review.key(m)] for m in speakup} <= {"crisis", "speak-up"}


def test_the_priority_groups_are_strings_the_catalogs_hold():
    keys = {catalog_review.key(m) for m in pot_msgids()}
    groups = catalog_review.priority_groups(ROOT / "locales")
    assert groups and set(groups) <= keys
    for code_status in catalog_review.statuses(ROOT / "locales"):
        listed = [e.group for e in code_status.entries]
        # Crisis, consent and speak-up strings come first, in that order.
        assert listed == sorted(listed, key=catalog_review.GROUPS.index), code_status.code
        for group in catalog_review.GROUPS[:-1]:
            assert code_status.count(group, reviewed=False) + code_status.count(
                group, reviewed=True
            ) == sum(1 for g in groups.values() if g == group)


def test_the_document_says_somali_needs_recordings_and_how_many():
    doc = DOC.read_text()
    assert f"each of its {len(PROMPTS)} prompts" in doc
    assert "A native Somali speaker must record them" in doc


def test_a_review_holds_only_for_the_exact_text_reviewed(tmp_path):
    folder = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", folder, ignore=shutil.ignore_patterns("*.mo", "*.py"))
    before = catalog_review.status("pl", folder)
    crisis = before.awaiting("crisis")
    first, second = crisis[0], crisis[1]
    (folder / "pl" / catalog_review.REVIEW).write_text(
        "[reviewed]\n"
        f'{first.key} = {{ translation = "{first.translation_hash}", by = "AK", '
        "on = 2026-12-01 }\n"
        # Reviewed before the translation changed: the hash no longer matches.
        f'{second.key} = {{ translation = "0000000000000000", by = "AK", on = 2026-12-01 }}\n'
    )
    after = catalog_review.status("pl", folder)
    assert after.count("crisis", reviewed=True) == 1
    assert after.count("crisis", reviewed=False) == before.count("crisis", reviewed=False) - 1
    reviewed = next(e for e in after.entries if e.key == first.key)
    assert reviewed.review == catalog_review.Review(by="AK", on=dt.date(2026, 12, 1))
    assert second.key in {e.key for e in after.awaiting("crisis")}
    # Another language is untouched by a Polish review.
    assert catalog_review.status("ro", folder).count(reviewed=True) == 0


def test_the_review_files_ship_in_the_package():
    # pyproject's package-data: without these the installed console would count nothing.
    text = (ROOT / "pyproject.toml").read_text()
    assert '"priorities.toml"' in text and '"*/review.toml"' in text
    for code_status in catalog_review.statuses(catalogs.directory()):
        assert (catalogs.directory() / code_status.code / catalog_review.REVIEW).is_file()


def test_the_equality_questions_consent_is_reviewed_with_the_consent_strings():
    # Issue 21's equality monitoring asks its own consent: what the answers are for, that they
    # stay anonymous and that "no" skips them, on every channel. A native speaker checks those
    # words with the other consent strings, before everything else.
    from service.surveys import monitoring

    groups = catalog_review.priority_groups(ROOT / "locales")
    asked = [
        monitoring.CONSENT_PREFACE,  # by text, on the phone, on screens and paper
        monitoring.CONSENT_QUESTION,
        monitoring.CONSENT_PAPER_NOTE,
        "Yes, I will answer them",  # the kiosk's and public page's buttons
        "No, skip them all",
    ]
    assert {m: groups.get(catalog_review.key(m)) for m in asked} == dict.fromkeys(asked, "consent")
    # The equality questions themselves are not consent strings.
    assert groups.get(catalog_review.key(monitoring.BY_KEY["age"].text)) is None
