"""Every notebook under docs/notebooks/ runs as written: its code cells in order, in
one namespace, with matplotlib's Agg backend, in an empty working directory; and
what it names holds up (shares in [0, 1], the top driver is a drawn range, one
row per candidate mandate).

The notebooks are read as the JSON they are (nbformat 4): no Jupyter kernel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


def code_cells(path: Path) -> list[str]:
    """The source of each code cell, in order; the notebook is checked to be stored clean."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for c in cells:
        assert c["outputs"] == [] and c["execution_count"] is None, "outputs are cleared"
    return ["".join(c["source"]) for c in cells]


def check_analyst(ns: dict) -> None:
    res, drivers, stalls, ranking = ns["res"], ns["drivers"], ns["stalls"], ns["ranking"]
    assert len(res.runs) == 1000
    assert 0 <= ns["p_formed_lo"] <= ns["p_formed"] <= ns["p_formed_hi"] <= 1
    assert ns["p_formed"] == pytest.approx((res.runs["outcome"] == "formed").mean())
    top = ns["top"]
    assert list(top["rank"]) == list(range(1, len(top) + 1))
    assert top["parameter"].iloc[0] in res.params.columns
    assert (top["conf_low"] <= top["value"]).all() and (top["value"] <= top["conf_high"]).all()
    assert drivers.runs == {"given": 1000}
    assert stalls.base_rate == pytest.approx((res.runs["outcome"] == "stalled").mean())
    assert stalls.text.startswith("In all 1,000 runs the force stalls in ")
    kept = stalls.kept
    assert kept["parameter"].eq("").all() or kept["parameter"].isin(res.params.columns).all()
    assert len(ranking.table) == ranking.result.study.candidates == 4
    assert sorted(ranking.table["rank"]) == [1, 2, 3, 4]
    assert ranking.table["mean"].between(0, 1).all()


CHECKS: dict[str, Callable[[dict], None]] = {"analyst": check_analyst}


def test_there_are_notebooks() -> None:
    assert [p.stem for p in NOTEBOOKS] == sorted(CHECKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib.use("Agg")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    namespace: dict = {"__name__": "__notebook__"}
    for i, source in enumerate(code_cells(path)):
        exec(compile(source, f"{path.name}[cell {i + 1}]", "exec"), namespace)
    CHECKS[path.stem](namespace)
    assert not any(work.iterdir()), "the notebook writes nothing unasked"
