"""How many responses a result needs: Cochran's formula with the finite-population correction."""

from __future__ import annotations

import math
from statistics import NormalDist

# The most cautious proportion: the one that needs the most responses.
P = 0.5


def needed(population: int, *, margin: float = 0.05, confidence: float = 0.95) -> int:
    """Responses needed from a population for the margin of error at the confidence given.

    n0 = z² p (1 − p) / e², then n = n0 / (1 + (n0 − 1) / N), rounded up; never more than N.
    """
    if population < 0:
        raise ValueError("a population cannot be negative")
    if not 0 < margin < 1 or not 0 < confidence < 1:
        raise ValueError("margin and confidence are fractions between 0 and 1")
    if population == 0:
        return 0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    n0 = z * z * P * (1 - P) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    # Rounded up, but not past a float's noise (278.0000000001 is 278).
    return min(population, math.ceil(round(n, 9)))
