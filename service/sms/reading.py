"""What a text asks for, read once per process for the short commands members send again and again.

Reading a text checks it for speak-up words, crisis phrases (every language, typos allowed)
and the command vocabulary: the same words always read the same way under the same keywords.
Only short texts that name a command are kept; anything else (a crisis, words nobody
understood, a command with words after it that matched nothing, a one-off reply number, a
text for speak-up) is read afresh each time and never kept, so the process holds no one's
own words.
"""

from __future__ import annotations

from service.keywords import REPLY_NUMBER_MIN, Parsed, parse
from service.speakup import sms as speakup_sms

# "JOIN CARERS AND MINDS" fits; free text rarely does.
KEPT_LENGTH = 32
KEPT_TEXTS = 1024
NEVER_KEPT = frozenset({"crisis", "unknown", "empty"})

_kept: dict[tuple[str, frozenset[str]], Parsed] = {}


def read(body: str, network_keywords: frozenset[str]) -> Parsed | None:
    """The command a text asks for under these keywords; None when it is for speak-up."""
    key = (body, network_keywords)
    parsed = _kept.get(key)
    if parsed is not None:
        return parsed
    if speakup_sms.is_speak_up(body):
        return None
    parsed = parse(body, network_keywords)
    if _may_keep(body, parsed):
        if len(_kept) >= KEPT_TEXTS:
            _kept.clear()  # old keyword sets' entries go too; the common words come back
        _kept[key] = parsed
    return parsed


def _may_keep(body: str, parsed: Parsed) -> bool:
    return (
        len(body) <= KEPT_LENGTH
        and parsed.kind not in NEVER_KEPT
        and not parsed.unknown_argument
        and (parsed.number is None or parsed.number < REPLY_NUMBER_MIN)
    )
