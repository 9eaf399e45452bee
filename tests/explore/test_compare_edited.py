"""compare reuses `results/<name>` only when the tables it reads are as forcegen wrote
them. Before, a runs.csv cut short by hand was read as fewer runs (the comparison
reported 7 of 20 runs, silently), a force made a word or a garbled commits.csv was
a traceback, and a manifest.json that is a list (not a mapping) was a traceback.
Now such a folder is left as it is and the scenario is run again, into the
comparison folder, with the one-line note."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import app

from .conftest import FLAGSHIP, runner

OTHER = FLAGSHIP.parent / "funded.yaml"
BARE = ["--runs", "2", "--formats", "none"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """results/res2803 and results/funded, as a first comparison writes them."""
    base = tmp_path_factory.mktemp("compared")
    argv = ["compare", str(FLAGSHIP), str(OTHER), *BARE, "--out", str(base / "first")]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    return base / "results"


def cut_short(folder: Path) -> None:
    lines = (folder / "runs.csv").read_text().splitlines()
    (folder / "runs.csv").write_text("\n".join(lines[:2]) + "\n")


def force_a_word(folder: Path) -> None:
    runs = pd.read_csv(folder / "runs.csv", dtype=str, keep_default_na=False)
    runs.loc[1, "force"] = "lots"
    runs.to_csv(folder / "runs.csv", index=False)


def garble_commits(folder: Path) -> None:
    (folder / "commits.csv").write_text("garbage")


def manifest_a_list(folder: Path) -> None:
    (folder / "manifest.json").write_text("[1, 2]")


@pytest.mark.parametrize("edit", [cut_short, force_a_word, garble_commits, manifest_a_list])
def test_an_edited_results_folder_is_run_again_not_read(results, tmp_path, monkeypatch, edit):
    shutil.copytree(results, tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "results" / "res2803"
    edit(mine)
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    result = runner.invoke(app, ["compare", str(FLAGSHIP), str(OTHER), *BARE, "--out", "cmp"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "note: results/res2803 holds other results and is left as it is" in result.output
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before  # the edit is kept
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    (first, _) = manifest["scenarios"]
    assert (first["name"], first["reused"], first["results"]) == (
        "res2803",
        False,
        "cmp/runs/res2803",
    )
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert list(table["runs"]) == [2, 2]
    assert [s["reused"] for s in manifest["scenarios"]] == [False, True]


def test_an_untouched_results_folder_is_still_reused(results, tmp_path, monkeypatch) -> None:
    shutil.copytree(results, tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["compare", str(FLAGSHIP), str(OTHER), *BARE, "--out", "cmp"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    assert [s["reused"] for s in manifest["scenarios"]] == [True, True]
