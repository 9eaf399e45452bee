"""Benchmarks (figures and method in docs/performance.md): what the scripts share."""

from __future__ import annotations

import argparse
from pathlib import Path

FLAGSHIP = Path(__file__).resolve().parents[1] / "scenarios" / "isf" / "res2803.yaml"


def ensemble_args(doc: str, runs: int = 4000, repeat: int = 3) -> argparse.Namespace:
    """The command line of a script that times ensembles: `--runs` and `--repeat`."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--repeat", type=int, default=repeat)
    return ap.parse_args()
