"""The files the repository ships, as git tracks them.

Tests of shipped scenarios and sweeps read what git tracks, not what a folder
holds, so a user's own variant saved under scenarios/ (as the README suggests)
is never collected by `make test`.
"""

from __future__ import annotations

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
