"""What a results folder was made from, and what changes when it is replaced.

`forcegen run` may replace a folder it made before (never one of the user's:
see `folder.py`). When the folder it replaces was made from other inputs
(another scenario file, seed, run count or engine), the user is told in one
line, so a report that pointed at the old numbers is not silently wrong.
"""

from __future__ import annotations

import functools
import json
from importlib import metadata
from pathlib import Path

COMPARED = ("model_sha256", "seed", "runs", "engine", "detail_runs")
"""Manifest fields whose change means the folder's numbers change (`model_sha256`
is the resolved scenario's hash without its run count and seed)."""


@functools.cache
def installed(package: str) -> str:
    """The installed version of `package`, or 'not installed'. Read once per process:
    each lookup parses the package's metadata file (5-90 ms), and a command asks for
    the same versions for its manifest and for each chart's inputs hash."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, or None when it has none (or an unreadable one)."""
    try:
        data = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def changes(old: dict, new: dict) -> list[str]:
    """The inputs that differ, in words: 'the resolved scenario', 'runs 200 → 30'."""
    out = []
    if _model_changed(old, new):
        out.append("the resolved scenario")
    for key in COMPARED[1:]:
        if old.get(key) != new.get(key):
            out.append(f"{key.replace('_', ' ')} {old.get(key)} → {new.get(key)}")
    return out


def _model_changed(old: dict, new: dict) -> bool:
    """The scenario itself changed, beyond its run count and seed.

    A folder from before `model_sha256` has only the hash with the run settings
    in it: a change there counts only when the run count and seed are the same.
    """
    if old.get("model_sha256") is not None:
        return old["model_sha256"] != new.get("model_sha256")
    same_settings = all(old.get(k) == new.get(k) for k in ("runs", "seed"))
    return same_settings and old.get("scenario_sha256") != new.get("scenario_sha256")


def replaced_note(folder: Path, new: dict) -> str | None:
    """A one-line note when `folder` holds results made from other inputs, else None."""
    old = read_manifest(folder)
    if old is None:
        return None
    diff = changes(old, new)
    if not diff:
        return None
    return f"note: replaced {folder}, which was made from other inputs ({'; '.join(diff)})"
