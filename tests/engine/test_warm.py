"""`python -m sim.engine.warm` (run by `make` at install) compiles the rules' loops
and leaves the process's policy as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.engine import warm
from sim.rules import jit

pytest.importorskip("numba")


WARM_AND_REPORT = """
from sim.engine import warm
from sim.rules import jit
threshold = jit.MIN_RUNS
assert not any(k.compiled_once for k in jit.KERNELS.values())
assert warm.warm()
assert (jit.MIN_RUNS, jit.compiled()) == (threshold, False)
print(sorted(n for n, k in jit.KERNELS.items() if not (k.compiled_once or k.inline)))
print(sum(k.inline for k in jit.KERNELS.values()))
"""


def test_warming_runs_every_loop_compiled_and_restores_the_threshold():
    """In a fresh process (this one may have run the loops already): after `warm`, every
    registered loop has machine code for some types, compiled or loaded from the cache;
    the per-run loops (`jit.row`) have none of their own, numba inlines them."""
    env = {k: v for k, v in os.environ.items() if k != jit.DISABLE}
    done = subprocess.run(
        [sys.executable, "-c", WARM_AND_REPORT], capture_output=True, text=True, env=env,
        cwd=Path(__file__).resolve().parents[2], timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    missing, rows = done.stdout.split()
    assert (missing, int(rows) > 5) == ("[]", True)


def test_with_numba_disabled_warming_does_nothing(monkeypatch):
    monkeypatch.setenv(jit.DISABLE, "1")
    assert not warm.warm()
