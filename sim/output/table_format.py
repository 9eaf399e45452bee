"""The tables' file format (`--format`), checked before anything heavy is imported:
a command refuses a wrong one in the time it takes to start, not after importing
pandas and the charts."""

from __future__ import annotations

import importlib.util

from sim.scenario.errors import ScenarioError

FORMATS = ("csv", "parquet")
"""How tables are written (`--format`): CSV, or Parquet (the parquet extra, pyarrow)."""
PARQUET_EXTRA = "'parquet' needs the parquet extra: pip install 'forcegen[parquet]'"
"""Why Parquet is refused without pyarrow, after the name of the setting that asked."""
NEEDS_PYARROW = f"--format: {PARQUET_EXTRA}"
"""The command line's refusal of Parquet without pyarrow."""


def check_format(fmt: str, field: str = "--format") -> None:
    """Refuse, before any work, a table format that is unknown or cannot be written,
    naming `field` as the caller typed it (the option `--format`, the argument `format`)."""
    if fmt not in FORMATS:
        raise ScenarioError(f"expected 'csv' or 'parquet', got {fmt!r}", field)
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ScenarioError(PARQUET_EXTRA, field)
