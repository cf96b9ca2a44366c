"""A translation that is missing is loud: every translated string reaches the people it is for."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_translations

from service import catalog_priorities, catalog_review, catalogs, create_app, languages
from service.cli import cli
from service.voice.prompts import PROMPTS

LOCALES = Path(__file__).resolve().parents[1] / "locales"
REVIEW_DOC = LOCALES.parent / "docs" / "translations.md"
OTHER = [code for code in languages.CODES if code != languages.DEFAULT]


def translated(code: str) -> dict[str, str]:
    """msgid -> msgstr for every string the language's .po file translates (not fuzzy)."""
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=code)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def spoken(translations, msgid):
    """What the app says for a msgid; for a plural, every form it says for counts 0 to 24."""
    if isinstance(msgid, tuple):
        # 0 to 24 reaches every form of the six catalogs (Romanian's third starts at 20).
        return {translations.ungettext(*msgid, n) for n in range(25)}
    return translations.ugettext(msgid)


@pytest.mark.parametrize("code", OTHER)
def test_the_app_speaks_every_string_the_po_file_translates(config, code):
    # A catalog not compiled, or compiled before the .po changed, falls back to English here.
    app = create_app(config)
    expected = translated(code)
    assert expected, f"{code}: the .po file translates nothing"
    with app.test_request_context(), force_locale(code):
        translations = get_translations()
        wrong = {
            msgid: spoken(translations, msgid)
            for msgid, msgstr in expected.items()
            if spoken(translations, msgid) != (set(msgstr) if isinstance(msgid, tuple) else msgstr)
        }
    assert not wrong, f"{code}: {len(wrong)} of {len(expected)} strings not as the .po says: " + (
        "; ".join(f"{k!r} -> {v!r}" for k, v in list(wrong.items())[:5])
    )


def test_the_catalogs_the_app_reads_are_the_packaged_ones(config):
    app = create_app(config)
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == catalogs.directory()
    for code in OTHER:
        assert (catalogs.directory() / code / "LC_MESSAGES" / "messages.mo").is_file(), code


def test_start_up_says_each_language_is_complete(config, caplog):
    catalogs.coverage.cache_clear()
    with caplog.at_level(logging.INFO, logger="service.catalogs"):
        create_app(config)
    lines = [r.getMessage() for r in caplog.records if r.name == "service.catalogs"]
    assert len(lines) == 1 and lines[0].startswith("translations complete:"), lines
    with (LOCALES / "messages.pot").open("rb") as source:
        total = len([m for m in read_po(source) if m.id])
    for code in OTHER:
        assert f"{code} {total}/{total}" in lines[0]


def test_start_up_warns_of_a_catalog_not_compiled_or_half_done(tmp_path, caplog):
    folder = tmp_path / "locales"
    shutil.copytree(catalogs.directory(), folder)
    (folder / "so" / "LC_MESSAGES" / "messages.mo").unlink()
    # Polish loses one translation: compiled again from a .po with one msgstr emptied.
    po = folder / "pl" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale="pl")
    next(m for m in catalog if m.id).string = ""
    from babel.messages.mofile import write_mo

    with (folder / "pl" / "LC_MESSAGES" / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    with caplog.at_level(logging.INFO, logger="service.catalogs"):
        catalogs.log_coverage(folder)
    (record,) = [r for r in caplog.records if r.name == "service.catalogs"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "(pl, so fall back to English)" in message
    total = len([m for m in catalog if m.id])
    assert f"pl {total - 1}/{total}" in message and f"so 0/{total} (not compiled)" in message
    assert f"ur {total}/{total}" in message


# Review status (docs/translations.md): which strings a native speaker must check first.
def test_the_priorities_file_is_what_the_sources_say_now():
    # A failure means a string or a rule changed: run `make translations` and commit.
    written = (LOCALES / catalog_review.PRIORITIES).read_text()
    assert written == catalog_priorities.render(LOCALES.parent)


def test_the_document_is_what_the_command_writes_now(app, tmp_path):
    # A failure means a catalog or a review file changed: run `make translations` and commit.
    section = catalog_review.render_status(
        catalog_review.statuses(catalogs.directory()), somali_prompts=len(PROMPTS)
    )
    doc = REVIEW_DOC.read_text()
    assert catalog_review.with_status(doc, section) == doc
    copy = tmp_path / "translations.md"
    copy.write_text(catalog_review.with_status(doc, "stale\n"))
    result = app.test_cli_runner().invoke(cli, ["translation-review", "--doc", str(copy)])
    assert result.exit_code == 0, result.output
    assert copy.read_text() == doc
