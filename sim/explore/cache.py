"""The point cache that makes a sweep resumable.

One JSON file per finished point, named by a key made of the resolved
scenario's sha256 (which includes its seed and run count), the seed, the run
count and a fingerprint of the model code. A sweep that is interrupted and run
again finds the finished points here and computes only the rest; a changed
scenario, seed, run count or model gives a new key, so a stale point is never
served. Files are written whole (temporary file, then rename), so an
interruption never leaves a half-written point; a cache that cannot be written
(read-only, full) stops the sweep with one line (FolderError, exit status 1).

The cache folder is forcegen's own: it carries a marker file (`.forcegen-cache`),
written with the first point. Before a sweep runs anything, a folder that holds
anything but the marker and the cache's own files (a user's folder, given as
`--cache`) is refused in one line (`check_cache`, exit status 2), so forcegen never
adds files among a user's. A cache written before the marker existed (only point
files) is recognised and marked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from sim import interrupt
from sim.explore.runner import code_fingerprint
from sim.output.folder import FolderError

DEFAULT_DIR = Path(".sweep-cache")
MARKER = ".forcegen-cache"
"""The file that makes a folder forcegen's point cache."""
MARKER_HEAD = "# a forcegen sweep cache"
MARKER_TEXT = (
    f"{MARKER_HEAD}: one finished point per <key>.json, added by forcegen;\n"
    "# delete this folder to start afresh\n"
)
POINT_FILE = re.compile(r"[0-9a-f]{40}\.json")
"""A finished point's file (`PointCache._file`)."""
TEMP_PREFIX, TEMP_SUFFIX = ".point-", ".tmp"
"""A point being written (`PointCache.put`), left behind only by a killed sweep."""
EXPECTED = (
    "expected an empty folder, or one forcegen made for its cache "
    "(choose another folder, e.g. a new one)"
)


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


def _ours(entry: Path) -> bool:
    """An entry the cache itself writes: a point, or a point being written (a killed
    sweep leaves one). Only these mark a folder without the marker as forcegen's."""
    name = entry.name
    if entry.is_symlink() or not entry.is_file():
        return False
    temp = name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)
    return temp or POINT_FILE.fullmatch(name) is not None


def _marked(folder: Path) -> bool:
    """Whether `folder` holds forcegen's marker (a file of that name the user wrote is not)."""
    marker = folder / MARKER
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return not marker.is_symlink() and text.startswith(MARKER_HEAD)


def mark(folder: Path) -> None:
    """Write the marker, so a later sweep knows the folder is forcegen's cache (whole,
    as a point is: a marker cut short would make the folder look like a user's)."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(MARKER_TEXT)
        os.replace(tmp, folder / MARKER)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_cache(folder: Path, option: str = "--cache") -> None:
    """Refuse, before any point is run, a cache folder forcegen may not add files to.

    Fine: no folder yet, an empty one, or one holding the marker. A folder holding
    only point files (a cache written before the marker existed) is marked here.
    Anything else is the user's: FolderError, one line, exit status 2. A link to a
    folder is judged by the folder it leads to, where the points would be written.
    """
    folder = Path(folder)
    shown = f"{option} {str(folder)!r}"
    if not folder.exists():
        if folder.is_symlink():
            raise FolderError(f"{shown}: is a link to nothing; {EXPECTED}")
        _check_parents(folder, shown)
        return
    if not folder.is_dir():
        raise FolderError(f"{shown}: is a file; {EXPECTED}")
    if _marked(folder):
        return
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise FolderError(f"{shown}: the folder cannot be read ({_why(exc)}); {EXPECTED}") from None
    others = sorted(e.name for e in entries if not _ours(e))
    if others:
        more = f" and {len(others) - 1} more" if len(others) > 1 else ""
        raise FolderError(
            f"{shown}: the folder holds {others[0]!r}{more}, which is not forcegen's "
            f"cache; {EXPECTED}"
        )
    if entries:  # points written before the marker existed
        with contextlib.suppress(OSError):  # a read-only cache still serves its points;
            mark(folder)  # `put` reports a write that fails


def _check_parents(folder: Path, shown: str) -> None:
    """Refuse a cache folder that could not be made: a file stands where a folder is due."""
    for parent in folder.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise FolderError(f"{shown}: {str(parent)!r} is a file, not a folder; {EXPECTED}")
            return


def _why(exc: OSError) -> str:
    """The system's words for a failure, as the one line shows them."""
    return exc.strerror or str(exc)


class PointCache:
    """Finished points under a folder (created on the first write only).

    The folder is checked when the cache is made (`check_cache`), so a sweep, from
    the command line or the Python API, is refused before it runs a point.
    """

    def __init__(self, folder: Path | None, option: str = "--cache") -> None:
        self.folder = None if folder is None else Path(folder)
        self.option = option
        if self.folder is not None:
            check_cache(self.folder, option)
        self._marked = False

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
            if not self._marked and not _marked(self.folder):
                mark(self.folder)
            self._marked = True
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
        where = f"{self.option} {str(self.folder)!r}"
        return FolderError(f"{where}: cannot write a finished point: {_why(exc)}", 1)
