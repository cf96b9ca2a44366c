"""Which catalog strings a native speaker has reviewed, per language, crisis and consent first.

Two kinds of file in the shipped `locales` package hold it, and the console and
docs/translations.md both read them through `statuses()`:
- locales/priorities.toml: the crisis, consent and speak-up strings, keyed by the hash of the
  English (written by `frontline translation-review` from service/catalog_priorities.py);
- locales/<lang>/review.toml: one entry per string a native speaker has checked, holding the
  hash of the translation they read. Change the English or the translation and the hashes no
  longer match, so the string is awaiting review again: a review is of one exact text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from service import catalogs, languages

GROUPS = ("crisis", "consent", "speak-up", "other")  # review order
LABELS = {
    "crisis": "Crisis",
    "consent": "Consent",
    "speak-up": "Speak up",
    "other": "Everything else",
}
PRIORITIES = "priorities.toml"
REVIEW = "review.toml"


def key(msgid: str | tuple[str, ...] | list[str]) -> str:
    """The 16-hex-digit key of an English string (a plural's forms joined by NUL)."""
    text = msgid if isinstance(msgid, str) else "\0".join(msgid)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(msgstr: str | tuple[str, ...] | list[str]) -> str:
    """The 16-hex-digit hash of a translation, as the reviewer read it."""
    return key(msgstr)


@dataclass(frozen=True)
class Review:
    """A native speaker's check of one translation."""

    by: str
    on: dt.date


@dataclass(frozen=True)
class Entry:
    """One string of a language's catalog and its review status."""

    key: str
    english: str
    translation: str
    translation_hash: str  # what a review records, so it lapses if the translation changes
    group: str
    review: Review | None

    @property
    def reviewed(self) -> bool:
        """True when a native speaker checked this exact English and translation."""
        return self.review is not None


@dataclass(frozen=True)
class LanguageStatus:
    """A language's catalog: each string with its group and review, crisis strings first."""

    code: str
    entries: tuple[Entry, ...]

    @property
    def name(self) -> str:
        """The language's English name."""
        return languages.BY_CODE[self.code].english_name

    def count(self, group: str | None = None, *, reviewed: bool) -> int:
        """How many strings (of one group, or all) are reviewed, or awaiting review."""
        return sum(
            1
            for e in self.entries
            if e.reviewed == reviewed and (group is None or e.group == group)
        )

    def awaiting(self, group: str) -> tuple[Entry, ...]:
        """The strings of a group still awaiting a native speaker's review."""
        return tuple(e for e in self.entries if e.group == group and not e.reviewed)


def _load_toml(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as source:
        return tomllib.load(source)


def priority_groups(folder: Path | None = None) -> dict[str, str]:
    """Key of the English -> crisis, consent or speak-up (strings not listed are "other")."""
    data = _load_toml((folder or catalogs.directory()) / PRIORITIES)
    return {k: group for group in GROUPS[:-1] for k in data.get(group, {})}


def reviews(code: str, folder: Path | None = None) -> dict[str, tuple[str, Review]]:
    """Key of the English -> (hash of the translation reviewed, the review) for a language."""
    data = _load_toml((folder or catalogs.directory()) / code / REVIEW)
    return {
        k: (str(v["translation"]), Review(by=str(v["by"]), on=v["on"]))
        for k, v in data.get("reviewed", {}).items()
    }


def _text(value: str | tuple[str, ...] | list[str]) -> str:
    return value if isinstance(value, str) else " | ".join(value)


def status(code: str, folder: Path | None = None) -> LanguageStatus:
    """One language's review status, read from its .po file and the review files."""
    folder = folder or catalogs.directory()
    groups = priority_groups(folder)
    done = reviews(code, folder)
    with (folder / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=code)
    entries = []
    for message in catalog:
        if not message.id:
            continue
        k = key(message.id)
        record = done.get(k)
        translation_hash = fingerprint(message.string)
        current = record is not None and record[0] == translation_hash
        entries.append(
            Entry(
                key=k,
                english=_text(message.id),
                translation=_text(message.string),
                translation_hash=translation_hash,
                group=groups.get(k, "other"),
                review=record[1] if current else None,
            )
        )
    entries.sort(key=lambda e: (GROUPS.index(e.group), e.english))
    return LanguageStatus(code=code, entries=tuple(entries))


@cache
def statuses(folder: Path | None = None) -> tuple[LanguageStatus, ...]:
    """Every translated language's review status, in the order the service lists languages."""
    return tuple(status(code, folder) for code in languages.CODES if code != languages.DEFAULT)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_status(found: tuple[LanguageStatus, ...], *, somali_prompts: int) -> str:
    """The generated part of docs/translations.md: counts, then each priority string's status."""
    codes = [s.code for s in found]
    lines = [
        "| language | "
        + " | ".join(f"{LABELS[g].lower()} awaiting" for g in GROUPS)
        + " | reviewed |",
        "|---|" + "---:|" * (len(GROUPS) + 1),
    ]
    for s in found:
        lines.append(
            f"| {s.name} ({s.code}) | "
            + " | ".join(str(s.count(g, reviewed=False)) for g in GROUPS)
            + f" | {s.count(reviewed=True)} of {len(s.entries)} |"
        )
    lines += [
        "",
        f"Somali has no text-to-speech voice: the phone line plays a recording of each of its "
        f"{somali_prompts} prompts (FRONTLINE_VOICE_RECORDINGS_URL/so/<prompt id>.mp3), and "
        "none has been recorded. A native Somali speaker must record them, from the reviewed "
        "Somali text, before Somali callers hear Somali; until then they hear English.",
    ]
    by_code = {s.code: {e.key: e for e in s.entries} for s in found}
    for group in GROUPS[:-1]:
        keys = [e.key for e in found[0].entries if e.group == group] if found else []
        lines += [
            "",
            f"### {LABELS[group]} ({len(keys)} strings)",
            "",
            "| key | English | " + " | ".join(codes) + " |",
            "|---|---|" + "---|" * len(codes),
        ]
        for k in keys:
            marks = []
            for code in codes:
                entry = by_code[code].get(k)
                review = entry.review if entry else None
                marks.append(f"reviewed {review.on.isoformat()}" if review else "awaiting")
            english = by_code[codes[0]][k].english
            lines.append(f"| `{k}` | {_cell(english)} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"


START, END = (
    "<!-- review-status: written by `frontline translation-review` -->",
    "<!-- /review-status -->",
)


def with_status(doc: str, section: str) -> str:
    """The document with its generated review-status part replaced by this one."""
    before, found, rest = doc.partition(START)
    _old, closed, after = rest.partition(END)
    if not (found and closed):
        raise ValueError(f"the document has no {START} ... {END} part")
    return f"{before}{START}\n{section}{END}{after}"
