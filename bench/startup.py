"""Wall-clock time of `forcegen --help` and of a 200-run `forcegen run` (issue 13).

Goals (docs/performance.md): `forcegen --help` under 0.3 s; `forcegen run
scenarios/isf/res2803.yaml --runs 200` under 1.5 s. Each command runs in a
fresh process, as a user starts it; the figure is the median of the repeats.

    .venv/bin/python bench/startup.py                   # --help x5, run x3 (PNG)
    .venv/bin/python bench/startup.py --formats png,svg # the run as before issue 13
    .venv/bin/python bench/startup.py --run-repeat 0    # --help only

Every run writes a new folder, so every run draws its charts; with `--rerun`
the runs write into the same folder, so from the second run on the charts are
copied from the folder the previous run wrote (the tables are the same).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


def forcegen() -> list[str]:
    """The console script next to this Python, else `python -m sim`."""
    script = Path(sys.executable).with_name("forcegen")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sim"]


def wall(argv: list[str]) -> float:
    """Seconds from start to exit of one process (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def measure(label: str, argv: list[str], repeat: int, before=None) -> float:
    times = []
    for i in range(repeat):
        if before is not None:
            before(i)
        times.append(wall(argv))
    median = statistics.median(times)
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"{label}: median {median:.2f} s (runs: {shown})", flush=True)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--help-repeat", type=int, default=5)
    parser.add_argument("--run-repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--formats", default="png", help="--formats for the run (png).")
    parser.add_argument("--rerun", action="store_true", help="The same folder for every run.")
    args = parser.parse_args()

    cmd = forcegen()
    if args.help_repeat:
        measure("forcegen --help", [*cmd, "--help"], args.help_repeat)
    if not args.run_repeat:
        return
    scratch = Path(tempfile.mkdtemp(prefix="forcegen-bench-"))
    out = scratch / "res"
    run = [*cmd, "run", str(FLAGSHIP), "--runs", str(args.runs), "--quiet"]
    run += ["--out", str(out), "--formats", args.formats]

    def clear(_i: int) -> None:
        if not args.rerun:
            shutil.rmtree(out, ignore_errors=True)

    try:
        label = f"forcegen run {FLAGSHIP.relative_to(ROOT)} --runs {args.runs}"
        label += f" --formats {args.formats}" + (
            " (rerun into the same folder)" if args.rerun else ""
        )
        measure(label, run, args.run_repeat, clear)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
