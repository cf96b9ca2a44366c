"""Cochran's sample size with the finite-population correction, against worked examples."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.surveys.sample import needed


@pytest.mark.parametrize(
    ("population", "margin", "confidence", "expected"),
    [
        (1000, 0.05, 0.95, 278),  # the textbook example
        (10_000, 0.05, 0.95, 370),
        (100, 0.05, 0.95, 80),
        (395, 0.05, 0.95, 195),  # the council that got 53 where 195 were needed
        (10**9, 0.05, 0.95, 385),  # without correction: 384.15, rounded up
        (10**9, 0.03, 0.95, 1068),
        (10**9, 0.05, 0.99, 664),
        (2000, 0.03, 0.95, 697),
        (3, 0.05, 0.95, 3),  # never more than everyone
        (0, 0.05, 0.95, 0),
    ],
)
def test_worked_examples(population, margin, confidence, expected):
    assert needed(population, margin=margin, confidence=confidence) == expected


# z for the usual confidences, to six places, as printed in statistics tables.
Z = {0.90: Fraction("1.644854"), 0.95: Fraction("1.959964"), 0.99: Fraction("2.575829")}


def reference(population: int, margin: Fraction, confidence: float) -> int:
    """The corrected formula in its other form, n = N·X / (X + N − 1), in exact fractions."""
    x = Z[confidence] ** 2 * Fraction(1, 4) / margin**2
    return min(population, math.ceil(population * x / (x + population - 1)))


@given(
    population=st.integers(min_value=1, max_value=10**7),
    margin=st.sampled_from([Fraction(1, 100), Fraction(3, 100), Fraction(5, 100), Fraction(1, 10)]),
    confidence=st.sampled_from(sorted(Z)),
)
def test_agrees_with_the_reference_form(population, margin, confidence):
    mine = needed(population, margin=float(margin), confidence=confidence)
    # z is rounded to six places in the tables: at most one response apart, on a boundary.
    assert abs(mine - reference(population, margin, confidence)) <= 1
    assert mine <= population


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_a_larger_population_never_needs_fewer(a, b):
    small, large = sorted((a, b))
    assert needed(small) <= needed(large)
