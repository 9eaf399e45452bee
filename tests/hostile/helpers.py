"""Helpers of the hostile-input suite: every case is refused cleanly or handled safely.

A clean refusal is what the README promises for bad input: exit status 2 (1
for a fault of the environment), exactly one line on stderr that starts with
`error:`, no traceback, and nothing written or removed. Most cases run the
command line in this process (`cli`, as `forcegen` runs it: `sim.cli.main`); those
about the process itself (a hang bounded by a timeout, signals, two processes at
once) run it in a subprocess (`forcegen`), as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


@dataclass
class Result:
    """What a command did: its exit status and its two streams."""

    code: int
    out: str
    err: str


def forcegen(*args: str, cwd: Path | None = None, stdin: str = "", timeout: float = 120) -> Result:
    """Run `python -m sim ARGS` in a subprocess, as a user would run `forcegen`."""
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd or ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


PYTHON_IGNORES = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
"""The warnings Python's own filters hide from a user (`python -W` unset)."""


@pytest.fixture
def cli(forcegen, monkeypatch):
    """`cli(*args, cwd=None)`: `forcegen ARGS` run in this process (tests/conftest.py's
    `forcegen`) as `forcegen(...)` runs it in a subprocess: in `cwd` (the checkout by
    default), `COLUMNS=100`, and the warnings a user would see printed on stderr (not
    raised, as pytest's filter would), so a refusal with a warning is two lines."""
    monkeypatch.setenv("COLUMNS", "100")

    def call(*args: object, cwd: Path | None = None) -> Result:
        here = Path.cwd()
        os.chdir(cwd or ROOT)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.resetwarnings()  # Python's default filters, not pytest's "error"
                for category in PYTHON_IGNORES:
                    warnings.simplefilter("ignore", category)
                code, out, err = forcegen(*args)
        finally:
            os.chdir(here)
        shown = (
            warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line)
            for w in caught
        )
        return Result(code, out, err + "".join(shown))

    return call


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path below `folder` with its bytes (None for a folder), hidden files included."""
    out: dict[str, bytes | None] = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = None if p.is_dir() else p.read_bytes()
    return out


def assert_refused(result: Result, *fragments: str, code: int = 2) -> str:
    """One line on stderr, `error: ...`, the expected exit status, no traceback."""
    lines = [ln for ln in result.err.splitlines() if ln.strip()]
    assert result.code == code, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err, result.err[-2000:]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture
def variant(tmp_path: Path):
    """Write a scenario file that extends the flagship with `body`; return its path."""

    def make(body: str, name: str = "variant.yaml") -> Path:
        path = tmp_path / name
        path.write_text(f"extends: {FLAGSHIP}\n{body}", encoding="utf-8")
        return path

    return make
