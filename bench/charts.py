"""CPU time of each of a run's charts, beside matplotlib's floor for one chart (issue 13).

The demo (`forcegen run scenarios/isf/res2803.yaml --runs 200`) draws seven charts;
on two cores their drawing is about half its wall time. This measures, in one
process with matplotlib already imported and set up (as the forked helper has it),
the CPU time of each chart of the flagship's 200 runs, and of the least a chart in
the project's style costs: a figure of the same size with a title, a subtitle, one
line, axis labels and a legend, laid out and saved as PNG the way every chart is
(`style.save`). The figures are medians of the repeats.

    .venv/bin/python bench/charts.py             # 200 runs, five repeats
    .venv/bin/python bench/charts.py --repeat 9
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def floor_chart(out: Path) -> None:
    """The least a chart in the project's style draws: one line, its labels and legend."""
    from sim.charts import style

    with style.chart_style():
        fig, ax = style.new_figure(9, 6)
        style.titles(fig, ax, "A chart's title", "its subtitle · what the runs were")
        ax.plot([1, 2, 3], [1, 3, 2], label="one line")
        ax.set_xlabel("Week of negotiation")
        ax.set_ylabel("Counted force")
        ax.legend()
        style.save(fig, out, "floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import sim.charts as charts
    from sim.engine.ensemble import run_ensemble
    from sim.output.write import chart_meta
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load

    C = compile_scenario(load(FLAGSHIP))
    tables = run_ensemble(C, runs=args.runs, detail=50)
    meta = chart_meta(C, tables)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        jobs = {job[0]: job for job in charts.plan_charts(tables, meta, out, None).jobs}
        floor_chart(out)  # matplotlib's set-up on first use, as the helper has it done
        times: dict[str, list[float]] = {name: [] for name in [*jobs, "floor"]}
        for _ in range(args.repeat):
            for name, job in jobs.items():
                times[name].append(cpu(lambda job=job: charts._draw_one(*job)))
            times["floor"].append(cpu(lambda: floor_chart(out)))
    median = {name: statistics.median(v) for name, v in times.items()}
    drawn = sum(v for name, v in median.items() if name != "floor")
    print(f"{args.runs} runs of {FLAGSHIP.name}, CPU seconds per chart (median of {args.repeat})")
    for name, seconds in median.items():
        print(f"  {name:16s} {seconds:6.3f}")
    print(f"  {'all charts':16s} {drawn:6.3f}  ({drawn / len(jobs) / median['floor']:.1f}x the "
          f"floor per chart; {len(jobs)} at the floor: {len(jobs) * median['floor']:.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
