"""Compare scenarios: what differs in the clauses, what differs in the outcome.

Each scenario's ensemble comes from its results folder (`results/<name>/`)
when that folder's manifest matches it (same resolved-scenario sha256, seed and
run count: the tables would be identical), and is run otherwise. A run is
written as `forcegen run` would write it: to `results/<name>/` when that folder
does not exist yet (or is empty); when it holds other results (another run
count, seed or version of the scenario) or anything else, it is left as it is
and the run goes inside the comparison folder, `<comparison>/runs/<name>/`, so
an earlier report that reused `results/<name>` still points at the same data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.summary import stalled_shares
from sim.explore.diff import GROUP_ORDER, Clause
from sim.explore.report import charts_md, show, table
from sim.explore.runner import outcome_of, simulate
from sim.numbers import force, pct, share_ci, wilson
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario

DETAIL = 50
"""Detail runs kept when compare has to run a scenario (as `forcegen run`'s default)."""


@dataclass
class Entry:
    """One scenario of the comparison, with the two tables compare reads."""

    file: str
    scenario: Scenario
    runs: pd.DataFrame
    commits: pd.DataFrame
    bands: pd.DataFrame | None
    reused: bool
    folder: Path
    pending: tuple | None = None
    """(compiled scenario, tables, argv) of a run still to be written into the comparison."""

    @property
    def name(self) -> str:
        return self.scenario.name


def matching_folder(sc: Scenario, folder: Path) -> bool:
    """Whether `folder` holds complete results of exactly this scenario, seed and runs,
    with the tables compare reads as forcegen wrote them (`intact`): a manifest that
    is not a mapping, or a table edited by hand, is not reused (the scenario is run)."""
    from sim.output.folder import intact

    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(m, dict):
        return False
    same = (
        m.get("scenario_sha256") == scenario_hash(sc)
        and m.get("seed") == sc.run.seed
        and m.get("runs") == sc.run.runs
    )
    tables = ("runs", "commits")  # CSV, or Parquet (`forcegen run --format parquet`)
    if not same or not all(
        (folder / f"{t}.csv").is_file() or (folder / f"{t}.parquet").is_file() for t in tables
    ):
        return False
    read = [f"{t}.{ext}" for t in (*tables, "bands") for ext in ("csv", "parquet")]
    return intact(folder, [f for f in read if (folder / f).exists() or (folder / f).is_symlink()])


def free_folder(folder: Path) -> bool:
    """Whether a run may be written to `folder` without replacing anything (absent or empty)."""
    if folder.is_symlink():
        return False
    if not folder.exists():
        return True
    try:
        return folder.is_dir() and not any(folder.iterdir())
    except OSError:
        return False


def gather(
    files: list[Path],
    scenarios: list[Scenario],
    results_root: Path,
    executor: Any = None,
    progress: Callable[[str, int], None] | None = None,
    own_root: Path | None = None,
    note: Callable[[str], None] | None = None,
) -> list[Entry]:
    """Each scenario's runs and commits tables: reused from its results folder, or run.

    A run is written to `results_root/<name>` only when that folder is free;
    otherwise it is kept in the entry (`pending`) and `write_compare` writes it
    to `own_root/<name>` (inside the comparison folder), saying so through `note`.
    """
    from sim.output.write import run_command, write_results

    entries = []
    for f, sc in zip(files, scenarios, strict=True):
        folder = results_root / sc.name
        if matching_folder(sc, folder):
            from sim.output.write import read_table

            runs, commits = read_table(folder, "runs"), read_table(folder, "commits")
            bands_csv = folder / "bands.csv"
            bands = pd.read_csv(bands_csv) if bands_csv.is_file() else None
            if (folder / "bands.parquet").is_file():
                bands = pd.read_parquet(folder / "bands.parquet")
            entries.append(Entry(str(f), sc, runs, commits, bands, True, folder))
            continue
        C = compile_scenario(sc)
        tick = (lambda n, name=sc.name: progress(name, n)) if progress else None
        taken = not free_folder(folder)
        if taken and own_root is not None:
            if note:
                note(
                    f"note: {folder} holds other results and is left as it is; "
                    f"{sc.name} ({sc.run.runs} runs, seed {sc.run.seed}) is written to "
                    f"{own_root / sc.name} instead"
                )
            folder = own_root / sc.name
        tables, _ = simulate(C, detail=DETAIL, executor=executor, progress=tick)
        argv = run_command(f, C, folder, "fast", DETAIL)
        pending = None
        if taken and own_root is not None:
            pending = (C, tables, argv)
        else:
            write_results(C, tables, folder, "fast", DETAIL, argv, executor)
        entries.append(
            Entry(
                str(f),
                sc,
                tables["runs"],
                tables["commits"],
                tables["bands"],
                False,
                folder,
                pending,
            )
        )
    return entries


def _mid(v: Any) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, tuple | list) else float(v)


