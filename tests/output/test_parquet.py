"""`--format parquet`: the tables of `forcegen run` and a sweep's runs as Parquet.

The Parquet tables hold what the CSV tables hold (with their types kept); the
charts, report and summary are the same bytes whichever format; the manifest
and the marker name the files written; a sweep's runs of every point are one
dataset; a bad format or a missing pyarrow is one line and exit status 2.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.output.table_format import NEEDS_PYARROW
from sim.output.write import read_table

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
SWEEP = ROOT / "scenarios" / "sweeps" / "decommissioning_x_force.yaml"
TABLES = ("runs", "params", "commits", "coalitions", "bands", "rounds", "states")
RUN = ["--runs", "12", "--seed", "5", "--detail-runs", "4", "--quiet"]
BARE = ["--formats", "none"]
"""No chart files, where the tables, not the charts, are the subject."""
runner = CliRunner()


def run(*args: str) -> object:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("fmt")
    csv, pq = root / "csv", root / "pq"
    assert run("run", str(FLAGSHIP), *RUN, "--out", str(csv)).exit_code == 0
    result = run("run", str(FLAGSHIP), *RUN, "--out", str(pq), "--format", "parquet")
    assert result.exit_code == 0, result.output
    return csv, pq


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", TABLES)
def test_parquet_tables_hold_what_the_csv_tables_hold(folders, name: str) -> None:
    csv, pq = folders
    assert not (pq / f"{name}.csv").exists()
    from_parquet = pd.read_parquet(pq / f"{name}.parquet")
    from_csv = pd.read_csv(csv / f"{name}.csv")
    assert list(from_parquet.columns) == list(from_csv.columns)
    assert len(from_parquet) == len(from_csv) > 0
    # CSV loses types (a whole number with blanks becomes float, empty text becomes
    # missing); Parquet keeps them: compare the values, blank and missing alike
    pd.testing.assert_frame_equal(plain(from_parquet), plain(from_csv), check_dtype=False)


def plain(table: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, with empty text and every kind of missing as None."""
    values = table.astype(object).where(table.notna(), None)
    return values.map(lambda v: None if v == "" else v)


def test_parquet_keeps_the_tables_types_exactly(folders) -> None:
    _, pq = folders
    res = sim.run(FLAGSHIP, runs=12, seed=5, detail_runs=4)
    for name in TABLES:
        table = pd.read_parquet(pq / f"{name}.parquet")
        pd.testing.assert_frame_equal(table, res.tables[name], obj=name)
    runs = pd.read_parquet(pq / "runs.parquet")
    assert runs["run"].dtype == "int64" and runs["force"].dtype == "float64"
    assert pd.api.types.is_string_dtype(runs["outcome"])
    states = pd.read_parquet(pq / "states.parquet")
    assert states["counted"].dtype == bool


def test_charts_report_and_summary_are_the_same_from_either_format(folders) -> None:
    csv, pq = folders
    tables = {f"{t}.csv" for t in TABLES} | {f"{t}.parquet" for t in TABLES}
    others = files(csv) - tables - {"manifest.json", ".forcegen", "deployments.csv"}
    assert "report.md" in others and "summary.json" in others
    assert any(f.startswith("charts/") for f in others)
    assert others == files(pq) - tables - {"manifest.json", ".forcegen", "deployments.parquet"}
    for name in sorted(others):
        assert (csv / name).read_bytes() == (pq / name).read_bytes(), name


def test_manifest_and_marker_list_the_files_written(folders) -> None:
    for folder, fmt in zip(folders, ("csv", "parquet"), strict=True):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["format"] == fmt
        written = {f for f in files(folder) if f.endswith((".csv", ".parquet"))}
        assert set(manifest["tables"]) == written
        assert {f"{t}.{fmt}" for t in TABLES} <= written
        marker = (folder / ".forcegen").read_text(encoding="utf-8").splitlines()
        assert written <= set(marker)
        assert ("--format" in manifest["command"]) == (fmt == "parquet")


def test_the_api_saves_the_same_parquet_folder(folders, tmp_path: Path) -> None:
    _, pq = folders
    res = sim.run(FLAGSHIP, runs=12, seed=5, detail_runs=4)
    mine = res.save(tmp_path / "mine", format="parquet", charts="none")
    assert {f for f in files(mine) if f.endswith(".parquet")} == {
        f for f in files(pq) if f.endswith(".parquet")
    }
    for name in TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(mine / f"{name}.parquet"), pd.read_parquet(pq / f"{name}.parquet")
        )


def test_read_table_reads_either_format_alike(folders) -> None:
    csv, pq = folders
    for name in ("runs", "commits"):
        a, b = read_table(csv, name), read_table(pq, name)
        assert list(a.columns) == list(b.columns) and len(a) == len(b)
        for col in a.columns:
            if b[col].dtype == object or pd.api.types.is_string_dtype(b[col]):
                assert list(a[col].astype(str)) == list(b[col].astype(str)), col


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_bad_format_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, command: str) -> None:
    target = str(FLAGSHIP if command == "run" else SWEEP)
    out = tmp_path / "out"
    result = run(command, target, "--out", str(out), "--format", "xlsx")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --format: expected 'csv' or 'parquet', got 'xlsx'"
    ]
    assert not out.exists()


