"""The point cache that makes a sweep resumable.

One JSON file per finished point, named by a key made of the resolved
scenario's sha256 (which includes its seed and run count), the seed, the run
count and a fingerprint of the model code. A sweep that is interrupted and run
again finds the finished points here and computes only the rest; a changed
scenario, seed, run count or model gives a new key, so a stale point is never
served. Files are written whole (temporary file, then rename), so an
interruption never leaves a half-written point; a cache that cannot be written
(read-only, full) stops the sweep with one line (FolderError, exit status 1).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from sim import interrupt
from sim.explore.runner import code_fingerprint
from sim.output.folder import FolderError

DEFAULT_DIR = Path(".sweep-cache")


def point_key(scenario_sha256: str, seed: int, runs: int, detail: int = 0) -> str:
    """The cache key of one point."""
    text = f"{scenario_sha256}|seed={seed}|runs={runs}|detail={detail}|code={code_fingerprint()}"
    return hashlib.sha256(text.encode()).hexdigest()


SHARES = ("p_commit", "p_commit_by_kind", "accepts", "acceptance", "red_line_binds")
"""A point's mappings whose values are shares of runs (or an acceptance), in [0, 1]."""


def sound(value: Any, share: bool = False) -> bool:
    """A result as `point_result` makes them: every number finite, every share (a
    `p_...` field, or a value under SHARES) in [0, 1]. A point edited by hand, or
    damaged, is computed again rather than served (JSON reads NaN and Infinity)."""
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value) and (not share or 0.0 <= value <= 1.0)
    if isinstance(value, dict):
        return all(sound(v, share or k.startswith("p_") or k in SHARES) for k, v in value.items())
    if isinstance(value, list):
        return all(sound(v, share) for v in value)
    return False


class PointCache:
    """Finished points under a folder (created on the first write only)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = None if folder is None else Path(folder)

    def _file(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key[:40]}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached result for `key`, or None (also for a damaged file, or a result
        that is not `sound`)."""
        if self.folder is None:
            return None
        try:
            entry = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        result = entry.get("result")
        return result if isinstance(result, dict) and sound(result) else None

    def put(self, key: str, result: dict[str, Any]) -> None:
        """Store a finished point atomically."""
        if self.folder is None:
            return
        interrupt.check()  # a point computed after Ctrl-C may hold a swallowed interrupt
        text = json.dumps({"key": key, "result": result}, sort_keys=True, indent=1)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".point-", suffix=".tmp", dir=self.folder)
        except OSError as exc:
            raise self._error(exc) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            os.replace(tmp, self._file(key))
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise self._error(exc) from None
            raise

    def _error(self, exc: OSError) -> FolderError:
        """A cache that cannot be written: a fault of the environment, one line, exit 1."""
        why = exc.strerror or str(exc)
        return FolderError(f"--cache {str(self.folder)!r}: cannot write a finished point: {why}", 1)
