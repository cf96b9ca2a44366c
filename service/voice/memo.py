"""Menu steps' answers kept per process: the TwiML of a step that reads only published content.

Most steps of a call read a menu or a list of groups out: the same words for every caller at
that point of the flow, in that language, until a manager publishes. Such an answer is kept as
bytes under the organisation's content version (as service.content.queries keeps content) and
the step's request (its signed state, the key pressed), beside the values of whatever else it
turned on (LineBase.depends: a condition such as an open survey, whether the proved caller
chose discreet names). A later step is answered from it only when those values, asked afresh,
are the same: what the engine would have done, without doing it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

from flask import Flask

# Kept answers per organisation and version, at most this many requests' worth: past it the
# organisation's entry starts again. A call's usual steps are a few dozen keys (menus by
# language and key); at ~3 KB an answer this bounds an organisation's share to a few MB of a
# web process's RSS (issue 20 item 7), whatever keys callers press.
MAX_KEYS = 1024
EXTENSION = "voice.memo"

# (names asked, in order; their values; the answer)
Variant = tuple[tuple[Hashable, ...], tuple[Hashable, ...], bytes]


class StepMemo:
    """Answers of memoable steps: {organisation id: (content version, {request key: variants})}."""

    def __init__(self) -> None:
        self._orgs: dict[int, tuple[int, dict[Hashable, list[Variant]]]] = {}

    def _steps(self, organisation_id: int, version: int) -> dict[Hashable, list[Variant]]:
        entry = self._orgs.get(organisation_id)
        if entry is None or entry[0] != version or len(entry[1]) >= MAX_KEYS:
            entry = (version, {})
            self._orgs[organisation_id] = entry
        return entry[1]

    def lookup(
        self,
        organisation_id: int,
        version: int,
        key: Hashable,
        dependency: Callable[[Hashable], Hashable],
    ) -> bytes | None:
        """The kept answer whose dependencies have the same values now, else None."""
        entry = self._orgs.get(organisation_id)
        if entry is None or entry[0] != version:
            return None
        variants = entry[1].get(key)
        if not variants:
            return None
        asked: dict[Hashable, Hashable] = {}
        for names, values, body in variants:
            for name, value in zip(names, values, strict=True):
                if name not in asked:
                    asked[name] = dependency(name)
                if asked[name] != value:
                    break
            else:
                return body
        return None

    def keep(
        self,
        organisation_id: int,
        version: int,
        key: Hashable,
        depends: Mapping[Hashable, Hashable],
        body: bytes,
    ) -> None:
        """Keep an answer that turned on the content, the key and `depends` alone."""
        variants = self._steps(organisation_id, version).setdefault(key, [])
        variant = (tuple(depends), tuple(depends.values()), body)
        if variant[:2] not in [v[:2] for v in variants]:
            variants.append(variant)


def memo_of(app: Flask) -> StepMemo:
    """The app's memo (one per app, so tests' apps never share answers)."""
    memo = app.extensions.get(EXTENSION)
    if memo is None:
        memo = app.extensions[EXTENSION] = StepMemo()
    return memo
