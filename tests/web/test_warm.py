"""A server readies the compiled loops once, on a thread, and its numbers do not change."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("numba")

CHECK = """
import sys
from sim.rules import jit
from sim.web import explore, warm

rel = "scenarios/isf/res2803.yaml"
before = explore.outcome(rel, {}, 60)
print("loops before:", jit.compiled(), "numba" in sys.modules)
thread = warm.warm(rel)
print("second call:", warm.warm(rel))
thread.join()
after = explore.outcome(rel, {}, 60)
print("loops after:", jit.compiled(), jit.MIN_RUNS)
print("same:", (after.p_formed, after.commits, after.force_formed)
      == (before.p_formed, before.commits, before.force_formed))
print("same tables:", after.results.runs.equals(before.results.runs))
"""


def test_the_loops_are_readied_once_and_the_numbers_stay() -> None:
    proc = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "loops before: False False",  # 60 runs: the numpy rules, numba not imported
        "second call: None",  # one thread per process
        f"loops after: True {1_000}",  # every later run uses the loops; the bar restored
        "same: True",
        "same tables: True",
    ]


def test_an_unopenable_scenario_readies_nothing(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [\n")
    code = (
        "from sim.rules import jit\nfrom sim.web import warm\n"
        f"warm.warm({str(bad)!r}).join()\nprint(jit.compiled())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False"]
    assert proc.stderr == ""
