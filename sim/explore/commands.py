"""The bodies of `forcegen compare`, `sweep` and `whatif` (sim/cli.py stays thin).

Each raises ScenarioError or ExecutorError on bad input before anything is
written; the command line turns those into one line and exit status 2.

Each runs its work on one executor (`sim.parallel.make_executor`): `workers`
0 is decided from the command's total runs (scenarios to run, points × runs,
candidates × runs), as for `forcegen run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.output.folder import check_target
from sim.parallel import CHARTS, make_executor

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
MAX_NAME = 80


def _note(err: Console):
    """Print one line on stderr (a note, not an error)."""
    return lambda text: err.print(text, markup=False, highlight=False, soft_wrap=True)


def _progress(err: Console, quiet: bool) -> Progress:
    # Off when stderr is not a terminal: a bar there only leaves a blank line.
    return Progress(*COLUMNS, console=err, transient=True, disable=quiet or not err.is_terminal)


def _positive(workers: int, **options: int | None) -> None:
    """Refuse a count option below 1 (`--runs 0`), or workers below 0, in one line."""
    from sim.scenario.errors import ScenarioError

    if workers < 0:
        raise ScenarioError(f"expected a whole number >= 0, got {workers}", "--workers")
    for name, value in options.items():
        if value is not None and value < 1:
            raise ScenarioError(f"expected a whole number >= 1, got {value}", f"--{name}")


# ---------------------------------------------------------------- compare


def compare(
    files: list[Path],
    out_dir: Path | None,
    runs: int | None,
    workers: int,
    scheduler: str | None,
    out: Console,
    err: Console,
    quiet: bool = False,
) -> Path:
    from sim.explore.diff import diff
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_all

    _positive(workers=workers, runs=runs)
    if len(files) < 2:
        raise ScenarioError("compare needs at least two scenario files")
    scenarios = load_all(files, runs)
    clauses = diff(scenarios)
    name = "compare-" + "-vs-".join(s.name for s in scenarios)
    if len(name) > MAX_NAME:
        name = f"compare-{scenarios[0].name}-vs-{len(scenarios) - 1}-others"
    final = out_dir or Path("results") / name
    check_target(final, "--out" if out_dir else "comparison folder")
    from sim.explore.compare import gather, matching_folder, write_compare  # input checked

    argv = ["forcegen", "compare", *map(str, files), "--out", str(final)]
    if runs is not None:
        argv += ["--runs", str(runs)]
    pending = [s for s in scenarios if not matching_folder(s, Path("results") / s.name)]
    to_run = sum(s.run.runs for s in pending)
    ex = make_executor(
        workers, scheduler, runs=to_run, warm=CHARTS, run_seconds=_cost(pending or scenarios)
    )
    with ex, _progress(err, quiet) as bar:
        tasks: dict[str, Any] = {}

        def tick(name: str, n: int) -> None:
            if name not in tasks:
                total = next(s.run.runs for s in scenarios if s.name == name)
                tasks[name] = bar.add_task(f"{name} (run)", total=total)
            bar.advance(tasks[name], n)

        entries = gather(files, scenarios, Path("results"), ex, tick, final / "runs", _note(err))
    comp, _ = write_compare(entries, clauses, final, argv)
    if not quiet:
        out.print(f"[bold]{len(clauses)} clauses differ[/bold]")
        for c in clauses[:12]:
            out.print(f"  {c.path}: " + " | ".join(map(_short, c.values)), highlight=False)
        if len(clauses) > 12:
            out.print(f"  … {len(clauses) - 12} more in diff.csv", highlight=False)
        print_comparison(out, entries, comp)
    out.print(f"comparison: {final}", highlight=False, soft_wrap=True)
    return final


def print_comparison(out: Console, entries: list, comp: pd.DataFrame) -> None:
    """The outcomes side by side, as compare.md words them: P(formed) with its interval,
    the force where it formed, and why runs stall (short of the minimum, or the mandate
    rejected and by whom)."""
    from sim.explore.compare import _formed_force, why_not_formed
    from sim.numbers import share_ci

    tab = Table()
    for col in ("scenario", "ensemble", "P(formed) (95%)", "force where formed", "why runs stall"):
        tab.add_column(col)
    for e, r in zip(entries, comp.to_dict("records"), strict=True):
        tab.add_row(
            r["scenario"],
            "reused" if e.reused else "run",
            share_ci(r["p_formed"], int(r["runs"])),
            _formed_force(r),
            why_not_formed(e, r),
        )
    out.print(tab)


def _short(v: Any) -> str:
    from sim.explore.report import show

    return show(v)


# ---------------------------------------------------------------- sweep


def sweep(
    file: Path,
    out_dir: Path | None,
    runs: int | None,
    steps: int | None,
    workers: int,
    scheduler: str | None,
    cache_dir: Path,
    out: Console,
    err: Console,
    quiet: bool = False,
    fmt: str = "csv",
) -> Path:
    from sim.explore.sweep_file import load_sweep

    _positive(workers=workers, runs=runs, steps=steps)
    sw = load_sweep(file, runs=runs, steps=steps)
    final = out_dir or Path("results") / f"sweep-{sw.name}"
    check_target(final, "--out" if out_dir else "sweep folder")
    _apart(cache_dir, final)
    from sim.explore.cache import PointCache  # once the file is checked: a refusal
    from sim.explore.sweep import run_sweep, write_sweep  # imports no more than it needs

    cache = PointCache(cache_dir)  # refuses a folder that is not forcegen's, before any run
    argv = ["forcegen", "sweep", str(file), "--out", str(final), "--runs", str(sw.runs)]
    argv += ["--format", fmt] if fmt != "csv" else []
    ex = make_executor(
        workers, scheduler, runs=len(sw.points) * sw.runs, run_seconds=_cost(sw.scenarios)
    )
    with ex, _progress(err, quiet) as bar:
        task = bar.add_task(f"{sw.name} ({len(sw.points)} points)", total=len(sw.points))
        keep = fmt == "parquet"  # every point's runs table too (runs.parquet)
        result = run_sweep(sw, ex, cache, lambda n: bar.advance(task, n), keep)
    write_sweep(sw, result, final, argv, fmt)
    if not quiet:
        out.print(
            f"{len(sw.points)} points × {sw.runs} runs: computed {result.computed}, "
            f"from the cache {result.cached}",
            highlight=False,
        )
    out.print(f"sweep: {final}", highlight=False, soft_wrap=True)
    return final


def _apart(cache_dir: Path, final: Path) -> None:
    """Refuse a cache that is the sweep's folder, inside it or around it: the points
    would be written into the folder the sweep replaces at its end (or the sweep into
    the cache), found only after every point had run."""
    from sim.scenario.errors import ScenarioError

    cache, target = Path(cache_dir).resolve(), Path(final).resolve()
    if cache == target or target in cache.parents or cache in target.parents:
        raise ScenarioError(
            f"expected a folder apart from the sweep's folder {str(final)!r}, got "
            f"{str(cache_dir)!r} (choose another --cache or --out)",
            "--cache",
        )


# ---------------------------------------------------------------- whatif


def whatif(
    file: Path,
    state: str,
    runs: int,
    workers: int,
    scheduler: str | None,
    top: int,
    out_dir: Path | None,
    out: Console,
    err: Console,
    quiet: bool = False,
) -> None:
    from sim.scenario.errors import ScenarioError, resolve_name
    from sim.scenario.loader import load

    _positive(workers=workers, runs=runs, top=top)
    sc = load(file)
    state = resolve_name("state", state, sc.states, "--state")
    if out_dir is not None:
        check_target(out_dir, "--out")
    try:
        from sim.scenario.loader import override

        base = override(sc, runs=runs)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, "--runs", str(file)) from None
    from sim.explore.whatif import check_cost, search  # after the input is checked

    candidates = 1 + check_cost(base, runs, file=str(file))  # the pairs, if any, come later
    ex = make_executor(workers, scheduler, runs=candidates * runs, run_seconds=_cost([base]))
    with ex, _progress(err, quiet) as bar:
        task = bar.add_task(f"what if ({state})", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        w = search(sc, state, runs=runs, executor=ex, top=top, progress=tick)
    table_ = whatif_table(sc, w)
    render_whatif(out, sc, w, table_, runs)
    if out_dir is not None:
        from sim.explore.report import whatif_markdown
        from sim.output.folder import atomic_folder

        with atomic_folder(out_dir) as folder:
            table_.to_csv(folder / "whatif.csv", index=False, lineterminator="\n")
            (folder / "whatif.md").write_text(whatif_markdown(sc, w, table_, runs), "utf-8")
        out.print(f"what-if: {out_dir}", highlight=False, soft_wrap=True)


def whatif_table(sc, w) -> pd.DataFrame:
    """One row per change found, with its costs (the whatif.csv table)."""
    import pandas as pd

    from sim.explore.whatif import veto_cost
    from sim.numbers import resolved, runs_to_resolve, wilson

    rows = []
    base = w.base
    for rank, c in enumerate(w.found, 1):
        r = c.result
        flips, loss = veto_cost(base, r)
        row: dict[str, Any] = {
            "rank": rank,
            "change": c.text(),
            "clauses": len(c.changes),
            "paths": ";".join(f"{ch.path}={ch.new}" for ch in c.changes),
            "p_commit_base": base["p_commit"][w.state],
            "p_commit": r["p_commit"][w.state],
            "kind": r["dominant_kind"][w.state],
            "p_commit_lo": round(wilson(r["p_commit"][w.state], r["runs"])[0], 6),
            "p_commit_hi": round(wilson(r["p_commit"][w.state], r["runs"])[1], 6),
            "brings_in": r["p_commit"][w.state] >= 0.5,
            # whether the run count tells P(commit) apart from 0.5, and what count would
            "resolved": resolved(r["p_commit"][w.state], r["runs"], 0.5),
            "runs_to_resolve": runs_to_resolve(r["p_commit"][w.state], 0.5),
            "p_formed_base": base["p_formed"],
            "p_formed": r["p_formed"],
            "veto_flips": flips,
            "veto_acceptance_loss": round(loss, 6),
        }
        for v in r["acceptance"]:
            row[f"acceptance_base.{v}"] = base["acceptance"][v]
            row[f"acceptance.{v}"] = r["acceptance"][v]
            row[f"flips.{v}"] = base["acceptance"][v] >= base["thresholds"][v] > r["acceptance"][v]
        for code in sc.states:
            if code != w.state:
                row[f"dp_commit.{code}"] = round(r["p_commit"][code] - base["p_commit"][code], 6)
        rows.append(row)
    return pd.DataFrame(rows)


def render_whatif(out: Console, sc, w, table_: pd.DataFrame, runs: int) -> None:
    from sim.explore.report import THRESHOLD, unresolved
    from sim.explore.whatif import claim_text, others_text, veto_text
    from sim.numbers import pct, share_ci

    name = sc.states[w.state].name
    b = w.base
    out.print(
        f"[bold]What would bring {name} ({w.state}) in?[/bold]  {sc.name} · {runs} runs per "
        f"candidate · seed {sc.run.seed}",
        highlight=False,
    )
    accept = ", ".join(
        f"{v} {a:.2f}" + ("" if a >= b["thresholds"][v] else " (rejects)")
        for v, a in b["acceptance"].items()
    )
    out.print(
        f"baseline: P(commit) {share_ci(b['p_commit'][w.state], runs)}, "
        f"P(formed) {share_ci(b['p_formed'], runs)}; "
        f"veto players' mean final acceptance: {accept or 'none'}",
        highlight=False,
    )
    if w.already_in:
        note = unresolved(b["p_commit"][w.state], runs)
        out.print(
            f"{w.state} is already in (P(commit) ≥ {pct(THRESHOLD)}) under this mandate"
            + (f"; {note}." if note else "."),
            highlight=False,
        )
        return
    searched = f"searched {w.tried_single} single changes"
    if w.tried_pairs:
        searched += f", then {w.tried_pairs} pairs"
    if w.brings_in:
        out.print(f"{searched}; smallest changes that bring {w.state} in:", highlight=False)
    else:
        out.print(
            f"{searched}; none brings {w.state} to {pct(THRESHOLD)}. Largest increases:",
            highlight=False,
        )
    for rank, c in enumerate(w.found, 1):
        r = c.result
        kind = r["dominant_kind"][w.state]
        out.print(f"[bold]{rank}. {c.text()}[/bold]", highlight=False)
        out.print(
            f"   P(commit) {w.state} {pct(b['p_commit'][w.state])} → "
            f"{claim_text(r['p_commit'][w.state], runs)}"
            + (f" ({kind.replace('_', ' ')})" if kind else "")
            + f"   P(formed) {pct(b['p_formed'])} → {share_ci(r['p_formed'], runs)}",
            highlight=False,
        )
        out.print(f"   veto players (mean final acceptance): {veto_text(b, r)}", highlight=False)
        out.print(
            f"   other states, change in P(commit): {others_text(b, r, w.state)}", highlight=False
        )


def _cost(scenarios) -> float:
    """Estimated seconds of one of the command's runs (`sim.workers`), for the worker
    policy: from the scenarios' weeks and states, not the flagship's."""
    from sim.workers import scenarios_cost

    return scenarios_cost(scenarios)
