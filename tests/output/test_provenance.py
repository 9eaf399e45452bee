"""Replacing a results folder made from other inputs is said, not silent."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from sim.output import provenance
from sim.output.provenance import replaced_note
from sim.output.write import PACKAGES, versions

BASE = {
    "model_sha256": "abc",
    "scenario_sha256": "abc1",
    "seed": 1,
    "runs": 200,
    "engine": "fast",
    "detail_runs": 50,
}


def folder_with(tmp_path: Path, manifest: dict | str) -> Path:
    folder = tmp_path / "res"
    folder.mkdir()
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


def test_same_inputs_need_no_note(tmp_path) -> None:
    assert replaced_note(folder_with(tmp_path, BASE), dict(BASE)) is None


def test_other_runs_and_scenario_are_named(tmp_path) -> None:
    note = replaced_note(folder_with(tmp_path, BASE), {**BASE, "runs": 30, "model_sha256": "x"})
    assert note is not None and "\n" not in note
    assert "the resolved scenario" in note and "runs 200 → 30" in note


def test_only_the_run_count_changed_is_not_called_a_new_scenario(tmp_path) -> None:
    note = replaced_note(folder_with(tmp_path, BASE), {**BASE, "runs": 30, "scenario_sha256": "y"})
    assert note is not None and "runs 200 → 30" in note
    assert "scenario" not in note.split("(", 1)[1]


def test_a_folder_from_before_the_model_hash(tmp_path) -> None:
    old = {k: v for k, v in BASE.items() if k != "model_sha256"}
    new_settings = {**BASE, "runs": 30, "scenario_sha256": "y"}
    assert "scenario" not in replaced_note(folder_with(tmp_path, old), new_settings).split("(")[1]
    same_settings = {**BASE, "scenario_sha256": "y"}
    assert "the resolved scenario" in replaced_note(tmp_path / "res", same_settings)


def test_no_manifest_or_a_broken_one_is_no_claim(tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert replaced_note(empty, BASE) is None
    assert replaced_note(folder_with(tmp_path, "{not json"), BASE) is None


def test_versions_are_read_once_per_process_and_a_missing_package_is_named(monkeypatch) -> None:
    provenance.installed.cache_clear()
    read = []
    real = metadata.version

    def counted(name: str) -> str:
        read.append(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", counted)
    first = versions()
    assert versions() == first and first["numpy"] == real("numpy")
    assert sorted(read) == sorted(PACKAGES)  # each package's metadata read once
    assert provenance.installed("no-such-package-forcegen") == "not installed"
    provenance.installed.cache_clear()
