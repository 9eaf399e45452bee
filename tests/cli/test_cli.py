"""The command line end to end: run, validate, bad input, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
PNG = b"\x89PNG\r\n\x1a\n"
CHARTS = (
    "stance_timeline",
    "force_bands",
    "commit_by_kind",
    "coalitions",
    "concessions",
    "acceptance",
)

runner = CliRunner()


@pytest.fixture(scope="module")
def flagship_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("res") / "res2803"
    result = runner.invoke(
        app, ["run", str(FLAGSHIP), "--runs", "40", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_a_complete_folder(flagship_run: Path) -> None:
    names = {p.name for p in flagship_run.iterdir()}
    for expected in (
        "manifest.json",
        "summary.json",
        "runs.csv",
        "rounds.csv",
        "states.csv",
        "report.md",
    ):
        assert expected in names
    for chart in CHARTS:
        png = flagship_run / "charts" / f"{chart}.png"
        assert png.read_bytes()[:8] == PNG
        assert not (flagship_run / "charts" / f"{chart}.svg").exists()  # SVG on request only
    report = (flagship_run / "report.md").read_text()
    for chart in CHARTS:
        assert f"charts/{chart}.png" in report


def test_manifest_names_what_produced_it(flagship_run: Path) -> None:
    manifest = json.loads((flagship_run / "manifest.json").read_text())
    assert manifest["scenario"] == "res2803"
    assert manifest["runs"] == 40
    assert len(manifest["scenario_sha256"]) == 64
    assert {"numpy", "mesa", "pandas", "forcegen"} <= set(manifest["versions"])
    assert manifest["command"][:2] == ["forcegen", "run"]


def test_summary_has_the_documented_shape(flagship_run: Path) -> None:
    s = json.loads((flagship_run / "summary.json").read_text())
    assert s["runs"] == 40
    assert set(s["outcome"]) == {"formed", "undersized", "stalled"}
    assert abs(sum(s["outcome"].values()) - 1.0) < 1e-9
    assert s["force"]["p05"] <= s["force"]["median"] <= s["force"]["p95"]
    assert "median" in s["rounds_to_form"]
    pak = s["states"]["PAK"]
    assert abs(pak["p_commit"] - sum(pak["p_commit_by_kind"].values())) < 1e-6
    assert "troops" in pak["p_commit_by_kind"]
    assert abs(sum(c["share"] for c in s["coalitions"]) - 1.0) < 1e-6 or len(s["coalitions"]) == 10


def test_validate_prints_the_resolved_scenario() -> None:
    result = runner.invoke(app, ["validate", str(FLAGSHIP)])
    assert result.exit_code == 0
    assert "weapons_decommissioning" in result.output
    assert "PAK:" in result.output


def bad_file(tmp_path: Path) -> Path:
    file = tmp_path / "bad.yaml"
    file.write_text(f"extends: {FLAGSHIP}\nmandate:\n  use_of_forse: enforcement\n")
    return file


def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(bad_file(tmp_path)), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "bad.yaml" in lines[0] and "mandate.use_of_forse" in lines[0]
    assert "did you mean 'use_of_force'?" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["run", "{missing}"], "file not found"),
        (["run", "{flagship}", "--runs", "0"], "run.runs"),
        (["run", "{flagship}", "--engine", "turbo"], "--engine"),
        (["validate", "{bad}"], "did you mean 'use_of_force'?"),
    ],
)
def test_refusals_are_one_line_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    names = {
        "missing": str(tmp_path / "missing.yaml"),
        "flagship": str(FLAGSHIP),
        "bad": str(bad_file(tmp_path)),
    }
    argv = [a.format(**names) for a in args] + ["--out", str(tmp_path / "o")] * (args[0] == "run")
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    text = result.output.strip()
    assert len(text.splitlines()) == 1, text
    assert expected in text
    assert not (tmp_path / "o").exists()


def test_failed_run_leaves_no_folder_that_looks_complete(tmp_path: Path, monkeypatch) -> None:
    from sim.output import write

    def boom(*_a, **_k):
        raise RuntimeError("chart failure")

    monkeypatch.setattr(write, "draw_charts", boom)
    out = tmp_path / "res"
    result = runner.invoke(app, ["run", str(FLAGSHIP), "--runs", "5", "--out", str(out), "--quiet"])
    assert result.exit_code != 0
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_rerun_replaces_the_previous_folder(tmp_path: Path) -> None:
    out = tmp_path / "res"
    for runs in ("5", "7"):
        argv = ["run", str(FLAGSHIP), "--runs", runs, "--out", str(out), "--quiet"]
        result = runner.invoke(app, [*argv, "--formats", "none"])
        assert result.exit_code == 0
    assert json.loads((out / "summary.json").read_text())["runs"] == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "run" in proc.stdout and "validate" in proc.stdout


def _same_bytes(tmp_path: Path, runs: str, *options: str) -> list[Path]:
    """Run with `--workers 1` and with `options`; assert every file but the manifest
    is the same, byte for byte; return the files compared."""
    folders = []
    for name, opts in (("one", ("--workers", "1")), ("other", options)):
        out = tmp_path / name
        args = ["run", str(FLAGSHIP), "--runs", runs, "--out", str(out), "--quiet"]
        result = runner.invoke(app, [*args, *opts, "--detail-runs", "10"])
        assert result.exit_code == 0, result.output
        folders.append(out)
    one, two = folders
    names = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for name in names:
        if name.name == "manifest.json":
            continue
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    return names


def test_run_with_two_workers_writes_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    """The pool's workers write parts of params.csv and draw the charts while this
    process writes the other tables and the last part: the folder is the one a
    single process writes."""
    from sim.output import write
    from sim.parallel import Pool

    handed = []
    start = Pool.start

    def spy(self, fn, jobs):
        if fn is write._call:
            handed.extend(job[0].__name__ for job in jobs)
        return start(self, fn, jobs)

    monkeypatch.setattr(Pool, "start", spy)
    monkeypatch.setattr(write, "SPLIT_ROWS", 10)  # 30 runs: params.csv in three parts
    _same_bytes(tmp_path, "30", "--workers", "2")
    assert handed[:2] == ["write", "write"] and handed.count("write") == 2
    assert handed.count("_draw_one") >= 5 and "write_table" not in handed  # tables here
    assert not list((tmp_path / "other").glob(".params.part*"))


def test_run_on_a_local_dask_cluster_writes_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    """Ensemble batches and charts on a Dask LocalCluster: the CSV tables (and the
    charts and report) are those of one worker."""
    from sim.parallel import Dask, cores

    ran = []
    imap = Dask.imap

    def spy(self, fn, jobs):
        ran.append(fn.__name__)
        return imap(self, fn, jobs)

    monkeypatch.setattr(Dask, "imap", spy)
    names = _same_bytes(tmp_path, "40", "--scheduler", "local")
    assert ran[0] == "run_batch" and ("_draw_one" in ran or cores() == 1)
    assert {"runs.csv", "params.csv", "commits.csv", "bands.csv"} <= {n.name for n in names}
    assert any(n.parent.name == "charts" for n in names)


def test_interrupted_run_says_so_in_one_line_and_leaves_no_folder(
    tmp_path: Path, monkeypatch
) -> None:
    from sim.output import write

    def interrupt(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "draw_charts", interrupt)
    out = tmp_path / "res"
    result = runner.invoke(app, ["run", str(FLAGSHIP), "--runs", "5", "--out", str(out), "--quiet"])
    assert result.exit_code == 130
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted:")
    assert list(tmp_path.iterdir()) == []


def test_replacing_results_made_from_other_inputs_is_said(tmp_path: Path) -> None:
    """A folder forcegen made may be replaced, but not silently when its inputs differ."""
    out = tmp_path / "res"

    def run(*extra: str) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "sim", "run", str(FLAGSHIP), "--out", str(out), "--quiet"]
        return subprocess.run(
            [*argv, "--detail-runs", "2", "--formats", "none", *extra],
            capture_output=True,
            text=True,
            check=False,
        )

    first = run("--runs", "6")
    same = run("--runs", "6")
    other = run("--runs", "8")
    assert (first.returncode, same.returncode, other.returncode) == (0, 0, 0)
    assert first.stderr == "" and same.stderr == ""
    assert other.stderr.strip() == (
        f"note: replaced {out}, which was made from other inputs (runs 6 → 8)"
    )
    assert json.loads((out / "manifest.json").read_text())["runs"] == 8
