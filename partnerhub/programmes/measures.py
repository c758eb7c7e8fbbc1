"""Which requirement metrics the tier engine can measure.

The engine and its measuring code live above this app (``partners.metrics``, with the
metrics of higher apps such as deals registered into it from their ``AppConfig.ready``);
each registration is declared here too, so the programme validator — in this lower layer —
refuses a metric nobody measures instead of letting it read 0 for ever.
"""

from __future__ import annotations

_MEASURED: set[str] = set()


def declare_measured(metric: str) -> None:
    _MEASURED.add(metric)


def is_measured(metric: str) -> bool:
    return metric in _MEASURED


def measured() -> frozenset[str]:
    return frozenset(_MEASURED)
