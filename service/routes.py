"""Routes an area declares beside its views, added to its blueprint where the blueprint is built.

A package's blueprint imports its areas; the areas never import the blueprint back, so
imports run one way (no area ↔ blueprint cycle) and each app gets a blueprint of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint

View = TypeVar("View", bound=Callable[..., Any])


class Routes:
    """An area's URL rules, recorded as its views are defined (Flask's own route options)."""

    def __init__(self) -> None:
        self._rules: list[tuple[str, dict[str, Any], Callable[..., Any]]] = []

    def route(self, rule: str, **options: Any) -> Callable[[View], View]:
        """Record a rule for the view below, as `Blueprint.route` would add it."""

        def record(view: View) -> View:
            self._rules.append((rule, options, view))
            return view

        return record

    def get(self, rule: str, **options: Any) -> Callable[[View], View]:
        """Record a GET rule."""
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options: Any) -> Callable[[View], View]:
        """Record a POST rule."""
        return self.route(rule, methods=["POST"], **options)

    def register(self, blueprint: Blueprint) -> None:
        """Add every recorded rule to the blueprint being assembled."""
        for rule, options, view in self._rules:
            options = dict(options)
            endpoint = options.pop("endpoint", None)
            blueprint.add_url_rule(rule, endpoint, view, **options)
