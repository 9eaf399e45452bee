"""The rounds table, recorded column by column for the detailed runs, agrees with
the states table of the same runs and weeks, and a mandate's columns read back
(`Columns.decode_columns`) as each row does on its own (`Columns.decode`)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]

SCENARIOS = ["isf/res2803", "isf/national_caveats", "unifil2006/unifil2006"]


def _parts(text: str) -> dict[str, float]:
    """A state's package column (`kind:size;...`) as sizes by kind."""
    out: dict[str, float] = {}
    for part in filter(None, text.split(";")):
        kind, size = part.split(":")
        out[kind] = out.get(kind, 0.0) + float(size)
    return out


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_weeks_row_sums_that_weeks_committed_states(name):
    sc = load(ROOT / "scenarios" / f"{name}.yaml")
    C = compile_scenario(sc)
    t = run_ensemble(C, runs=30, seed=sc.run.seed, detail=12)
    rounds, states = t["rounds"], t["states"]
    assert sorted(rounds["run"].unique()) == list(range(12))
    assert len(rounds) == states.groupby(["run", "round"]).ngroups
    for (run, week), group in states.groupby(["run", "round"]):
        row = rounds[(rounds["run"] == run) & (rounds["round"] == week)]
        assert len(row) == 1
        row = row.iloc[0]
        committed = group[group["stance"] == "committed"]
        assert row["committed"] == len(committed)
        for kind in C.kinds:
            lead = committed.loc[committed["kind"] == kind, "pledge"].sum()
            extra = sum(_parts(p).get(kind, 0.0) for p in committed["package"])
            assert row[f"pledged.{kind}"] == pytest.approx(lead + extra), (run, week, kind)


def test_columns_read_back_the_mandates_they_encode():
    sc = load(ROOT / "scenarios" / "isf" / "res2803.yaml")
    cols = compile_scenario(sc).cols
    rng = np.random.default_rng(3)
    mandates = []
    for _ in range(40):
        m = {}
        for term, spec in cols.vocab.items():
            if spec.kind == "task_set":
                m[term] = [t for t in spec.levels if rng.random() < 0.5]
            elif spec.kind in ("ordinal", "categorical"):
                m[term] = spec.levels[rng.integers(len(spec.levels))]
            elif spec.kind == "boolean":
                m[term] = bool(rng.random() < 0.5)
            else:
                m[term] = float(rng.random())
        mandates.append(m)
    kinds = {spec.kind for spec in cols.vocab.values()}
    assert {"task_set", "ordinal", "boolean", "number"} <= kinds  # every kind is read
    columns = cols.decode_columns(np.stack([cols.encode(m) for m in mandates]))
    for i, m in enumerate(mandates):
        for term, value in m.items():
            want = ";".join(value) if isinstance(value, list) else value
            assert columns[term][i] == want, (term, i)
            assert cols.decode(cols.encode(m))[term] == value


def test_each_contingents_spells_add_up_to_its_suspended_weeks():
    """The deployments table's shock columns, recorded for all of a batch's contingents
    at once: each `suspended` text is its spells `from-to;...`, in order, apart, within
    the watched weeks, adding up to `suspended_weeks`; a withdrawal names its cause."""
    sc = load(ROOT / "scenarios" / "teaching" / "res2803_shocks.yaml")
    C = compile_scenario(sc)
    t = run_ensemble(C, runs=300, seed=sc.run.seed)["deployments"]
    several = 0
    for text, weeks in zip(t["suspended"], t["suspended_weeks"], strict=True):
        spells = [tuple(map(int, part.split("-"))) for part in filter(None, text.split(";"))]
        assert sum(b - a + 1 for a, b in spells) == weeks, text
        assert all(a <= b for a, b in spells)
        assert all(b + 1 < a2 for (_, b), (a2, _) in itertools.pairwise(spells)), text
        several += len(spells) > 1
    assert several > 0 and (t["suspended_weeks"] == 0).any()  # both cases are checked
    withdrawn = t["withdrawn_week"].notna()
    assert withdrawn.any()
    assert set(t.loc[withdrawn, "withdrawn_by"]) <= {"incident", *C.event_names}
    assert (t.loc[~withdrawn, "withdrawn_by"] == "").all()
