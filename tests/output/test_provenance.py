"""Replacing a results folder made from other inputs is said, not silent."""

from __future__ import annotations

import json
from pathlib import Path

from sim.output.provenance import replaced_note

BASE = {"scenario_sha256": "abc", "seed": 1, "runs": 200, "engine": "fast", "detail_runs": 50}


def folder_with(tmp_path: Path, manifest: dict | str) -> Path:
    folder = tmp_path / "res"
    folder.mkdir()
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


def test_same_inputs_need_no_note(tmp_path) -> None:
    assert replaced_note(folder_with(tmp_path, BASE), dict(BASE)) is None


def test_other_runs_and_scenario_are_named(tmp_path) -> None:
    note = replaced_note(folder_with(tmp_path, BASE), {**BASE, "runs": 30, "scenario_sha256": "x"})
    assert note is not None and "\n" not in note
    assert "the resolved scenario" in note and "runs 200 → 30" in note


def test_no_manifest_or_a_broken_one_is_no_claim(tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert replaced_note(empty, BASE) is None
    assert replaced_note(folder_with(tmp_path, "{not json"), BASE) is None
