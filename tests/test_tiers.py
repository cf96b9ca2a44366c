"""The marks tests/conftest.py gives, read back from the tests' own items."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("page", ["/console/"])
def test_a_parameter_named_page_is_a_value_not_a_browser_tab(
    request: pytest.FixtureRequest, page: str
) -> None:
    assert page == "/console/"
    assert request.node.get_closest_marker("browser") is None
    assert request.node.get_closest_marker("slow") is None


def test_a_test_on_the_database_runs_on_postgresql_too(request: pytest.FixtureRequest, session):
    assert request.node.get_closest_marker("database") is not None
    assert request.node.get_closest_marker("slow") is None


def test_a_test_without_a_database_runs_once(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("database") is None
