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
    .venv/bin/python bench/charts.py --against /tmp/old --repeat 20

`--against` a copy of an earlier tree (`git archive <commit> sim | tar -x -C /tmp/old`)
draws every chart with both versions in this process, alternating chart by chart
(which goes first alternates too), so a busy machine's drift falls on both alike;
it prints each version's medians and the median of the paired ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
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


def load_sim(root: Path) -> dict:
    """The `sim` package under `root`, imported afresh: its modules, by name (the
    ones in `sys.modules` are replaced by them)."""
    for name in [n for n in sys.modules if n == "sim" or n.startswith("sim.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        import sim.charts

        assert Path(sim.charts.__file__).is_relative_to(root), sim.charts.__file__
    finally:
        sys.path.remove(str(root))
    return {n: m for n, m in sys.modules.items() if n == "sim" or n.startswith("sim.")}


def against(old: Path, tables, meta, out: Path, repeat: int) -> None:
    """Each chart drawn by the `sim` under `old` and by this tree's, alternately."""
    versions = {"old": load_sim(old.resolve()), "new": load_sim(ROOT)}
    jobs = versions["new"]["sim.charts"].plan_charts(tables, meta, out, None).jobs
    times: dict = {(v, job[0]): [] for v in versions for job in jobs}
    for i in range(repeat + 1):  # the first round warms both up
        for job in jobs:
            for v in ("old", "new") if i % 2 else ("new", "old"):
                sys.modules.update(versions[v])  # charts import style at call time
                seconds = cpu(lambda v=v, job=job: versions[v]["sim.charts"]._draw_one(*job))
                if i:
                    times[v, job[0]].append(seconds)
    print(f"CPU seconds per chart, {old} against this tree (medians of {repeat}, alternating)")
    for name in (job[0] for job in jobs):
        a, b = times["old", name], times["new", name]
        paired = statistics.median(y / x for x, y in zip(a, b, strict=True))
        print(f"  {name:16s} {statistics.median(a):6.3f} -> {statistics.median(b):6.3f}"
              f"  (paired ratio {paired:.3f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", type=Path, help="an earlier tree holding sim/")
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
        if args.against:
            return against(args.against, tables, meta, out, args.repeat)
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
