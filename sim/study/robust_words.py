"""robust.md: a robustness study in words, with the numbers of robust.csv.

Kept apart from the computation (`sim.study.robust`) so the wording can be
read and changed in one place.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from sim.numbers import pct, pct_range

if TYPE_CHECKING:
    from sim.study.robust import Result

CRITERION_WORDS = {
    "mean": "mean P(formed) over the worlds (higher is better)",
    "worst_decile": "the mean P(formed) of its worst tenth of worlds (higher is better)",
    "regret": (
        "regret: the largest shortfall, over the worlds, from the best candidate in that "
        "world (lower is better)"
    ),
}


def pts(d: float) -> str:
    """A difference of shares in percentage points, signed: '+4 pts', '−2 pts'."""
    whole = round(d * 100)
    sign = "+" if whole > 0 else "−" if whole < 0 else "±"
    return f"{sign}{abs(whole)} pt" + ("" if abs(whole) == 1 else "s")


def _table(table: pd.DataFrame) -> list[str]:
    lines = [
        "| rank | candidate | mean P(formed) (95%) | worst decile | regret | "
        "P(formed or undersized) |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for r in table.to_dict("records"):
        lines.append(
            f"| {r['rank']} | {r['label']} | {pct(r['mean'])} "
            f"({pct_range(r['mean_lo'], r['mean_hi'])}) | {pct(r['worst_decile'])} | "
            f"{pts(r['regret']).lstrip('+±')} | {pct(r['mean_formed_or_undersized'])} |"
        )
    return lines


def _needed(worlds: int | None, st) -> str:
    """'about 640 worlds at 20 runs per world (51,200 runs in all)'."""
    total = worlds * st.runs_per_world * st.candidates
    return f"about {worlds:,} worlds at {st.runs_per_world} runs per world ({total:,} runs in all)"


def _separation(res: Result, table: pd.DataFrame) -> list[str]:
    st, sep = res.study, res.sep
    first, second = (
        f"*{table.set_index('candidate').loc[k, 'label']}*" for k in (sep.first, sep.second)
    )
    if sep.separated:
        lines = [
            f"The intervals of the first two, {first} and {second}, do not overlap: "
            "they are separated at this run count."
        ]
    else:
        lines = [
            f"The intervals of the first two, {first} and {second}, overlap: "
            "**not separated at this run count**."
        ]
        if sep.worlds_needed is None:
            lines.append(
                "Their means are equal here; no number of worlds is estimated to part them."
            )
        else:
            lines.append(
                f"With the spread seen here, {_needed(sep.worlds_needed, st)} would part the "
                "intervals."
            )
    paired = (
        f"Paired on the same worlds and runs, the difference of their mean P(formed) is "
        f"{pts(sep.diff)} (95% bootstrap interval {pts(sep.diff_lo)} to {pts(sep.diff_hi)}, "
        "the same resamples of worlds for both)"
    )
    if sep.paired_separated:
        paired += (
            ": it excludes 0, so the first is ahead of the second over these worlds; the "
            "intervals above also carry how much P(formed) varies from world to world, "
            "which both candidates meet alike."
        )
    elif sep.paired_worlds_needed is not None:
        paired += f": it includes 0; {_needed(sep.paired_worlds_needed, st)} would exclude it."
    else:
        paired += ": it includes 0."
    return [*lines, "", paired]


def _ties(res: Result, table: pd.DataFrame) -> str:
    """Say so when the criterion does not part the first candidates (ties go by the mean)."""
    crit = res.study.criterion
    values = table[crit].round(6).tolist()
    tied = sum(v == values[0] for v in values)
    if tied < 2:
        return ""
    shown = pct(values[0]) if crit != "regret" else pts(values[0]).lstrip("+±")
    which = f"All {tied}" if tied == len(values) else f"The first {tied}"
    return (
        f"{which} candidates tie on {crit.replace('_', ' ')} ({shown}); tied "
        "candidates are ordered by mean P(formed), then by their order in the sweep file."
    )


def _agreement(res: Result, table: pd.DataFrame) -> str:
    from sim.study.names import CRITERIA
    from sim.study.robust import ranking

    labels = "*" + table.set_index("candidate")["label"] + "*"
    firsts = {c: labels[ranking(res.scores, c)[0]] for c in CRITERIA}
    if len(set(firsts.values())) == 1:
        return f"All three criteria rank {next(iter(firsts.values()))} first."
    said = "; ".join(f"{c.replace('_', ' ')}: {lab}" for c, lab in firsts.items())
    return f"The criteria differ on the first place ({said})."


def markdown(res: Result, table: pd.DataFrame, chart: dict) -> str:
    """robust.md: what was compared, how, the ranking, and how sure it is."""
    from sim.charts import style
    from sim.output.formats import NOT_DRAWN

    st = res.study
    sw = st.sweep
    N = len(st.worlds)
    k = max(1, math.ceil(0.1 * N))
    levers = ", ".join(f"`{a.path}`" for a in sw.axes)
    lines = [
        f"# Robust mandates: {sw.title}",
        "",
        f"{st.candidates} candidate mandates (the points of `{sw.file}`; levers: {levers}) "
        f"were each run in the same {N:,} worlds, {st.runs_per_world} runs per world, seed "
        f"{st.seed}: {st.total_runs:,} runs. A world is one Latin-hypercube position inside "
        f"the {len(st.names)} judgement ranges of *{sw.base.title}* (`{sw.base_file}`); its "
        "values are in `worlds.csv`. Run *i* of the seed is the same world and the same "
        "decision and incident noise for every candidate, so the candidates differ by their "
        "terms only.",
        "",
        f"Ranked by **{CRITERION_WORDS[st.criterion]}**.",
        "",
        *_table(table),
        "",
        *([_ties(res, table), ""] if _ties(res, table) else []),
        "## The criteria",
        "",
        "- **mean**: P(formed) averaged over the worlds.",
        f"- **worst decile**: the mean P(formed) of the candidate's worst {k} of {N} worlds.",
        "- **regret** (Savage): in each world, the best candidate's P(formed) minus this "
        "candidate's; the largest such shortfall over the worlds. A candidate best in every "
        "world has regret 0.",
        "",
        _agreement(res, table),
        "",
        "## How sure",
        "",
        "Each mean carries a 95% bootstrap interval over worlds (2,000 resamples of the "
        "worlds with replacement, percentile interval, generator seeded from the run seed); "
        f"it includes the noise of {st.runs_per_world} runs per world.",
        "",
        *_separation(res, table),
        "",
        "P(formed or undersized) counts runs where a force formed below the target too.",
        "",
        f"## {chart['title']}",
        "",
        f"![{chart['title']}]({style.link(chart)})" if style.link(chart) else NOT_DRAWN,
        "",
        chart["caption"],
        "",
    ]
    return "\n".join(lines)
