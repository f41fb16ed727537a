"""Figures the benchmarks compute from what they measured."""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile of `values` (the nearest measured value); NaN when nothing was measured."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
