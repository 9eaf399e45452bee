"""forcegen robust: candidate mandates ranked across the same sampled worlds.

The criteria are checked on made-up shares (a candidate better in every world
ranks first under each, with regret 0), then on the flagship with tiny worlds
and runs: a candidate that cannot form (a 4-week deadline) loses under every
criterion, the same seed gives the same bytes, the blocks the runs are cut
into give what `run_design` gives, and bad input is one line, exit 2, with
nothing written. The example in docs/study.md is run as written.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import in_process
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.engine.design import run_design
from sim.parallel import Serial
from sim.scenario.drawn import drawn_names
from sim.study import robust
from sim.study.robust import (
    CRITERIA,
    evaluate,
    load_study,
    ranking,
    sample_worlds,
    scores,
    separation,
    summarise,
)

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
SWEEPS = ROOT / "scenarios" / "sweeps"
runner = CliRunner()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def sweep_file(tmp_path: Path, axes: list[dict], name: str = "cand") -> Path:
    data = {"name": name, "base": str(FLAGSHIP), "axes": axes}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def deadline_sweep(tmp_path: Path) -> Path:
    """Two candidates: a 4-week deadline (nothing can form) listed first, then 26 weeks."""
    return sweep_file(tmp_path, [{"path": "broker.deadline", "values": [4, 26]}])


# ---------------------------------------------------------------- criteria on made-up shares


def dominated_shares() -> np.ndarray:
    """Three candidates over 40 worlds; candidate 2 is above the others in every world."""
    rng = np.random.default_rng(7)
    others = rng.uniform(0.0, 0.8, size=(2, 40))
    best = others.max(axis=0) + rng.uniform(0.01, 0.2, size=40)
    return np.vstack([others, best])


@pytest.mark.parametrize("criterion", CRITERIA)
def test_a_candidate_better_in_every_world_ranks_first(criterion: str) -> None:
    P = dominated_shares()
    assert ranking(scores(P), criterion)[0] == 2


def test_regret_of_the_best_in_every_world_is_zero() -> None:
    s = scores(dominated_shares())
    assert s["regret"][2] == 0.0
    assert (s["regret"][:2] > 0).all()


def test_worst_decile_is_the_mean_of_the_worst_tenth() -> None:
    P = np.array([np.arange(20) / 20])  # 20 worlds: the worst two are 0 and 0.05
    assert scores(P)["worst_decile"][0] == pytest.approx(0.025)


def test_regret_is_lower_better() -> None:
    P = np.array([[0.5, 0.5], [0.4, 0.6], [0.0, 1.0]])  # best per world: 0.5, 1.0
    s = scores(P)
    np.testing.assert_allclose(s["regret"], [0.5, 0.4, 0.5])
    assert ranking(s, "regret") == [1, 0, 2]  # 0 and 2 tie on regret and mean: file order


def test_ties_are_broken_by_mean_then_order() -> None:
    P = np.array([[0.2, 0.4], [0.2, 0.6], [0.2, 0.6]])
    s = scores(P)
    assert ranking(s, "worst_decile") == [1, 2, 0]  # all tie at 0.2; mean 0.4, 0.4, 0.3


def test_overlapping_intervals_are_not_separated_and_more_worlds_are_estimated() -> None:
    rng = np.random.default_rng(3)
    base = rng.uniform(0, 1, size=30)
    P = np.vstack([np.clip(base + 0.02, 0, 1), base])
    boot = robust.bootstrap_means(P, seed=1)
    lo, hi = robust.interval(boot)
    sep = separation(P, [0, 1], lo, hi, boot)
    assert not sep.separated
    assert sep.worlds_needed is not None and sep.worlds_needed > 30
    assert sep.paired_separated  # the same worlds: the +2 points show in the pairs


def test_far_apart_candidates_are_separated() -> None:
    P = np.vstack([np.full(30, 0.9), np.full(30, 0.1)])
    boot = robust.bootstrap_means(P, seed=1)
    lo, hi = robust.interval(boot)
    sep = separation(P, [0, 1], lo, hi, boot)
    assert sep.separated and sep.worlds_needed is None


def test_the_bootstraps_memory_chunk_does_not_change_its_means(monkeypatch) -> None:
    """`BOOTSTRAP_CELLS` bounds how many resampled indices are held at once, and only
    that: cut into chunks of 7 resamples, the means are those drawn in one piece."""
    P = np.random.default_rng(5).uniform(0, 1, size=(3, 40))
    whole = robust.bootstrap_means(P, seed=1, B=100)
    assert robust.BOOTSTRAP_CELLS // 40 >= 100  # one chunk at the shipped size
    drawn, real = [], np.random.default_rng

    class Spy:
        def __init__(self, seed) -> None:
            self.rng = real(seed)

        def integers(self, low, high, size):
            drawn.append(size)
            return self.rng.integers(low, high, size=size)

    monkeypatch.setattr(robust, "BOOTSTRAP_CELLS", 7 * 40)
    monkeypatch.setattr(np.random, "default_rng", Spy)
    np.testing.assert_array_equal(robust.bootstrap_means(P, seed=1, B=100), whole)
    assert drawn == [(7, 40)] * 14 + [(2, 40)]


# ---------------------------------------------------------------- worlds and runs


def test_worlds_are_a_latin_hypercube_from_the_seed() -> None:
    W = sample_worlds(E=3, N=10, seed=5)
    assert W.shape == (10, 3)
    for j in range(3):  # one world in each tenth of every range
        assert sorted((W[:, j] * 10).astype(int)) == list(range(10))
    np.testing.assert_array_equal(W, sample_worlds(E=3, N=10, seed=5))
    assert not np.array_equal(W, sample_worlds(E=3, N=10, seed=6))


def test_blocks_give_what_run_design_gives(deadline_sweep: Path, monkeypatch) -> None:
    """Cut into blocks of 7 runs (mid-world), candidate by candidate: run i is run i of
    the seed at world i // M, as run_design on the repeated worlds computes it."""
    st = load_study(deadline_sweep, worlds=3, runs_per_world=4)
    monkeypatch.setattr(robust, "BATCH", 7)
    shares = evaluate(st, Serial())
    for k, C in enumerate(st.compiled):
        runs = run_design(C, np.repeat(st.worlds, 4, axis=0), st.seed)["runs"]
        formed = (runs.sort_values("run")["outcome"] == "formed").to_numpy().reshape(3, 4)
        np.testing.assert_array_equal(shares.formed[k], formed.mean(axis=1))


