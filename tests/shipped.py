"""The files the repository ships, as git tracks them.

Tests of shipped scenarios and sweeps read what git tracks, not what a folder
holds, so a user's own variant saved under scenarios/ (as the README suggests)
is never collected by `make test`.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path


def tracked(folder: Path, suffix: str = ".yaml") -> list[Path]:
    """Files under `folder` that git tracks, ending in `suffix`; [] without git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", "."],
            cwd=folder,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode("utf-8")
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return []
    files = (folder / p for p in out.split("\0") if p.endswith(suffix))
    return sorted(p for p in files if p.is_file())


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def runnable() -> list[Path]:
    """Every shipped scenario file that runs: not a sweep, not a partial (a file with
    no mandate of its own or from the files it extends, such as isf/actors.yaml)."""
    return list(_runnable())


@functools.cache
def _runnable() -> tuple[Path, ...]:
    """`runnable`, found once per process: seven test modules ask at collection, and
    reading every file each time took 4 s of each worker's start."""
    files = tracked(SCENARIOS) or sorted(SCENARIOS.rglob("*.yaml"))
    return tuple(
        p
        for p in sorted(files)
        if "sweeps" not in p.relative_to(SCENARIOS).parts and _has_mandate(p.resolve())
    )


@functools.cache
def _has_mandate(path: Path) -> bool:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where built with it
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    parents = data.get("extends") or []
    parents = [parents] if isinstance(parents, str) else parents
    return "mandate" in data or any(_has_mandate((path.parent / p).resolve()) for p in parents)
