"""Distributions and targets shared by the benchmarks.

Every figure is a distribution over repetitions (min, median, p95, p99, max); a target
compares one figure with its peer measured in the same run: `ratio` is always
value / peer_value, and `higher_is_better` says which way is good (speeds).
"""

from __future__ import annotations

import math
import statistics
from typing import Any


def quantile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank quantile (q in 0..1) of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def distribution(samples: list[float], digits: int = 3) -> dict[str, float]:
    values = sorted(samples)
    return {
        "n": len(values),
        "min": round(values[0], digits),
        "median": round(statistics.median(values), digits),
        "p95": round(quantile(values, 0.95), digits),
        "p99": round(quantile(values, 0.99), digits),
        "max": round(values[-1], digits),
    }


def target(
    name: str,
    value: float,
    unit: str,
    goal: str,
    *,
    command: str,
    peer: str | None = None,
    peer_value: float | None = None,
    limit_ratio: float | None = None,
    limit_value: float | None = None,
    higher_is_better: bool = False,
) -> dict[str, Any]:
    """One row of `targets`: met when value/peer_value is within `limit_ratio` (a time at
    most that many times the peer's; a speed at least that share of it), or value within
    `limit_value`."""
    ratio = None
    if peer_value:
        ratio = round(value / peer_value, 3)
    met = True
    if limit_ratio is not None:
        if ratio is None:
            met = False
        else:
            met = ratio >= limit_ratio if higher_is_better else ratio <= limit_ratio
    if limit_value is not None:
        met = met and (value >= limit_value if higher_is_better else value <= limit_value)
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "target": goal,
        "peer": peer,
        "peer_value": None if peer_value is None else round(peer_value, 3),
        "ratio": ratio,
        "met": met,
        "command": command,
    }