def test_a_wide_scenarios_tasks_keep_to_the_batch_memory_bound(
    deadline_sweep: Path, monkeypatch
) -> None:
    """Each task holds at most the runs `ensemble.batch_runs` allows the candidate (the
    memory bound of a batch), not a whole BATCH."""
    from sim.engine import ensemble

    st = load_study(deadline_sweep, worlds=3, runs_per_world=4)
    monkeypatch.setattr(ensemble, "BATCH_BYTES", 1)  # room for one run a batch
    spans = [(k, args[3] - args[2]) for k, args in robust._jobs(st)]
    assert {n for _, n in spans} == {1}
    assert sum(n for k, n in spans if k == 0) == 12  # every run of the candidate, once


def test_a_candidate_that_cannot_form_loses_under_every_criterion(deadline_sweep) -> None:
    st = load_study(deadline_sweep, worlds=6, runs_per_world=5)
    res = summarise(st, evaluate(st, Serial()))
    P = res.shares.formed
    assert (P[1] >= P[0]).all() and P[1].sum() > 0 and P[0].sum() == 0
    for criterion in CRITERIA:
        assert ranking(res.scores, criterion)[0] == 1  # listed second, ranked first
    assert res.scores["regret"][1] == 0.0


def test_worlds_table_holds_real_values_inside_the_ranges(deadline_sweep) -> None:
    st = load_study(deadline_sweep, worlds=4, runs_per_world=2)
    res = summarise(st, evaluate(st, Serial()))
    table = robust.worlds_table(res)
    names = drawn_names(st.compiled[0])
    assert list(table.columns[4:]) == names
    assert len(table) == 2 * 4
    values = table[names].to_numpy()
    assert (values >= st.low - 1e-9).all() and (values <= st.high + 1e-9).all()


# ---------------------------------------------------------------- the command


def run_cli(*argv: str):
    return runner.invoke(app, ["robust", *argv])


