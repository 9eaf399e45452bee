"""`sim.output.numeric_csv` writes the bytes pandas writes, for the tables it covers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.output import numeric_csv
from sim.output.write import write_table

ODD = [0.0, -0.0, 1.0, -1.0, 0.1 + 0.2, 1e-7, 1e16, 1.5e300, 5e-324, 123456789012345678.0,
       np.inf, -np.inf, np.nan, 2.0**53, -2.5e-5, 1 / 3]  # fmt: skip


def pandas_csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("seed", range(5))
def test_random_tables_are_written_as_pandas_writes_them(seed) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 40))
    cols = {}
    for i in range(int(rng.integers(1, 8))):
        if rng.random() < 0.3:
            cols[f"n{i}"] = rng.integers(-(10**12), 10**12, n)
        else:
            scale = 10.0 ** rng.integers(-12, 18)
            x = rng.normal(size=n) * scale
            odd = rng.random(n) < 0.2
            x[odd] = rng.choice(ODD, int(odd.sum()))
            cols[f"states.S{i}.x"] = x
    table = pd.DataFrame(cols)
    assert numeric_csv.covered(table)
    assert numeric_csv.text(table) == pandas_csv(table)


def test_odd_floats_and_an_empty_table(monkeypatch) -> None:
    table = pd.DataFrame({"run": np.arange(len(ODD), dtype=np.int64), "v": ODD})
    assert numeric_csv.text(table) == pandas_csv(table)
    monkeypatch.setattr(numeric_csv, "CHUNK", 3)  # rows written a few at a time
    assert numeric_csv.text(table) == pandas_csv(table)
    empty = table.iloc[:0]
    assert numeric_csv.text(empty) == pandas_csv(empty)


def test_tables_it_does_not_cover_go_to_pandas(tmp_path) -> None:
    for table in (
        pd.DataFrame({"run": [0, 1], "outcome": ["formed", "stalled"]}),  # text
        pd.DataFrame({"ok": [True, False]}),  # booleans
        pd.DataFrame({"week": pd.array([1, None], dtype="Int64")}),  # nullable integers
        pd.DataFrame({"a,b": [1.0, 2.0]}),  # a name pandas quotes
        pd.DataFrame({"f32": np.array([0.1, 0.2], dtype=np.float32)}),
    ):
        assert not numeric_csv.covered(table)
        write_table(table, tmp_path, "t")
        assert (tmp_path / "t.csv").read_text(encoding="utf-8") == pandas_csv(table)


def test_the_flagships_params_table_is_written_as_pandas_writes_it(tmp_path) -> None:
    import sim

    flagship = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"
    params = sim.run(flagship, runs=300).tables["params"]
    assert numeric_csv.covered(params) and params.shape[1] > 100
    write_table(params, tmp_path, "params")
    assert (tmp_path / "params.csv").read_bytes() == pandas_csv(params).encode()


def test_a_table_written_in_parts_and_joined_is_the_whole_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"run": np.arange(57), "a": rng.random(57), "b": rng.normal(size=57)})
    parts = [tmp_path / f".part{k}" for k in range(3)]
    for k, (a, b) in enumerate([(0, 20), (20, 21), (21, 57)]):
        numeric_csv.write(table.iloc[a:b], parts[k], header=k == 0)
    numeric_csv.join(parts, tmp_path / "joined.csv")
    assert (tmp_path / "joined.csv").read_text() == pandas_csv(table)
    assert not any(p.exists() for p in parts)
