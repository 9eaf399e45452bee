"""A stored summary for the flagship at a small run count guards against silent drift.

When a change to the model or the scenario is intended, regenerate with
`FORCEGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/engine/test_golden.py`
and review the diff of tests/golden/res2803_summary.json in the commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sim.analysis.summary import summarise
from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "res2803_summary.json"
RUNS = 200


def test_flagship_summary_matches_the_golden_file() -> None:
    C = compile_scenario(load(ROOT / "scenarios" / "isf" / "res2803.yaml"))
    summary = summarise(run_ensemble(C, runs=RUNS, detail=5), C)
    text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    if os.environ.get("FORCEGEN_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no golden file: run with FORCEGEN_UPDATE_GOLDEN=1 once"
    assert json.loads(text) == json.loads(GOLDEN.read_text(encoding="utf-8"))
