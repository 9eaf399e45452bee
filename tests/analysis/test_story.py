"""The story of a run: every concession made and every state that committed is told."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis.story import story
from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2] / "scenarios" / "isf"
RUNS = 6


@pytest.fixture(scope="module", params=["res2803", "pakistan_revisions"])
def case(request):
    C = compile_scenario(load(ROOT / f"{request.param}.yaml"))
    return C, run_ensemble(C, runs=RUNS, detail=RUNS)


def _label(C, cid: str) -> str:
    con = next(c for c in C.scenario.broker.concessions if c.id == cid)
    return con.label or cid.replace("_", " ")


def test_story_tells_every_concession_and_every_commitment(case) -> None:
    C, tables = case
    told_something = False
    for run in range(RUNS):
        text = story(C, tables, run).lower()
        row = tables["runs"][tables["runs"]["run"] == run].iloc[0]
        made = [x.rpartition("@")[0] for x in str(row["concessions"] or "").split(";") if x]
        for cid in made:
            assert _label(C, cid).lower() in text, (run, cid)
        st = tables["states"]
        committed = set(st.loc[(st["run"] == run) & (st["stance"] == "committed"), "state"])
        for code in committed:
            assert C.scenario.states[code].name.lower() in text, (run, code)
        told_something |= bool(made) or bool(committed)
    assert told_something, "the cases should include concessions or commitments"


def test_story_is_a_briefing_not_a_log(case) -> None:
    C, tables = case
    for run in range(RUNS):
        text = story(C, tables, run)
        assert text.startswith("**Bottom line.**")
        weeks = int(tables["runs"].loc[tables["runs"]["run"] == run, "rounds"].iloc[0])
        bullets = [line for line in text.splitlines() if line.startswith("- **Week")]
        assert len(bullets) <= weeks
        assert "**Veto players.**" in text
        assert "**Still out.**" in text


def test_quiet_weeks_are_grouped(case) -> None:
    C, tables = case
    grouped = any("- **Weeks " in story(C, tables, run) for run in range(RUNS))
    assert grouped