def test_the_command_writes_the_folder_and_the_same_seed_gives_the_same_bytes(
    deadline_sweep: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # About a fifth of the flagship's runs form: 40 runs per candidate make one certain.
    argv = [str(deadline_sweep), "--worlds", "8", "--runs-per-world", "5", "--workers", "1"]
    first = run_cli(*argv)  # the default folder: results/<sweep name>-robust
    assert first.exit_code == 0, first.output
    assert "2 candidates × 8 worlds × 5 runs per world = 80 runs" in first.output
    a = tmp_path / "results" / "cand-robust"
    again = run_cli(*argv, "--out", str(tmp_path / "b"))
    assert again.exit_code == 0, again.output
    for name in ("robust.csv", "worlds.csv", "robust.md", "robust.png"):
        assert (a / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    table = pd.read_csv(a / "robust.csv")
    assert list(table["candidate"]) == [1, 0]
    assert list(table["rank"]) == [1, 2]
    assert table.loc[0, "regret"] == 0.0
    assert "broker.deadline" in table.columns


def test_workers_and_scheduler_are_those_of_the_other_ensemble_commands() -> None:
    import typer

    group = typer.main.get_command(app)

    def options(name: str) -> list:
        params = {p.name: p for p in group.commands[name].params}
        return [
            (p.default, p.help, getattr(getattr(p, "type", None), "min", None))
            for p in (params["workers"], params["scheduler"])
        ]

    assert options("robust") == options("sweep")


def test_default_workers_come_from_the_total_runs_and_are_capped(
    deadline_sweep: Path, tmp_path: Path, monkeypatch
) -> None:
    import sim.parallel
    from sim.parallel import cores

    asked: list[dict] = []

    def fake(workers=0, scheduler=None, runs=0, engine="fast", warm=(), run_seconds=None):
        asked.append({"workers": workers, "scheduler": scheduler, "runs": runs})
        assert run_seconds is not None and run_seconds > 0  # the candidates' own cost
        return Serial()

    monkeypatch.setattr(sim.parallel, "make_executor", fake)
    argv = [str(deadline_sweep), "--worlds", "2", "--runs-per-world", "3"]
    result = run_cli(*argv, "--out", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    result = run_cli(*argv, "--workers", "64", "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    note = f"note: --workers 64: this machine has {cores()} cores; using {cores()}"
    assert note in result.output.splitlines()
    assert asked == [
        {"workers": 0, "scheduler": None, "runs": 2 * 2 * 3},
        {"workers": cores(), "scheduler": None, "runs": 2 * 2 * 3},
    ]


def refused(argv: list[str], tmp_path: Path) -> str:
    out = tmp_path / "out"
    result = run_cli(*argv, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert not out.exists()
    return one_line(result.output)


def test_a_sweep_over_a_judgement_range_is_refused(tmp_path: Path) -> None:
    line = refused([str(SWEEPS / "target_x_deadline.yaml")], tmp_path)
    assert "robust: axis broker.target varies a judgement range; robust compares mandates" in line


def test_an_actor_range_axis_is_refused(tmp_path: Path) -> None:
    axes = [
        {"path": "mandate.national_caveats", "values": [False, True]},
        {"path": "states.PAK.domestic_opposition", "values": [0.2, 0.8]},
    ]
    line = refused([str(sweep_file(tmp_path, axes))], tmp_path)
    assert "axis states.PAK.domestic_opposition varies a judgement range" in line


def test_an_axis_that_is_not_a_lever_is_refused(tmp_path: Path) -> None:
    axes = [{"path": "decision.bandwagon", "values": [0.1, 0.3]}]
    line = refused([str(sweep_file(tmp_path, axes))], tmp_path)
    assert "axis decision.bandwagon is not a lever" in line


def test_a_study_above_the_cap_is_refused_before_running(forcegen, tmp_path: Path) -> None:
    """The product of both options is what is too big: the line names both."""
    out = tmp_path / "out"
    argv = ["--worlds", "10000", "--runs-per-world", "200", "--out", out]
    line = in_process.refused(forcegen("robust", SWEEPS / "robust_mandates.yaml", *argv))
    assert line == (
        "error: --worlds × --runs-per-world: 4 candidates × 10,000 worlds × 200 runs per "
        "world = 8,000,000 runs; robust runs at most 2,000,000: lower --worlds or "
        "--runs-per-world, or give the sweep fewer points"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--criterion", "worst_decle"], "did you mean 'worst_decile'"),
        (["--worlds", "1"], "--worlds: expected a whole number >= 2"),
        (["--runs-per-world", "0"], "--runs-per-world: expected a whole number >= 1"),
        (["--seed", "-1"], "--seed: expected a whole number >= 0"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, options, expected) -> None:
    line = refused([str(SWEEPS / "robust_mandates.yaml"), *options], tmp_path)
    assert expected in line


def test_a_single_candidate_is_refused(tmp_path: Path) -> None:
    axes = [{"path": "mandate.national_caveats", "values": [True]}]
    line = refused([str(sweep_file(tmp_path, axes))], tmp_path)
    assert "at least two candidate mandates" in line


def test_a_folder_of_the_users_is_refused(deadline_sweep: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    result = run_cli(str(deadline_sweep), "--worlds", "2", "--out", str(mine))
    assert result.exit_code == 2
    assert "forcegen did not write" in one_line(result.output) or "not written by" in result.output
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


# ---------------------------------------------------------------- docs/study.md


DOC = ROOT / "docs" / "study.md"


def doc_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Robust mandates")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def doc_commands() -> list[list[str]]:
    blocks = re.findall(r"^```sh\n(.*?)^```", doc_section(), re.DOTALL | re.MULTILINE)
    lines = [ln for b in blocks for ln in b.splitlines() if ln.startswith("forcegen robust")]
    return [shlex.split(ln)[1:] for ln in lines]


def test_the_doc_example_runs_and_its_table_is_what_it_writes(tmp_path: Path, monkeypatch):
    commands = doc_commands()
    assert commands, "docs/study.md has no forcegen robust example"
    monkeypatch.chdir(ROOT)
    rows = [ln for ln in doc_section().splitlines() if re.match(r"^\| \d+ \| ", ln)]
    assert rows
    for i, argv in enumerate(commands):
        out = tmp_path / f"doc{i}"
        result = runner.invoke(
            app, [*argv, "--workers", "1", "--out", str(out), "--formats", "none"]
        )
        assert result.exit_code == 0, result.output
        written = (out / "robust.md").read_text(encoding="utf-8")
        for row in rows:
            assert row in written, row
