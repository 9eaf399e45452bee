"""The tables' file format (`--format`), checked before anything heavy is imported:
a command refuses a wrong one in the time it takes to start, not after importing
pandas and the charts."""

from __future__ import annotations

import importlib.util

from sim.scenario.errors import ScenarioError

FORMATS = ("csv", "parquet")
"""How tables are written (`--format`): CSV, or Parquet (the parquet extra, pyarrow)."""
NEEDS_PYARROW = "--format parquet needs the parquet extra: pip install 'forcegen[parquet]'"


def check_format(fmt: str) -> None:
    """Refuse, before any work, a table format that is unknown or cannot be written."""
    if fmt not in FORMATS:
        raise ScenarioError(f"--format: expected 'csv' or 'parquet', got {fmt!r}")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ScenarioError(NEEDS_PYARROW)
