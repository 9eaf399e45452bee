"""`python -m sim.engine.warm` (run by `make` at install) compiles the rules' loops
and leaves the process's policy as it was."""

from __future__ import annotations

import pytest

from sim.engine import warm
from sim.rules import jit

pytest.importorskip("numba")


def test_warming_runs_every_loop_compiled_and_restores_the_threshold(monkeypatch):
    for kernel in jit.KERNELS.values():
        monkeypatch.setattr(kernel, "_compiled", None)
    monkeypatch.delenv(jit.DISABLE, raising=False)
    monkeypatch.setattr(jit, "_started", 0)
    threshold = jit.MIN_RUNS
    assert warm.warm()
    assert (jit.MIN_RUNS, jit.compiled()) == (threshold, False)
    assert all(k.compiled_once for k in jit.KERNELS.values()), [
        n for n, k in jit.KERNELS.items() if not k.compiled_once
    ]


def test_with_numba_disabled_warming_does_nothing(monkeypatch):
    monkeypatch.setenv(jit.DISABLE, "1")
    assert not warm.warm()