def comparison_table(entries: list[Entry]) -> pd.DataFrame:
    """comparison.csv: one row per scenario (outcome, force, time, P(commit) per state)."""
    codes: list[str] = []
    for e in entries:
        codes += [c for c in e.scenario.states if c not in codes]
    rows = []
    for e in entries:
        o = outcome_of(e.runs, e.commits, list(e.scenario.states))
        lo, hi = wilson(o["p_formed"], o["runs"])
        why = stalled_shares(
            e.runs, _mid(e.scenario.broker.minimum_viable), list(e.scenario.veto_players)
        )
        formed = e.runs.loc[e.runs["outcome"].astype(str) != "stalled", "force"].astype(float)
        row: dict[str, Any] = {
            "scenario": e.name,
            "file": e.file,
            "title": e.scenario.title,
            "runs": o["runs"],
            "seed": e.scenario.run.seed,
            "scenario_sha256": scenario_hash(e.scenario),
            "reused": e.reused,
            "p_formed": o["p_formed"],
            "p_formed_lo": round(lo, 6),
            "p_formed_hi": round(hi, 6),
            "p_undersized": o["p_undersized"],
            "p_stalled": o["p_stalled"],
            "p_deployed": o["p_deployed"],
            "p_stalled_short": why["short_of_minimum"],
            "p_stalled_rejected": why["mandate_rejected"],
            "rejected_by": ";".join(v for v, p in why["rejected_by"].items() if p),
            "expected_force": o["expected_force"],
            "force_median": o["force_median"],
            "force_p05": o["force_p05"],
            "force_p95": o["force_p95"],
            "formed_runs": len(formed),
            "force_formed_median": _round(formed.median()) if len(formed) else None,
            "force_formed_p05": _round(formed.quantile(0.05)) if len(formed) else None,
            "force_formed_p95": _round(formed.quantile(0.95)) if len(formed) else None,
            "rounds_to_form_median": o["rounds_to_form_median"],
            "target": _mid(e.scenario.broker.target),
            "minimum_viable": _mid(e.scenario.broker.minimum_viable),
            "deadline": e.scenario.broker.deadline,
        }
        for v, a in final_acceptance(e).items():
            row[f"acceptance.{v}"] = a
        for c in codes:
            row[f"p_commit.{c}"] = o["p_commit"].get(c)
        for c in codes:
            row[f"kind.{c}"] = o["dominant_kind"].get(c)
        rows.append(row)
    return pd.DataFrame(rows)


def _round(x: float) -> float:
    return round(float(x), 6)


def why_not_formed(e: Entry, row: dict) -> str:
    """Why runs of this scenario do not form, in words: short of the minimum viable
    force, or enough pledged but the mandate rejected, and by which veto player."""
    from sim.analysis.report import stalled_words

    names = {v: vp.name for v, vp in e.scenario.veto_players.items()}
    by = [v for v in str(row.get("rejected_by") or "").split(";") if v]
    detail = {
        "short_of_minimum": row.get("p_stalled_short"),
        "mandate_rejected": row.get("p_stalled_rejected"),
        "rejected_by": dict.fromkeys(by, 1.0),
    }
    text = stalled_words(detail, names)
    if not row.get("p_stalled"):
        return "—"
    return text or "—"


def final_acceptance(e: Entry) -> dict[str, float | None]:
    """Each veto player's median acceptance across runs at the deadline (from the bands)."""
    out: dict[str, float | None] = {}
    for v in e.scenario.veto_players:
        value = None
        if e.bands is not None and len(e.bands):
            b = e.bands[e.bands["series"] == f"accept.{v}"]
            if len(b):
                value = round(float(b.sort_values("round")["median"].iloc[-1]), 6)
        out[v] = value
    return out


