"""The runs need no pandas: only the tables do (`sim.engine.tables`).

So a forked helper can compute an ensemble while the command imports pandas and
matplotlib (`sim.fork._warm`), instead of the two one after the other."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.hostile.helpers import FLAGSHIP, ROOT


def test_an_ensemble_runs_without_pandas_and_its_tables_import_it() -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from sim.engine.ensemble import record
        from sim.scenario.arrays import compile_scenario
        from sim.scenario.loader import load
        rec = record(compile_scenario(load({str(FLAGSHIP)!r})), runs=20, detail=2)
        before = "pandas" in sys.modules
        tables = rec.tables()
        print(before, "pandas" in sys.modules, len(tables["runs"]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "20"]
