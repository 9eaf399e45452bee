"""bench/ablation.py: the variants it runs are the ones it names, and its table has
one row per variant (docs/model.md, 'Ablation: what the flagship result rests on')."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load, override
from sim.scenario.schema import Mechanisms, Scenario

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
RUNS = 100

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
ablation = importlib.import_module("bench.ablation")


def flat(data: Any, prefix: tuple = ()) -> dict[tuple, Any]:
    """Every leaf of a nested mapping, by its path."""
    if isinstance(data, dict):
        out: dict[tuple, Any] = {}
        for k, v in data.items():
            out.update(flat(v, (*prefix, k)))
        return out
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        out = {}
        for i, v in enumerate(data):
            out.update(flat(v, (*prefix, i)))
        return out
    return {prefix: data}


def differences(a: Scenario, b: Scenario) -> dict[tuple, tuple[Any, Any]]:
    fa = flat(a.model_dump(mode="json", by_alias=True))
    fb = flat(b.model_dump(mode="json", by_alias=True))
    return {k: (fa.get(k), fb.get(k)) for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)}


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load(FLAGSHIP)


@pytest.fixture(scope="module")
def built(base: Scenario) -> dict[str, Any]:
    return {v.name: v for v in ablation.variants(base)}


@pytest.fixture(scope="module")
def rows(base: Scenario) -> list:
    return ablation.ablation(base, runs=RUNS)


def test_every_switch_that_is_on_is_turned_off_alone(base: Scenario, built) -> None:
    on = [f for f in Mechanisms.model_fields if getattr(base.run.mechanisms, f) is True]
    assert len(on) >= 10 and "deployment" in on
    assert ablation.switches_on(base) == on
    for name in on:
        variant = built[f"no_{name}"].scenario
        assert differences(base, variant) == {("run", "mechanisms", name): (True, False)}
        assert getattr(variant.run.mechanisms, name) is False


def test_large_contributors_are_those_with_a_tenth_of_the_target(base: Scenario) -> None:
    target = sum(base.broker.target) / 2
    large = ablation.large_contributors(base)
    assert {"PAK", "IDN"} <= set(large)
    assert not {"QAT", "CYP", "GBR", "DEU", "JOR"} & set(large)
    for code, st in base.states.items():
        counted = [
            (v[0] + v[1]) / 2 if isinstance(v, tuple) else v
            for k, v in st.offers.items()
            if k in base.force.counts
        ]
        assert (code in large) == (max(counted, default=0.0) >= 0.1 * target), code


def test_a_halved_state_has_half_its_counted_offers_and_nothing_else_changes(
    base: Scenario, built
) -> None:
    large = ablation.large_contributors(base)
    assert [n for n in built if n.startswith("half_")] == [f"half_{c}" for c in large]
    for code in large:
        variant = built[f"half_{code}"].scenario
        diff = differences(base, variant)
        counted = [k for k in base.states[code].offers if k in base.force.counts]
        stated = [k for k in base.states[code].initial_offer or {} if k in base.force.counts]
        assert counted
        assert {k[:4] for k in diff} == {("states", code, "offers", k) for k in counted} | {
            ("states", code, "initial_offer", k) for k in stated
        }
        for kind in stated:  # the offer on the record halved with the offer
            old = base.states[code].initial_offer[kind]
            assert variant.states[code].initial_offer[kind] == pytest.approx(old / 2)
        for kind, old in base.states[code].offers.items():
            new = variant.states[code].offers[kind]
            if kind in base.force.counts:
                expect = (old[0] / 2, old[1] / 2) if isinstance(old, tuple) else old / 2
                assert new == pytest.approx(expect), (code, kind)
            else:
                assert new == old, (code, kind)
        for other, st in base.states.items():
            if other != code:
                assert variant.states[other].offers == st.offers


def test_italy_keeps_its_police_trainers_when_its_counted_kinds_are_halved(base) -> None:
    # Italy offers two counted kinds and one that does not count.
    assert {"troops", "formed_police"} <= set(base.force.counts)
    assert "police_trainers" not in base.force.counts
    variant = ablation.halved(base, "ITA")
    old, new = base.states["ITA"].offers, variant.states["ITA"].offers
    assert new["troops"] == pytest.approx((old["troops"][0] / 2, old["troops"][1] / 2))
    assert new["formed_police"] == pytest.approx(
        (old["formed_police"][0] / 2, old["formed_police"][1] / 2)
    )
    assert new["police_trainers"] == old["police_trainers"]


def test_the_table_has_the_baseline_one_row_per_switch_and_one_per_large_state(
    base: Scenario, rows
) -> None:
    names = [r.variant.name for r in rows]
    expected = (
        ["baseline"]
        + [f"no_{n}" for n in ablation.switches_on(base)]
        + [f"half_{c}" for c in ablation.large_contributors(base)]
    )
    assert names == expected
    assert all(r.runs == RUNS for r in rows)
    text = ablation.table(rows)
    lines = text.strip().splitlines()
    assert len(lines) == 2 + len(rows)
    assert lines[2].startswith("| as written (baseline) |")
    for row, line in zip(rows, lines[2:], strict=True):
        assert line.startswith(f"| {row.variant.label} |")
        assert line.count("|") == 7


def test_the_baseline_row_is_what_the_engine_gives(base: Scenario, rows) -> None:
    C = compile_scenario(override(base, runs=RUNS))
    runs = run_ensemble(C, detail=1)["runs"]
    row = rows[0]
    assert row.p_formed == pytest.approx((runs["outcome"] == "formed").mean())
    assert row.p_undersized == pytest.approx((runs["outcome"] == "undersized").mean())
    assert row.p_deployed == pytest.approx(runs["deployed_week"].notna().mean())
    assert row.formed_ci[0] < row.p_formed < row.formed_ci[1]


def test_without_the_deployment_stage_every_formed_force_is_deployed(rows) -> None:
    by = {r.variant.name: r for r in rows}
    off = by["no_deployment"]
    assert off.p_deployed == pytest.approx(off.p_formed + off.p_undersized)
    # with the stage, some formed forces are not in theatre by the end of the watch
    on = by["baseline"]
    assert on.p_deployed < on.p_formed + on.p_undersized


def test_the_command_prints_and_writes_the_same_table(
    base, rows, tmp_path: Path, capsys, monkeypatch
) -> None:
    asked = []
    monkeypatch.setattr(ablation, "ablation", lambda sc, runs: asked.append(runs) or rows)
    out = tmp_path / "ablation.md"
    ablation.main(["--runs", str(RUNS), "--out", str(out)])
    assert asked == [RUNS]
    printed = capsys.readouterr().out
    assert printed == out.read_text(encoding="utf-8")
    lines = printed.splitlines()
    assert lines[2].startswith("| scenario variant |")
    assert len(lines) == 4 + len(ablation.variants(base))
    assert lines[-len(rows) :] == ablation.table(rows).splitlines()[2:]
    assert f"seed {base.run.seed}" in lines[0]
