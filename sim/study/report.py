"""The sensitivity folder and console: the tidy table, words, the chart, provenance."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.numbers import force
from sim.study.methods import MAIN_INDEX
from sim.study.outcomes import label
from sim.study.problem import REFERENCES, is_reference, readable

METHOD_TEXT = {
    "delta": "delta (given data)",
    "pawn": "PAWN (given data)",
    "rbd_fast": "RBD-FAST (given data)",
    "sobol": "Sobol (Saltelli design)",
    "morris": "Morris (elementary effects)",
}
INDEX_TEXT = {
    "delta": "δ: how far fixing the range moves the outcome's whole distribution (0 none, 1 all)",
    "pawn": "PAWN: median Kolmogorov-Smirnov distance between the outcome's distribution "
    "with the range held in one slice and without (0 none, 1 all)",
    "S1": "S1: share of the outcome's variance the range explains alone",
    "ST": "ST: share of the outcome's variance the range (or actor) explains, alone and "
    "with the others",
    "mu_star": "μ*: mean absolute change of the outcome across the range's full width",
}
LEVEL_TEXT = (
    "A range is told apart from no effect when the lower end of its 95% interval lies above "
    "the level a range with no effect shows. Sobol and Morris run every point of a base "
    "sample as the same run (same decision noise and incidents), so a range with no effect "
    "scores exactly 0 and the level is 0. Delta, PAWN and RBD-FAST are computed with "
    f"{REFERENCES} extra columns of random numbers that drive nothing; the level is the "
    "largest index any of them reaches, since with many ranges some no-effect ranges "
    "would clear zero, or a 95% interval, by chance alone."
)


def number(value: float, outcome: str, index: str) -> str:
    """An index as a reader sees it: two decimals, or personnel for μ* of the force."""
    if not math.isfinite(value):
        return "n/a"
    if index == "mu_star" and outcome == "force":
        return force(value)
    return f"{value:.2f}"


def interval(row: pd.Series) -> str:
    """'0.71 (0.37 to 1.04)'."""
    o, i = row["outcome"], row["index"]
    lo, hi = number(row["conf_low"], o, i), number(row["conf_high"], o, i)
    return f"{number(row['value'], o, i)} ({lo} to {hi})"


def span(row: pd.Series) -> str:
    """The range as written in the scenario, or what a group holds."""
    if is_reference(row["parameter"]):
        return "random numbers"
    if pd.isna(row["low"]):
        return "all its ranges"
    return f"{row['low']:g} to {row['high']:g}"


def panels(table: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(outcome, method, rows of its main index) in the table's order."""
    out = []
    for (o, m), part in table.groupby(["outcome", "method"], sort=False):
        out.append((o, m, part[part["index"] == MAIN_INDEX[m]]))
    return out


def verdict(part: pd.DataFrame, runs: int) -> str:
    """Which ranges the run count tells apart from no effect, in words."""
    ranked = part[~is_reference(part["parameter"])]
    told = ranked[ranked["distinguishable"]]
    rest = len(ranked) - len(told)
    level = part["zero_level"].iloc[0]
    where = "zero" if level == 0 else f"the no-effect level ({level:.2f})"
    if told.empty:
        return (
            f"None of the {len(ranked)} is told apart from {where} at {runs:,} runs: no "
            "interval lies wholly above it, so the order carries no information; more runs "
            "would narrow the intervals."
        )
    names = ", ".join(readable(p) for p in told["parameter"])
    return (
        f"{len(told)} of {len(ranked)} told apart from {where} at {runs:,} runs: {names}. "
        f"The other {rest} are not distinguishable from {where} at this run count "
        "(their intervals reach down to it)."
    )


def runs_of(study, method: str) -> int:
    return study.runs.get(method, study.runs.get("given", 0))


def chart_line(alt: str, stem: str) -> str:
    """The page's image line for chart `stem` in the current formats (the PNG if
    written, else the SVG), or a line saying no chart file was written."""
    from sim.charts import style
    from sim.output.formats import NOT_DRAWN

    files = {f: f"{stem}.{f}" for f in style.current_formats()}
    return f"![{alt}]({style.link(files)})" if files else NOT_DRAWN


