"""sweep: example sweeps run, tipping points agree with direct runs, resumable, executors agree."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shipped import tracked

from sim.analysis.summary import summarise
from sim.cli import app
from sim.engine.ensemble import run_ensemble
from sim.explore import paths
from sim.explore import sweep as sweep_mod
from sim.explore.cache import PointCache
from sim.explore.sweep import load_sweep, run_sweep, write_sweep
from sim.explore.tipping import _show, tipping_points
from sim.parallel import Serial
from sim.scenario.arrays import compile_scenario

from .conftest import FLAGSHIP, SWEEPS, one_line, runner


def _examples() -> list[Path]:
    """The example sweeps git tracks (a user's own sweep saved there is not one)."""
    files = tracked(SWEEPS)
    names = ("decommissioning_x_force", "clarity_x_funding", "target_x_deadline")
    return sorted(p for p in files if p.is_file()) or [SWEEPS / f"{n}.yaml" for n in names]


EXAMPLES = sorted(_examples())
SMALL = ["--runs", "6", "--steps", "2"]


def test_the_example_sweeps_are_the_shipped_ones() -> None:
    assert {p.stem for p in EXAMPLES} == {
        "decommissioning_x_force",
        "clarity_x_funding",
        "target_x_deadline",
        "robust_mandates",
    }


@pytest.mark.parametrize("file", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_sweep_runs_at_small_size(tmp_path: Path, file: Path) -> None:
    out = tmp_path / "out"
    argv = ["sweep", str(file), *SMALL, "--out", str(out), "--cache", str(tmp_path / "c")]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    sw = load_sweep(file, runs=6, steps=2)
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == len(sw.points)
    for a in sw.axes:
        assert a.path in table.columns
    for code in sw.base.states:
        assert f"p_commit.{code}" in table.columns
    assert {"p_formed", "expected_force", "p_formed_lo", "p_formed_hi"} <= set(table.columns)
    assert (out / "tipping.csv").exists()
    md = (out / "sweep.md").read_text()
    for name in ("sweep_outcome", "sweep_commit"):
        assert (out / "charts" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert f"charts/{name}.png" in md


@pytest.fixture(scope="module")
def decommissioning(tmp_path_factory):
    """The decommissioning × use of force sweep at 20 runs per point."""
    sw = load_sweep(SWEEPS / "decommissioning_x_force.yaml", runs=20)
    cache = PointCache(tmp_path_factory.mktemp("cache"))
    return sw, run_sweep(sw, Serial(), cache)


def test_tipping_points_agree_with_direct_runs(decommissioning) -> None:
    sw, result = decommissioning
    tips = tipping_points(result.table, sw.axes, list(sw.base.states))
    assert len(tips), "expected some state to tip in this sweep"
    direct: dict[int, dict] = {}  # point -> P(commit) per state, from a direct run
    for tip in tips.to_dict("records"):
        others = [a.path for a in sw.axes if a.path != tip["axis"]]
        for end, p_end in (("from", "p_from"), ("to", "p_to")):
            i = next(
                i
                for i, p in enumerate(sw.points)
                if p[tip["axis"]] == tip[end]
                and "; ".join(f"{o} = {_show(p[o])}" for o in others) == tip["held"]
            )
            if i not in direct:
                C = compile_scenario(paths.apply(sw.base, sw.points[i]))
                states = summarise(run_ensemble(C, detail=1), C)["states"]
                direct[i] = {code: s["p_commit"] for code, s in states.items()}
            assert direct[i][tip["state"]] == pytest.approx(tip[p_end], abs=1e-9)
        assert (tip["p_from"] >= 0.5) != (tip["p_to"] >= 0.5)
        assert tip["change"] == ("joins" if tip["p_to"] >= 0.5 else "leaves")


def test_a_numeric_crossing_is_placed_between_its_values() -> None:
    class Ax:
        def __init__(self, path, values):
            self.path, self.values, self.numeric = path, values, True

    table = pd.DataFrame({"x": [0.0, 1.0, 2.0], "p_commit.PAK": [0.2, 0.4, 0.8]})
    tips = tipping_points(table, [Ax("x", [0.0, 1.0, 2.0])], ["PAK"])
    assert tips[["from", "to", "change"]].values.tolist() == [[1.0, 2.0, "joins"]]
    assert tips["at"].iloc[0] == pytest.approx(1.25)


def test_an_interrupted_sweep_restarts_without_recomputing(tmp_path, monkeypatch) -> None:
    """Point by point (batched groups: the next test)."""
    from sim.explore import batched

    monkeypatch.setattr(batched, "batchable", lambda axes: False)
    sw = load_sweep(SWEEPS / "decommissioning_x_force.yaml", runs=6)
    calls: list[int] = []
    real = sweep_mod.run_point

    def interrupted_after(k: int):
        def fake(sc, *args):
            if len(calls) == k:
                raise KeyboardInterrupt
            calls.append(1)
            return real(sc, *args)

        return fake

    cache = PointCache(tmp_path / "cache")
    monkeypatch.setattr(sweep_mod, "run_point", interrupted_after(2))
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sw, Serial(), cache)
    assert len(calls) == 2 and len(list((tmp_path / "cache").glob("*.json"))) == 2
    calls.clear()
    monkeypatch.setattr(sweep_mod, "run_point", interrupted_after(99))
    resumed = run_sweep(sw, Serial(), cache)
    assert len(calls) == len(sw.points) - 2
    assert (resumed.computed, resumed.cached) == (len(sw.points) - 2, 2)
    calls.clear()
    again = run_sweep(sw, Serial(), cache)
    assert calls == [] and again.cached == len(sw.points)
    fresh = run_sweep(sw, Serial(), PointCache(None))
    pd.testing.assert_frame_equal(resumed.table, fresh.table)


def test_a_cached_point_edited_out_of_range_is_computed_again(tmp_path) -> None:
    """A share above 1 or below 0, NaN or Infinity (which JSON reads) in a cached point is
    not served: the point is computed again, and the table is what a fresh sweep gives."""
    import json

    from sim.explore import cache as cache_mod

    sw = load_sweep(SWEEPS / "clarity_x_funding.yaml", runs=6, steps=2)
    store = PointCache(tmp_path / "cache")
    first = run_sweep(sw, Serial(), store)
    files = sorted((tmp_path / "cache").glob("*.json"))
    assert len(files) == len(sw.points) >= 4
    state = next(iter(json.loads(files[0].read_text())["result"]["p_commit"]))
    edits = [("p_formed", 7.5), ("expected_force", float("nan")), ("p_commit", {state: -3.0}),
             ("force_p95", float("inf"))]  # fmt: skip
    for path, (field, value) in zip(files, edits, strict=False):
        entry = json.loads(path.read_text())
        entry["result"][field] = value
        path.write_text(json.dumps(entry))  # NaN and Infinity as JSON writes them
    again = run_sweep(sw, Serial(), store)
    assert (again.computed, again.cached) == (len(edits), len(sw.points) - len(edits))
    pd.testing.assert_frame_equal(again.table, first.table)
    assert all(cache_mod.sound(json.loads(p.read_text())["result"]) for p in files)  # rewritten
    assert cache_mod.sound({"p_formed": 1.0, "rounds_to_form_median": None, "p_commit": {}})
    assert not cache_mod.sound({"accepts": {"ISR": 1.5}})
    assert not cache_mod.sound({"p_commit_by_kind": {"IDN": {"troops": -0.1}}})


def test_an_interrupted_batched_sweep_keeps_the_groups_it_finished(tmp_path, monkeypatch) -> None:
    """Points run together are cached as each group finishes; a resumed sweep computes
    only the groups it had not finished, and gives the table of a fresh one."""
    from sim.explore import batched

    monkeypatch.setattr(batched, "BATCH", 12)  # two points of 6 runs to a group
    sw = load_sweep(SWEEPS / "decommissioning_x_force.yaml", runs=6)
    assert len(sw.points) >= 4 and batched.batchable(sw.axes)
    real = batched.run_points
    groups: list[int] = []

    def stop_after(k: int):
        def fake(scenarios):
            if len(groups) == k:
                raise KeyboardInterrupt
            groups.append(len(scenarios))
            return real(scenarios)

        return fake

    cache = PointCache(tmp_path / "cache")
    monkeypatch.setattr(batched, "run_points", stop_after(1))
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sw, Serial(), cache)
    assert groups == [2] and len(list((tmp_path / "cache").glob("*.json"))) == 2
    monkeypatch.setattr(batched, "run_points", stop_after(99))
    resumed = run_sweep(sw, Serial(), cache)
    assert (resumed.computed, resumed.cached) == (len(sw.points) - 2, 2)
    fresh = run_sweep(sw, Serial(), PointCache(None))
    pd.testing.assert_frame_equal(resumed.table, fresh.table)


def _sweep_csv(tmp_path: Path, name: str, *options: str) -> bytes:
    out = tmp_path / name
    argv = ["sweep", str(SWEEPS / "decommissioning_x_force.yaml"), "--runs", "6"]
    argv += ["--out", str(out), "--cache", str(tmp_path / f"cache-{name}"), *options]
    argv += ["--formats", "none"]  # sweep.csv is compared, not the charts
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    return (out / "sweep.csv").read_bytes()


def test_one_worker_two_workers_and_dask_give_identical_results(tmp_path) -> None:
    one = _sweep_csv(tmp_path, "one")
    assert _sweep_csv(tmp_path, "two", "--workers", "2") == one
    assert _sweep_csv(tmp_path, "dask", "--scheduler", "local", "--workers", "2") == one


def test_latin_hypercube_is_stratified_and_seeded(tmp_path) -> None:
    body = (
        f"base: {FLAGSHIP}\ndesign: lhs\nsamples: 5\nruns: 4\n"
        "axes:\n"
        "  - path: states.PAK.domestic_opposition\n    values: {from: 0.2, to: 0.7}\n"
        "  - path: mandate.use_of_force\n    values: [self_defence, enforcement]\n"
    )
    file = tmp_path / "lhs.yaml"
    file.write_text(body)
    sw = load_sweep(file)
    assert sw.points == load_sweep(file).points
    x = np.array([p["states.PAK.domestic_opposition"] for p in sw.points])
    assert sorted(np.floor((x - 0.2) / 0.5 * 5).astype(int)) == [0, 1, 2, 3, 4]
    assert {p["mandate.use_of_force"] for p in sw.points} <= {"self_defence", "enforcement"}
    file.write_text(body.replace("runs: 4", "runs: 4\nseed: 7"))
    assert load_sweep(file).points != sw.points
    result = run_sweep(sw, Serial(), PointCache(None))
    charts = write_sweep(sw, result, tmp_path / "out", ["test"])
    assert [c["name"] for c in charts] == ["sweep_outcome"]
    assert not (tmp_path / "out" / "tipping.csv").exists()
    assert "Latin hypercube" in (tmp_path / "out" / "sweep.md").read_text()


AXIS = "  - path: {path}\n    values: {values}\n"
BAD = {
    "unknown path": (
        AXIS.format(path="mandate.use_of_forse", values="[enforcement]"),
        "did you mean 'use_of_force'?",
    ),
    "unknown state": (
        AXIS.format(path="states.PAX.conformity", values="[0.1]"),
        "did you mean 'PAK'?",
    ),
    "level outside the vocabulary": (
        AXIS.format(path="mandate.use_of_force", values="[enforcment]"),
        "did you mean 'enforcement'?",
    ),
    "task outside the vocabulary": (
        AXIS.format(path="mandate.tasks.weapons_decomissioning", values="[true]"),
        "did you mean 'weapons_decommissioning'?",
    ),
    "clarity above 1": (
        AXIS.format(path="mandate.clarity", values="{from: 0.5, to: 1.5, steps: 3}"),
        "[0, 1]",
    ),
    "deadline beyond the rounds": (
        AXIS.format(path="broker.deadline", values="[20, 40]"),
        "run.rounds",
    ),
    "range on a categorical term": (
        AXIS.format(path="mandate.funding", values="{from: self_funded, to: un_assessed}"),
        "applies to numbers and ordinal terms",
    ),
    "task axis with words": (
        AXIS.format(path="mandate.tasks.weapons_decommissioning", values="[with, without]"),
        "true (carried) or false",
    ),
    "numeric range without steps": (
        AXIS.format(path="mandate.clarity", values="{from: 0.2, to: 0.8}"),
        "needs 'steps'",
    ),
    "repeated value": (
        AXIS.format(path="mandate.use_of_force", values="[enforcement, enforcement]"),
        "listed twice",
    ),
}


@pytest.mark.parametrize("axis, expected", list(BAD.values()), ids=list(BAD))
def test_bad_axes_are_refused_in_one_line_and_nothing_is_written(tmp_path, axis, expected):
    file = tmp_path / "bad.yaml"
    file.write_text(f"base: {FLAGSHIP}\naxes:\n{axis}")
    _refused(tmp_path, file, expected)


@pytest.mark.parametrize(
    "body, expected",
    [
        ("axis:\n  - {path: mandate.zone, values: [perimeter]}\n", "did you mean 'axes'?"),
        (
            "design: gird\naxes:\n  - {path: mandate.zone, values: [perimeter]}\n",
            "did you mean 'grid'?",
        ),
        ("design: lhs\naxes:\n  - {path: mandate.zone, values: [perimeter]}\n", "needs 'samples'"),
        ("axes:\n  - {path: mandate.zone, valeus: [perimeter]}\n", "did you mean 'values'?"),
    ],
)
def test_bad_sweep_files_are_refused_in_one_line(tmp_path, body, expected) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(f"base: {FLAGSHIP}\n{body}")
    _refused(tmp_path, file, expected)


def test_a_missing_base_is_refused(tmp_path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("base: nowhere.yaml\naxes:\n  - {path: mandate.zone, values: [perimeter]}\n")
    _refused(tmp_path, file, "base scenario file not found")


def _refused(tmp_path: Path, file: Path, expected: str) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = runner.invoke(app, ["sweep", str(file), "--out", str(out), "--cache", str(cache)])
    assert result.exit_code == 2
    line = one_line(result.output)
    assert expected in line
    assert "bad.yaml" in line
    assert not out.exists() and not cache.exists()


def test_missing_dask_is_one_line_saying_how_to_install(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    out, cache = tmp_path / "out", tmp_path / "cache"
    argv = ["sweep", str(SWEEPS / "decommissioning_x_force.yaml"), "--scheduler", "local"]
    result = runner.invoke(app, [*argv, "--out", str(out), "--cache", str(cache)])
    assert result.exit_code == 2
    assert 'pip install ".[dask]"' in one_line(result.output)
    assert not out.exists() and not cache.exists()
