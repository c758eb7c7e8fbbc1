"""How every benchmark reports: the project's figure, a baseline measured in the same run, the ratio.

Each benchmark ends with one line per figure::

    bench: NAME figure=… baseline=… ratio=… goal=… met|missed

``BENCH_SCALE`` (default 1; ``make bench-quick`` sets 0.1) scales the data of every benchmark;
goals stated in absolute units are scaled with it (and say so), ratio goals are not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(n: int, minimum: int = 1) -> int:
    """``n`` at the run's scale."""
    return max(minimum, round(n * SCALE))


@dataclass
class Figure:
    name: str
    figure: float
    baseline: float
    unit: str
    goal: str  # as printed
    met: bool

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("inf")

    def line(self) -> str:
        return (f"bench: {self.name} figure={self.figure:.3f}{self.unit} baseline={self.baseline:.3f}{self.unit} "
                f"ratio={self.ratio:.2f} goal={self.goal} {'met' if self.met else 'missed'}")  # fmt: skip


def absolute_goal(limit: float, unit: str) -> tuple[float, str]:
    """A goal in absolute units at this run's scale, and its label."""
    if SCALE == 1:
        return limit, f"<{limit:g}{unit}"
    return limit * SCALE, f"<{limit * SCALE:g}{unit}(scaled)"


def summary(figures: list[Figure]) -> None:
    for f in figures:
        print(f.line())