def test_parquet_without_pyarrow_is_one_line_exit_2(tmp_path: Path, monkeypatch) -> None:
    real = importlib.util.find_spec

    def no_pyarrow(name, *args, **kwargs):
        return None if name == "pyarrow" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", no_pyarrow)
    for args in (
        ["run", str(FLAGSHIP), "--runs", "4"],
        ["sweep", str(SWEEP), "--runs", "4", "--cache", str(tmp_path / "c")],
    ):
        out = tmp_path / "out"
        result = run(*args, "--out", str(out), "--format", "parquet")
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [f"error: {NEEDS_PYARROW}"]
        assert not out.exists() and not (tmp_path / "c").exists()


def test_compare_reuses_a_parquet_results_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    other = ROOT / "scenarios" / "isf" / "national_caveats.yaml"
    result = run("run", str(FLAGSHIP), "--runs", "10", "--quiet", "--format", "parquet", *BARE)
    assert result.exit_code == 0, result.output
    result = run("compare", str(FLAGSHIP), str(other), "--runs", "10", "--out", "cmp", *BARE)
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    reused = [s["name"] for s in manifest["scenarios"] if s["reused"]]
    assert reused == ["res2803"], manifest


# ---------------------------------------------------------------- sweep


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sweep")
    out, cache = root / "out", root / "cache"
    args = ["sweep", str(SWEEP), "--runs", "5", "--cache", str(cache), "--format", "parquet", *BARE]
    result = run(*args, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, cache


def test_sweep_runs_dataset_holds_every_points_runs(sweep_folder) -> None:
    out, _ = sweep_folder
    points = pd.read_csv(out / "sweep.csv")
    runs = pd.read_parquet(out / "runs.parquet")
    axes = ["mandate.tasks.weapons_decommissioning", "mandate.use_of_force"]
    assert list(runs.columns[:3]) == ["point", *axes]
    assert len(runs) == 5 * len(points) == 30
    assert runs["point"].dtype == "int64"
    assert runs["mandate.tasks.weapons_decommissioning"].dtype == bool
    for i, group in runs.groupby("point"):
        row = points.loc[points["point"] == i].iloc[0]
        assert sorted(group["run"]) == [0, 1, 2, 3, 4]
        for axis in axes:
            assert set(group[axis]) == {row[axis]}
        # the point's numbers in sweep.csv are those of its runs in the dataset
        assert (group["outcome"] == "formed").mean() == pytest.approx(row["p_formed"])
        assert group["force"].mean() == pytest.approx(row["expected_force"], abs=1e-6)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "parquet"
    assert set(manifest["tables"]) == {"sweep.csv", "tipping.csv", "runs.parquet"}
    assert "runs.parquet" in (out / ".forcegen").read_text(encoding="utf-8").splitlines()


def test_sweep_runs_are_cached_and_the_same_on_resume(sweep_folder, tmp_path: Path) -> None:
    out, cache = sweep_folder
    again = tmp_path / "again"
    args = ["sweep", str(SWEEP), "--runs", "5", "--cache", str(cache), "--format", "parquet", *BARE]
    result = run(*args, "--out", str(again))
    assert result.exit_code == 0 and "computed 0, from the cache 6" in result.output
    pd.testing.assert_frame_equal(
        pd.read_parquet(again / "runs.parquet"), pd.read_parquet(out / "runs.parquet")
    )


def test_a_csv_sweep_writes_no_runs_dataset(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["sweep", str(SWEEP), "--runs", "3", "--cache", str(tmp_path / "c"), *BARE]
    args += ["--out", str(out)]
    assert run(*args).exit_code == 0
    assert not (out / "runs.parquet").exists()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["format"] == "csv"
    # the cache holds points without their runs: a parquet sweep computes them again
    result = run(*args[:-1], str(tmp_path / "pq"), "--format", "parquet")
    assert result.exit_code == 0 and "computed 6, from the cache 0" in result.output
    assert len(pd.read_parquet(tmp_path / "pq" / "runs.parquet")) == 18


def test_the_documented_sweep_example_runs(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "explore.md").read_text(encoding="utf-8")
    section = text.split("### Every run of every point, in one dataset", 1)[1]
    block = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M).group(1)
    lines = [shlex.split(line) for line in block.splitlines() if line.strip()]
    assert [argv[0] for argv in lines] == ["forcegen", "python"]
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    for argv in lines:
        exe = [sys.executable, "-m", "sim"] if argv[0] == "forcegen" else [sys.executable]
        proc = subprocess.run(
            [*exe, *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == 0, proc.stderr
    assert "donor_trust_fund" in proc.stdout and "force" in proc.stdout
    runs = pd.read_parquet(tmp_path / "results" / "sweep-clarity_x_funding" / "runs.parquet")
    assert len(runs) == 9 * 40
