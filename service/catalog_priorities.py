"""Which translatable strings a native speaker must review first, found from where they are written.

A string's priority group follows from the code that says it: the crisis reply, the consent
question for a private group, anything in speak-up. The rules are a table here, not a list of
strings, so a reworded string keeps its group; `frontline translation-review` (run by
`make translations`) writes the result to locales/priorities.toml, which the package ships.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_dir

from service.catalog_review import key

# Review order. "other" is everything no rule names.
GROUPS = ("crisis", "consent", "speak-up", "other")
LABELS = {
    "crisis": "Crisis: danger, 999 and the crisis line",
    "consent": "Consent: what joining a private group shows, what is kept, leaving, erasure",
    "speak-up": "Speak up: raising a concern without a name, case codes, the guardian",
    "other": "Everything else",
}

# (group, file pattern from the project root, scope pattern). A Python string's scope is the
# function it is in, the key of the module-level dict holding it (voice prompts), or the
# module-level name it is assigned to (strings marked with N_ and translated where shown); a
# template's is the condition of the innermost {% if %} around it. The first group that
# matches wins, so a 999 line on the speak-up page is a crisis string.
RULES: tuple[tuple[str, str, str], ...] = (
    ("crisis", "service/*/replies.py", "crisis"),
    ("consent", "service/*/membership_commands.py", "_consent_question"),
    ("consent", "service/*/membership_commands.py", "_join_with_consent"),
    ("consent", "service/*/membership_commands.py", "_on_discreet"),
    ("consent", "service/*/membership_commands.py", "_on_name"),
    ("consent", "service/*/conversation.py", "_on_forget_me"),
    ("consent", "service/*/conversation.py", "_forget"),
    ("consent", "service/voice/*.py", "_do_join_network"),
    ("consent", "service/verification/messages.py", "reply_to_join"),
    ("consent", "service/verification/messages.py", "_private_join_question"),
    ("consent", "service/templates/_flow.html", "sensitive"),
    # A survey's equality questions are asked only after their own consent question.
    ("consent", "service/surveys/monitoring.py", "CONSENT_*"),
    ("consent", "kiosk/templates/kiosk/_survey_screens.html", "*monitoring*"),
    ("speak-up", "service/speakup/*.py", "*"),
    ("speak-up", "service/voice/speakup.py", "*"),
    ("speak-up", "service/voice/prompts.py", "speakup_*"),
    ("speak-up", "kiosk/speakup.py", "*"),
    ("speak-up", "kiosk/templates/kiosk/speak_up.html", "*"),
)
# Wherever it is written, a string that sends someone to 999 is a crisis string.
CRISIS_WORDS = ("999",)

SOURCES = ("service", "kiosk", "print_templates")  # as `make translations` extracts them
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
_TAG = re.compile(r"{%-?\s*(if|endif|for|endfor|macro|endmacro)\b(.*?)-?%}")


def _python_scopes(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of every function and module-level dict entry."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            spans.append((node.lineno, node.end_lineno or node.lineno, node.name))
    for node in tree.body:
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                spans.append((node.lineno, node.end_lineno or node.lineno, target.id))
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    spans.append((item.lineno, item.end_lineno or item.lineno, key.value))
    return spans


def _template_scopes(path: Path) -> dict[int, str]:
    """Line -> the condition of the innermost {% if %} open at the start of that line."""
    stack: list[str] = []
    scopes = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        scopes[number] = stack[-1] if stack else ""
        for tag, rest in _TAG.findall(line):
            if tag in ("if", "for", "macro"):
                stack.append(rest.strip() if tag == "if" else stack[-1] if stack else "")
            elif stack:
                stack.pop()
    return scopes


@cache
def located(root: Path) -> tuple[tuple[str, str, str | tuple[str, ...]], ...]:
    """(file from the root, scope, msgid) for every translatable string in the sources."""
    return tuple(_located(root))


def _located(root: Path) -> Iterator[tuple[str, str, str | tuple[str, ...]]]:
    scopes: dict[Path, object] = {}
    for folder in SOURCES:
        for filename, line, msgid, _comments, _context in extract_from_dir(
            root / folder, METHODS, keywords=KEYWORDS
        ):
            path = root / folder / filename
            if path not in scopes:
                scopes[path] = (
                    _python_scopes(path) if path.suffix == ".py" else _template_scopes(path)
                )
            found = scopes[path]
            if isinstance(found, dict):
                scope = found.get(line, "")
            else:
                inner = [span for span in found if span[0] <= line <= span[1]]
                scope = max(inner)[2] if inner else ""
            yield (path.relative_to(root).as_posix(), scope, msgid)


def group_of(file: str, scope: str, msgid: str | tuple[str, ...]) -> str:
    """The priority group of a string written in that file and scope."""
    text = msgid if isinstance(msgid, str) else " ".join(msgid)
    if any(word in text for word in CRISIS_WORDS):
        return "crisis"
    for group, pattern, scope_pattern in RULES:
        if fnmatch(file, pattern) and fnmatch(scope, scope_pattern):
            return group
    return "other"


def priorities(root: Path) -> dict[str, dict[str | tuple[str, ...], str]]:
    """Group -> {msgid: where it was found} for the three priority groups, from the sources."""
    found: dict[str | tuple[str, ...], str] = {}
    where: dict[str | tuple[str, ...], str] = {}
    for file, scope, msgid in located(root):
        group = group_of(file, scope, msgid)
        # A string said in several places takes the most urgent group any of them gives it.
        if msgid not in found or GROUPS.index(group) < GROUPS.index(found[msgid]):
            found[msgid] = group
            where[msgid] = f"{file}:{scope}" if scope else file
    return {
        group: {m: where[m] for m in sorted(found, key=str) if found[m] == group}
        for group in GROUPS[:-1]
    }


def rules_used(root: Path) -> set[tuple[str, str, str]]:
    """The rules that name at least one string (a rule naming none has lost its file)."""
    used = set()
    for file, scope, _msgid in located(root):
        for rule in RULES:
            if fnmatch(file, rule[1]) and fnmatch(scope, rule[2]):
                used.add(rule)
    return used


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string (the same escapes); letters stay as they are.
    return json.dumps(text, ensure_ascii=False)


def render(root: Path) -> str:
    """locales/priorities.toml: each priority group's strings, keyed by the English's hash."""
    lines = [
        "# The strings a native speaker must review first, by group, keyed by the hash of the",
        "# English (service/catalog_review.py: key). Written by `frontline translation-review`",
        "# (run by `make translations`) from the rules in service/catalog_priorities.py: do not",
        "# edit by hand. Each value is the English, for people reading this file.",
    ]
    for group, strings in priorities(root).items():
        lines += ["", f"[{_toml_string(group)}]"]
        for msgid in strings:
            english = msgid if isinstance(msgid, str) else " | ".join(msgid)
            lines.append(f"{key(msgid)} = {_toml_string(english)}")
    return "\n".join(lines) + "\n"
