"""Every shipped scenario validates and runs; the ISF actors carry their evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shipped import tracked

from sim.engine.ensemble import run_ensemble
from sim.rules import caveats
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
LISTED = [
    "haiti2023/haiti2023.yaml",
    "isf/actors.yaml",
    "isf/border_monitoring.yaml",
    "isf/funded.yaml",
    "isf/national_caveats.yaml",
    "isf/no_disarmament.yaml",
    "isf/pakistan_revisions.yaml",
    "isf/res2803.yaml",
    "isf/un_peacekeeping.yaml",
    "teaching/border_monitoring_no_conformity.yaml",
    "teaching/res2803_board_first_slow.yaml",
    "teaching/res2803_cautious_states.yaml",
    "teaching/res2803_no_concessions.yaml",
    "teaching/res2803_no_conformity.yaml",
    "teaching/res2803_no_deployment_stage.yaml",
    "teaching/res2803_shocks.yaml",
    "teaching/res2803_slow_broker.yaml",
    "unifil2006/unifil2006.yaml",
]
"""The shipped scenario files, for a copy without git (keep in step with git)."""


def shipped_scenarios(root: Path = ROOT) -> list[Path]:
    """The scenario files the repository ships: what git tracks under scenarios/
    (sweeps aside), so a user's own variant saved there is not tested; the list
    above when git or the repository is not there."""
    files = tracked(root) or [root / p for p in LISTED]
    return sorted(p for p in files if "sweeps" not in p.relative_to(root).parts and p.is_file())


FILES = shipped_scenarios()
NUMERIC = ("domestic_opposition", "risk_tolerance", "clarity_threshold", "conformity")


def parents_of(path: Path) -> list[Path]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ext = data.get("extends") or []
    return [(path.parent / p).resolve() for p in ([ext] if isinstance(ext, str) else ext)]


def test_shipped_files_are_what_git_tracks_or_the_list(tmp_path: Path) -> None:
    assert {str(p.relative_to(ROOT)) for p in FILES} == set(LISTED)
    # Outside a git checkout the list is used, and only files that exist.
    (tmp_path / "mine.yaml").write_text("title: mine\n", encoding="utf-8")
    assert shipped_scenarios(tmp_path) == []


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
    # Package parts (sim.rules.packages) count on their own, in `package_counted`.
    parts = states.groupby(["run", "round"])["package_counted"].sum()
    per_round = counted.groupby(["run", "round"])["pledge"].sum().add(parts, fill_value=0.0)
    force = tables["rounds"].set_index(["run", "round"])["force"]
    existing = sc.force.in_theatre  # an existing mission's force counts from the start
    pledged = per_round.reindex(force.index, fill_value=0.0) + existing
    if not caveats.declared(C):
        assert (pledged == force).all()
        return
    # A caveated contingent counts at (1 - discount) (sim.rules.caveats; the exact
    # accounting is tested in tests/rules/test_caveats.py): between the worst share and all.
    worst = counted.assign(share=counted["state"].map(_worst_share(sc)).astype(float))
    low = (worst["pledge"] * worst["share"]).groupby([worst["run"], worst["round"]]).sum()
    assert (force <= pledged + 1e-6).all()
    low = low.add(parts, fill_value=0.0)
    assert (force >= low.reindex(force.index, fill_value=0.0) + existing - 1e-6).all()


def _worst_share(sc) -> dict[str, float]:
    """The smallest share of each state's pledge its declared caveats can leave."""
    out = {}
    for code, st in sc.states.items():
        share = 1.0
        for cav in st.caveats:
            d = cav.discount
            share *= 1.0 - (d[1] if isinstance(d, tuple) else d)
        out[code] = share
    return out


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