def chart_tables(entries: list[Entry]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables for the charts: every run's force and outcome; P(commit) by kind."""
    cols = ["run", "outcome", "rounds", "force", "rejected_by"]  # rejected_by: why runs stall
    runs = pd.concat(
        [e.runs[[c for c in cols if c in e.runs]].assign(scenario=e.name) for e in entries],
        ignore_index=True,
    )
    commits = pd.concat(
        [
            e.commits[
                [c for c in ("state", "kind", "p_commit", "p_lead") if c in e.commits]
            ].assign(scenario=e.name)
            for e in entries
        ],
        ignore_index=True,
    )
    return runs, commits


def chart_meta(entries: list[Entry]) -> dict[str, Any]:
    """Names, labels and reference lines the compare charts need beside the tables."""
    states: dict[str, str] = {}
    kinds: dict[str, str] = {}
    counted: list[str] = []
    for e in entries:
        sc = e.scenario
        states |= {c: s.name for c, s in sc.states.items() if c not in states}
        kinds |= {k: v.label for k, v in sc.kinds.items() if k not in kinds}
        counted += [k for k in sc.force.counts if k not in counted]
    veto = {v: p.name for e in entries for v, p in e.scenario.veto_players.items()}
    return {
        "title": " vs ".join(e.name for e in entries),
        "veto_players": veto,
        "states": states,
        "kinds": kinds,
        "counted_kinds": counted,
        "scenarios": [
            {
                "name": e.name,
                "title": e.scenario.title,
                "runs": len(e.runs),
                "target": _mid(e.scenario.broker.target),
                "minimum_viable": _mid(e.scenario.broker.minimum_viable),
                "deadline": e.scenario.broker.deadline,
            }
            for e in entries
        ],
    }


def write_compare(
    entries: list[Entry], clauses: list[Clause], final: Path, argv: list[str]
) -> tuple[pd.DataFrame, list[dict]]:
    """The comparison folder, written atomically."""
    from sim.output.folder import atomic_folder
    from sim.output.formats import current_formats
    from sim.output.write import dump_json, in_folder, versions

    comp = comparison_table(entries)
    runs, commits = chart_tables(entries)
    names = [e.name for e in entries]
    with atomic_folder(final) as out:
        _write_pending(entries, out / "runs")
        comp.to_csv(out / "comparison.csv", index=False, lineterminator="\n")
        diff_frame(clauses, names).to_csv(out / "diff.csv", index=False, lineterminator="\n")
        charts = []  # none drawn, and matplotlib left unimported, under `--formats none`
        if current_formats():
            from sim.charts.compare import draw

            meta = chart_meta(entries)
            charts = in_folder(draw(comp, runs, commits, meta, out / "charts"), "charts")
        (out / "compare.md").write_text(compare_markdown(entries, clauses, comp, charts), "utf-8")
        dump_json(
            {
                "scenarios": [
                    {
                        "name": e.name,
                        "file": e.file,
                        "scenario_sha256": scenario_hash(e.scenario),
                        "seed": e.scenario.run.seed,
                        "runs": e.scenario.run.runs,
                        "results": str(e.folder),
                        "reused": e.reused,
                    }
                    for e in entries
                ],
                "versions": versions(),
                "command": argv,
                "chart_formats": list(current_formats()),
                "charts": charts,
            },
            out / "manifest.json",
        )
    return comp, charts


def _write_pending(entries: list[Entry], runs_dir: Path) -> None:
    """Write the runs that could not go to results/<name> inside the comparison folder."""
    from sim.output.write import write_results

    for e in entries:
        if e.pending is not None:
            C, tables, argv = e.pending
            write_results(C, tables, runs_dir / e.name, "fast", DETAIL, argv)


def diff_frame(clauses: list[Clause], names: list[str]) -> pd.DataFrame:
    """diff.csv: one row per differing clause, one column per scenario."""
    rows = [
        {
            "group": c.group,
            "clause": c.path,
            **{n: show(v) for n, v in zip(names, c.values, strict=True)},
        }
        for c in clauses
    ]
    return pd.DataFrame(rows, columns=["group", "clause", *names])


def _formed_force(r: dict) -> str:
    """'11,350 (8,000–13,260)' over the runs that formed, or 'none formed'."""
    if not r.get("formed_runs"):
        return "none formed"
    return (
        f"{force(r['force_formed_median'])} ({force(r['force_formed_p05'])}–"
        f"{force(r['force_formed_p95'])}), {r['formed_runs']} runs"
    )


def compare_markdown(
    entries: list[Entry], clauses: list[Clause], comp: pd.DataFrame, charts: list[dict]
) -> str:
    """compare.md: the scenarios, the clauses that differ, the outcomes, the charts."""
    names = [e.name for e in entries]
    lines = ["# Comparison: " + " vs ".join(f"`{n}`" for n in names), ""]
    lines.append(
        table(
            ["scenario", "file", "title", "runs", "seed", "ensemble"],
            [
                [
                    f"`{e.name}`",
                    f"`{e.file}`",
                    e.scenario.title,
                    str(e.scenario.run.runs),
                    str(e.scenario.run.seed),
                    f"reused `{e.folder}`" if e.reused else f"run now, written to `{e.folder}`",
                ]
                for e in entries
            ],
        )
    )
    lines += ["", "## What differs", ""]
    if not clauses:
        lines += ["The resolved scenarios agree on every clause.", ""]
    for group in GROUP_ORDER:
        rows = [c for c in clauses if c.group == group]
        if not rows:
            continue
        lines += [f"### {group.capitalize()} ({len(rows)})", ""]
        lines.append(
            table(
                ["clause", *[f"`{n}`" for n in names]], [[f"`{c.path}`", *c.values] for c in rows]
            )
        )
        lines.append("")
    lines += [
        "Task clauses read *true* when the force carries the task. Evidence, judgement "
        "notes, names, titles and descriptions are not compared. Full list: `diff.csv`.",
        "",
        "## Outcomes",
        "",
    ]
    rows = []
    for e, r in zip(entries, comp.to_dict("records"), strict=True):
        rounds = r["rounds_to_form_median"]
        accept = []
        for v, vp in e.scenario.veto_players.items():
            a = r.get(f"acceptance.{v}")
            if a is not None and a == a:
                thr = _mid(vp.threshold)
                accept.append(f"{v} {a:.2f}" + (" (rejects)" if a < thr else ""))
        n = int(r["runs"])
        rows.append(
            [
                f"`{r['scenario']}`",
                share_ci(r["p_formed"], n),
                share_ci(r["p_undersized"], n),
                share_ci(r["p_stalled"], n),
                share_ci(r["p_deployed"], n),
                why_not_formed(e, r),
                _formed_force(r),
                f"{force(r['force_median'])} ({force(r['force_p05'])}–{force(r['force_p95'])})",
                "never formed" if rounds is None or rounds != rounds else f"{rounds:.0f}",
                ", ".join(accept) or "—",
            ]
        )
    lines.append(
        table(
            [
                "scenario",
                "P(formed) (95%)",
                "undersized (95%)",
                "stalled (95%)",
                "P(deployed) (95%)",
                "why runs stall",
                "counted force where it formed: median (5–95%)",
                "counted force, all runs: median (5–95%)",
                "weeks to form (median)",
                "veto players' acceptance at the deadline (median)",
            ],
            rows,
        )
    )
    lines += [
        "",
        "A run forms when the counted force reaches the target *and* every veto player "
        "accepts the mandate, so a large force can still fail to form: *why runs stall* says "
        "whether they fell short of the minimum viable force or had enough pledged and the "
        "mandate was rejected (and by whom); shares are of all runs. *P(deployed)* is the "
        "share of runs with contingents in theatre by the end of the weeks watched; without "
        "a deployment stage a force counts as deployed in the week it forms.",
    ]
    lines += ["", "## P(commit) by state", ""]
    codes = [c[len("p_commit.") :] for c in comp.columns if c.startswith("p_commit.")]
    state_rows = []
    for code in codes:
        values = comp[f"p_commit.{code}"].tolist()
        kinds = comp[f"kind.{code}"].tolist()
        cells = [
            "—" if v is None or v != v else pct(v) + (f" ({k.replace('_', ' ')})" if k else "")
            for v, k in zip(values, kinds, strict=True)
        ]
        present = [v for v in values if v is not None and v == v]
        spread = max(present) - min(present) if present else 0.0
        state_rows.append((-spread, code, [f"`{code}`", *cells]))
    lines.append(
        table(["state", *[f"`{n}`" for n in names]], [r for _, _, r in sorted(state_rows)])
    )
    lines += [
        "",
        "In brackets: the contribution kind most often committed. States are listed by how "
        "much their P(commit) differs between the scenarios.",
        "",
        "## Charts",
        "",
        charts_md(charts),
    ]
    return "\n".join(lines).rstrip() + "\n"
