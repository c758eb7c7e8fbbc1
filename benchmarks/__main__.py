"""`make bench`: run every benchmark (each builds its own data) and print its figures.

Benchmarks run on PostgreSQL: BENCH_DATABASE_URL, or a scratch database per benchmark on
the local server (BENCH_SERVER_URL), named with the process id, created and dropped by the
run. Each benchmark runs in its own process (Django reads its database settings once).
Each ends with `bench: NAME figure=… baseline=… ratio=… goal=… met|missed` lines
(benchmarks/report.py). `BENCH_SCALE=0.1` (`make bench-quick`) runs everything at a tenth.

    python -m benchmarks            # all
    python -m benchmarks tiers      # one
"""

import subprocess
import sys

BENCHMARKS = {
    "tiers": "benchmarks.tier_evaluation",
    "deals": "benchmarks.deal_conflicts",
    "rewards": "benchmarks.rewards",
    "matching": "benchmarks.deal_matching",
    "lists": "benchmarks.list_pages",
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    failed = [n for n in names if subprocess.call([sys.executable, "-m", BENCHMARKS[n]]) != 0]  # noqa: S603 (our modules)
    if failed:
        sys.exit(f"benchmark(s) failed to run: {', '.join(failed)}")