def markdown(study, top: int) -> str:
    """sensitivity.md: what was analysed, the top ranges per outcome, in words."""
    C = study.C
    sc = C.scenario
    lines = [
        f"# Sensitivity: which judgement calls matter ({sc.title or sc.name})",
        "",
        f"Scenario `{sc.name}`: {len(C.ranges)} ranges `[low, high]`, seed {study.seed}. "
        + "; ".join(source_text(study, m) for m in dict.fromkeys(study.table["method"]))
        + ".",
        "",
        LEVEL_TEXT,
        "",
        chart_line("Top ranges per outcome, with 95% intervals", "sensitivity"),
    ]
    for o, m, part in panels(study.table):
        runs = runs_of(study, m)
        lines += ["", f"## {label(o)}: {METHOD_TEXT[m]}", "", INDEX_TEXT[MAIN_INDEX[m]] + ".", ""]
        lines += [
            "| rank | range | actor | values | index (95% interval) | told apart |",
            "|---:|---|---|---|---|---|",
        ]
        for _, r in part.head(top).iterrows():
            rank = "" if pd.isna(r["rank"]) else int(r["rank"])
            told = "yes" if r["distinguishable"] else "no"
            lines.append(
                f"| {rank} | `{r['parameter']}` | {r['actor']} | {span(r)} | {interval(r)} "
                f"| {told} |"
            )
        lines += ["", verdict(part, runs)]
    if study.skipped:
        lines += ["", "## Not analysed", ""]
        lines += [f"- {k}: {v}, nothing to attribute." for k, v in study.skipped.items()]
    lines += ["", "All indices, with both ends of each interval: `sensitivity.csv`.", ""]
    return "\n".join(lines)


def source_text(study, method: str) -> str:
    """Where a method's runs came from."""
    runs = runs_of(study, method)
    if method in ("sobol", "morris"):
        grouped = study.groups.get(method) == "actor"
        return f"{method}: {runs:,} runs of its design" + (", ranges grouped by actor" * grouped)
    where = f"from {study.source}" if study.source else "run for this study"
    return f"{method}: {runs:,} runs {where}"


def print_study(out: Console, study, top: int) -> None:
    """The top ranges of each outcome and method, with intervals, then the verdict."""
    for o, m, part in panels(study.table):
        runs = runs_of(study, m)
        tab = Table(title=f"{label(o)} · {METHOD_TEXT[m]} · {runs:,} runs", title_justify="left")
        for col in ("#", "range", "values", f"{MAIN_INDEX[m]} (95% interval)", "told apart"):
            tab.add_column(col)
        for _, r in part.head(top).iterrows():
            rank = "" if pd.isna(r["rank"]) else str(int(r["rank"]))
            told = "yes" if r["distinguishable"] else "no"
            tab.add_row(rank, readable(r["parameter"]), span(r), interval(r), told)
        out.print(tab)
        out.print(verdict(part, runs), highlight=False, soft_wrap=True)
    for k, v in study.skipped.items():
        out.print(f"not analysed: {k}: {v}", highlight=False)


def manifest(study, argv: list[str]) -> dict:
    """What produced the folder: the scenario, runs, methods, versions, the command."""
    from sim.output.provenance import installed
    from sim.output.write import versions
    from sim.scenario.loader import scenario_hash

    sc = study.C.scenario
    return {
        "scenario": sc.name,
        "scenario_sha256": scenario_hash(sc),
        "seed": study.seed,
        "runs": study.runs,
        "from": study.source or None,
        "methods": list(dict.fromkeys(study.table["method"])),
        "groups": study.groups,
        "outcomes": study.outcomes,
        "versions": {**versions(), "SALib": installed("SALib")},
        "command": argv,
    }


def write_study(study, final: Path, argv: list[str]) -> None:
    """The folder, atomically: sensitivity.csv, .md, .png (and .svg, as `--formats`
    says), manifest.json."""
    from sim.charts.sensitivity import draw
    from sim.output.folder import atomic_folder
    from sim.output.write import dump_json

    with atomic_folder(final) as out:
        study.table.to_csv(out / "sensitivity.csv", index=False, lineterminator="\n")
        draw(study, out)
        (out / "sensitivity.md").write_text(markdown(study, 10), "utf-8")
        dump_json(manifest(study, argv), out / "manifest.json")
