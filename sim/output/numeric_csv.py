"""A CSV of numbers only, written as pandas writes it, in half the time.

A results folder's `params.csv` holds each run's drawn judgement calls: a
float column per range (155 for the flagship), so 100,000 runs make a 300 MB
file, and `DataFrame.to_csv` spends most of its time in per-value overhead
around the one thing that decides the bytes, the shortest repr of each float.
Here each column is turned into text once, with that repr (what pandas prints
for a float64 column without `float_format`), and the rows are joined.

The bytes are pandas's: a blank for a missing float, `inf`, `-0.0`, integers
as `str`, the header as the column names, "\\n" after every line.
`tests/output/test_numeric_csv.py` compares both writers on random tables and
on the flagship's params table. A table this does not cover (text, booleans,
nullable integers, a name that would need quoting) is written by pandas.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

PLAIN = frozenset('",\n\r')
"""Characters that make pandas quote a column name."""


def covered(table: pd.DataFrame) -> bool:
    """Every column is float64 or int64, and no column name needs quoting."""
    return (
        all(
            table[c].dtype in (np.float64, np.int64) and isinstance(c, str) and not (PLAIN & set(c))
            for c in table.columns
        )
        and not table.columns.duplicated().any()
    )


def text(table: pd.DataFrame) -> str:
    """The CSV pandas writes with `to_csv(index=False, lineterminator="\n")`."""
    return "".join(_pieces(table))


def write(table: pd.DataFrame, path: Path, header: bool = True) -> None:
    """Write `table` to `path` as `text` gives it, `CHUNK` rows at a time (the text
    of 100,000 runs' parameters would otherwise be millions of strings at once);
    without its header line when `header` is false (a part after the first, `join`)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for piece in _pieces(table, header):
            fh.write(piece)


def join(parts: list[Path], path: Path) -> None:
    """Concatenate the files `parts` (a table written by rows in several processes, the
    first with the header) into `path`, in order, and remove them."""
    with open(path, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
    for part in parts:
        part.unlink()


CHUNK = 2_000
"""Rows turned into text at a time."""


def _pieces(table: pd.DataFrame, header: bool = True) -> Iterator[str]:
    if header:
        yield ",".join(table.columns) + "\n"
    values = [table[c].to_numpy() for c in table.columns]
    for start in range(0, len(table), CHUNK):
        columns = [_column(v[start : start + CHUNK]) for v in values]
        yield "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


def _column(values: np.ndarray) -> list[str]:
    if values.dtype == np.int64:
        return list(map(str, values.tolist()))
    return ["" if math.isnan(x) else repr(x) for x in values.tolist()]
