"""`make bench`: run every benchmark (each builds its own data) and print its figures.

Benchmarks run on PostgreSQL: BENCH_DATABASE_URL (default: a scratch database
`partnerhub_bench` on the local server, created and dropped by the run).
Run one with `python -m benchmarks tiers`.
"""

import sys

from . import deal_conflicts, rewards, tier_evaluation

BENCHMARKS = {"tiers": tier_evaluation.main, "deals": deal_conflicts.main, "rewards": rewards.main}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHMARKS)
    for name in names:
        BENCHMARKS[name]()
