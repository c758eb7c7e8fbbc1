"""The layout rules `make lint` enforces: apps import only downwards, no import cycles, small modules.

The import contracts live in pyproject.toml ([tool.importlinter]); these tests prove that the
linter really refuses a forbidden arrow and a cycle, by adding one to a copy of the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 600


def _copy_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "partnerhub", tmp_path / "partnerhub", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_code_as_it_is_keeps_every_contract(tmp_path):
    result = _lint(_copy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_lower_layer_importing_a_higher_one_fails_the_lint(tmp_path):
    project = _copy_project(tmp_path)
    _append(project / "partnerhub/core/money.py", "from partnerhub.deals import models as _deals  # noqa")
    result = _lint(project)
    assert result.returncode != 0
    assert "partnerhub.core.money -> partnerhub.deals.models" in result.stdout


def test_an_import_hidden_in_a_function_still_counts(tmp_path):
    project = _copy_project(tmp_path)
    _append(
        project / "partnerhub/programmes/selectors.py",
        "def _sneaky():\n    from partnerhub.referrals import models  # noqa\n",
    )
    result = _lint(project)
    assert result.returncode != 0
    assert "partnerhub.programmes.selectors -> partnerhub.referrals.models" in result.stdout


def test_a_cycle_between_two_modules_of_one_app_fails_the_lint(tmp_path):
    project = _copy_project(tmp_path)
    # deals.services.rules is imported by deals.services.registration; importing back closes a cycle.
    _append(project / "partnerhub/deals/services/rules.py", "from . import registration as _r  # noqa")
    result = _lint(project)
    assert result.returncode != 0
    assert "No cycles are allowed in partnerhub.deals.services" in result.stdout


def test_no_module_of_ours_passes_the_size_of_one_topic():
    too_long = {}
    paths = [p for folder in ("partnerhub", "tests", "benchmarks", "scripts") for p in (ROOT / folder).rglob("*.py")]
    for path in sorted(paths):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, "split these by process into packages"
