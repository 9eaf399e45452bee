"""Every shipped scenario validates and runs; the ISF actors carry their evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(p for p in ROOT.rglob("*.yaml") if "sweeps" not in p.parts)
NUMERIC = ("domestic_opposition", "risk_tolerance", "clarity_threshold", "conformity")


def parents_of(path: Path) -> list[Path]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ext = data.get("extends") or []
    return [(path.parent / p).resolve() for p in ([ext] if isinstance(ext, str) else ext)]


def test_library_is_there() -> None:
    names = {p.name for p in (ROOT / "isf").glob("*.yaml")}
    for expected in (
        "res2803.yaml",
        "no_disarmament.yaml",
        "national_caveats.yaml",
        "border_monitoring.yaml",
        "un_peacekeeping.yaml",
        "pakistan_revisions.yaml",
        "funded.yaml",
    ):
        assert expected in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_validates_and_runs_or_is_an_extended_partial(path: Path) -> None:
    try:
        sc = load(path)
    except ScenarioError as exc:
        assert "mandate" in str(exc), str(exc)
        users = [p for p in FILES if path.resolve() in parents_of(p)]
        assert users, f"{path.name} has no mandate and no scenario extends it"
        return
    C = compile_scenario(sc)
    tables = run_ensemble(C, runs=3, seed=1, detail=3)
    runs = tables["runs"]
    assert len(runs) == 3
    assert set(runs["outcome"]) <= {"formed", "undersized", "stalled"}
    assert (runs["rounds"] >= 1).all() and (runs["rounds"] <= sc.broker.deadline).all()
    states = tables["states"]
    assert set(states["state"]) == set(sc.states)
    counted = states[states["counted"]]
    per_round = counted.groupby(["run", "round"])["pledge"].sum()
    force = tables["rounds"].set_index(["run", "round"])["force"]
    assert (per_round.reindex(force.index, fill_value=0.0) == force).all()


def _covered(state) -> set[str]:
    out = set(state.judgement)
    for ev in state.evidence:
        out |= set(ev.supports)
    for rl in state.red_lines:
        if rl.evidence:
            out.add(f"red_lines.{rl.id}")
    return out


def test_every_isf_parameter_has_evidence_or_is_a_marked_judgement() -> None:
    sc = load(ROOT / "isf" / "res2803.yaml")
    missing = []
    for code, st in sc.states.items():
        covered = _covered(st)
        fields = [f for f in NUMERIC if f in st.model_fields_set]
        fields += [f"incentives.{k}" for k in st.incentives]
        fields += [f"preferences.{k}" for k in st.preferences]
        fields += [f"red_lines.{r.id}" for r in st.red_lines]
        for field in fields:
            head = field.split(".")[0]
            if field not in covered and head not in covered:
                missing.append(f"{code}.{field}")
        if st.offers and not ({"offers"} | {f"offers.{k}" for k in st.offers}) & covered:
            missing.append(f"{code}.offers")
    assert not missing, f"parameters with neither evidence nor a judgement note: {missing}"


def test_isf_sources_point_to_the_record() -> None:
    sc = load(ROOT / "isf" / "res2803.yaml")
    facts = ROOT.parents[1] / "shared" / "facts" / "isf_positions_T0.md"
    record = facts.read_text(encoding="utf-8") if facts.exists() else ""
    for code, st in sc.states.items():
        for ev in st.evidence:
            src = ev.source.strip()
            assert src.startswith(("http", "seed")), f"{code}: source {src!r}"
            if record and src.startswith("http"):
                assert src.split()[0] in record, f"{code}: {src} is not in the facts file"
