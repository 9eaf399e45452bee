"""Side-by-side charts of several scenarios, drawn from the comparison tables.

`draw(comp, runs, commits, meta, out_dir)` reads:

- `comp`: one row per scenario (`scenario`, `runs`, `p_formed`, `p_formed_lo`,
  `p_formed_hi`, ...), as in comparison.csv;
- `runs`: one row per scenario and run (`scenario`, `outcome`, `rounds`, `force`,
  and `rejected_by`, the veto players rejecting the final mandate, when known);
- `commits`: one row per scenario, state and kind (`scenario`, `state`, `kind`,
  `p_commit`);

and writes four charts: P(commit) per state × scenario with the contribution
kind, P(formed) with its 95% interval, the distribution of counted force, and
the share of runs formed by each week. Every scenario is labelled with how its
runs end ("forms in 44% of runs", "does not form: mandate rejected by Israel"),
so that a scenario where states commit but nothing deploys does not read as
the best one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from sim.analysis.commits import commit_column
from sim.charts import style
from sim.charts.sweep import header_figure
from sim.numbers import force, pct, share_ci

P_CMAP = "Purples"
SECOND_KIND = 0.25
"""A second kind is named in a cell when it holds at least this share of the state's P(commit)."""
NOT_COUNTED = "*"


def scenario_colours(names: list[str]) -> dict[str, str]:
    """One fixed colour per scenario, in the order given."""
    palette = style.SERIES_PALETTE + style.KIND_PALETTE[6:]
    return {n: palette[i % len(palette)] for i, n in enumerate(names)}


def _names(comp: pd.DataFrame) -> list[str]:
    return [str(s) for s in comp["scenario"]]


def outcome_note(runs: pd.DataFrame, name: str, meta: Mapping, most: int = 2) -> str:
    """How a scenario's runs end, in a few words: 'forms in 44% of runs', or why not.

    A scenario that never forms says what happened instead, largest share first:
    'does not form: mandate rejected by Israel (100% of runs)'.
    """
    r = runs[runs["scenario"] == name]
    if r.empty:
        return "no runs"
    n = len(r)
    outcome = r["outcome"].astype(str)
    formed = float((outcome == "formed").mean())
    if formed > 0:
        return f"forms in {pct(formed)} of runs"
    info = {s["name"]: s for s in meta.get("scenarios", [])}.get(name, {})
    minimum = float(info.get("minimum_viable") or 0.0)
    stalled = r[outcome == "stalled"]
    by = stalled.get("rejected_by", pd.Series("", index=stalled.index)).fillna("").astype(str)
    enough = stalled["force"].astype(float) >= minimum
    rejected = enough & (by != "")
    who: dict[str, int] = {}
    for cell in by[rejected]:
        for v in filter(None, cell.split(";")):
            who[v] = who.get(v, 0) + 1
    names = [meta.get("veto_players", {}).get(v, v) for v in sorted(who, key=lambda v: -who[v])]
    reasons = [
        ("formed undersized at the deadline", float((outcome == "undersized").sum()) / n),
        (f"mandate rejected by {' and '.join(names)}", float(rejected.sum()) / n),
        ("short of the minimum viable force", float((~enough).sum()) / n),
        ("enough pledged, not deployable", float((enough & (by == "")).sum()) / n),
    ]
    reasons = sorted((x for x in reasons if x[1] > 0), key=lambda x: -x[1])[:most]
    if not reasons:
        return "does not form"
    return "does not form: " + "; ".join(f"{why} ({pct(share)} of runs)" for why, share in reasons)


def _subtitle(meta: Mapping, *parts: str) -> str:
    runs = sorted({s["runs"] for s in meta.get("scenarios", [])})
    each = f"{runs[0]:,} runs each" if len(runs) == 1 else "runs: " + ", ".join(map(str, runs))
    return "  ·  ".join(
        p for p in (f"{len(meta.get('scenarios', []))} scenarios", each, *parts) if p
    )


# ------------------------------------------------------------------ P(commit) heatmap


def _cell_kinds(rows: pd.DataFrame, codes: Mapping[str, str], counted: set[str]) -> str:
    """Codes of the dominant kind (and a large second one); '*' marks uncounted kinds."""
    rows = rows[rows["p_commit"] > 0].sort_values(["p_commit", "kind"], ascending=[False, True])
    if rows.empty:
        return ""
    total = rows["p_commit"].sum()
    picked = [rows.iloc[0]["kind"]]
    if len(rows) > 1 and rows.iloc[1]["p_commit"] >= SECOND_KIND * total:
        picked.append(rows.iloc[1]["kind"])
    return "+".join(codes[k] + ("" if k in counted else NOT_COUNTED) for k in picked)


def _commit(comp, commits, runs, meta, out_dir) -> dict:
    names = _names(comp)
    states = list(meta.get("states", {}))
    kinds = style.ordered_kinds(meta, commits["kind"].dropna().astype(str).unique())
    codes = style.kind_codes(kinds, meta)
    counted = set(meta.get("counted_kinds") or kinds)
    p = commits.groupby(["state", "scenario"])[commit_column(commits)].sum()
    m = np.full((len(states), len(names)), np.nan)
    for i, s in enumerate(states):
        for j, n in enumerate(names):
            if (s, n) in p.index:
                m[i, j] = p[(s, n)]
    order = sorted(
        range(len(states)),
        key=lambda i: (
            -np.nanmax(np.nan_to_num(m[i], nan=0.0)),
            style.state_label(states[i], meta),
        ),
    )
    m = m[order]
    states = [states[i] for i in order]
    used: set[str] = set()
    title = "P(commit) per state in each scenario, with the kind committed"
    width = max(7.5, 1.45 * len(names) + 4.2)
    height = 0.36 * len(states) + 2.6
    with style.chart_style():
        fig, body = header_figure(
            width,
            height + 0.5,
            title,
            _subtitle(meta, "framed: P(commit) ≥ 50%")
            + "\nUnder each scenario: how its runs end. States can commit in a scenario"
            " where no force forms.",
        )
        ax = body.subplots()
        norm = Normalize(0, 1)
        im = ax.imshow(m, cmap=P_CMAP, norm=norm, aspect="auto")
        for (r, c), v in np.ndenumerate(m):
            if np.isnan(v):
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="#f2f2f2", zorder=2))
                ax.text(
                    c,
                    r,
                    "not in scenario",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=style.MUTED,
                    zorder=3,
                )
                continue
            rows = commits[(commits["scenario"] == names[c]) & (commits["state"] == states[r])]
            kind = _cell_kinds(rows, codes, counted)
            used |= {k for k in kinds if codes[k] in kind.replace(NOT_COUNTED, "").split("+")}
            text = pct(v) + (f"  {kind}" if kind else "")
            dark = norm(v) > 0.55
            ax.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else style.INK,
                zorder=3,
            )
            if v >= 0.5:
                style.outline_cell(ax, r, c, zorder=4)
        heads = [
            f"{style.wrap(n.replace('_', ' '), 18)}\n"
            f"{style.wrap(outcome_note(runs, n, meta, most=1), 24)}"
            for n in names
        ]
        ax.set_xticks(range(len(names)), heads, fontsize=8)
        ax.xaxis.tick_top()
        for label, n in zip(ax.get_xticklabels(), names, strict=True):
            if outcome_note(runs, n, meta).startswith("does not form"):
                label.set_color(style.STANCE_COLOURS["declined"])
        ax.set_yticks(range(len(states)), [style.state_label(s, meta) for s in states])
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        bar = body.colorbar(
            im, ax=ax, shrink=0.6, label="P(commit): share of runs ending committed"
        )
        bar.ax.yaxis.set_major_formatter(lambda v, _: pct(v))
        legend = [
            f"{codes[k]} = {style.kind_label(k, meta)}" + ("" if k in counted else NOT_COUNTED)
            for k in kinds
            if k in used
        ]
        if legend:
            note = "Kind most often committed: " + "; ".join(legend)
            if any(k not in counted for k in used):
                note += f"   ({NOT_COUNTED} not counted toward the target)"
            ax.set_xlabel(style.wrap(note, int(width * 13)), fontsize=8, color=style.MUTED)
        files = style.save(fig, out_dir, "compare_commit")
    diffs = np.nan_to_num(np.nanmax(m, axis=1) - np.nanmin(m, axis=1), nan=0.0) if len(m) else []
    if len(diffs) and max(diffs) > 0:
        top = int(np.argmax(diffs))
        caption = (
            f"Share of runs in which each state ended committed, per scenario; "
            f"{style.state_label(states[top], meta)} differs most, from "
            f"{pct(np.nanmin(m[top]))} to {pct(np.nanmax(m[top]))}."
        )
    else:
        caption = "Share of runs in which each state ended committed; no state differs."
    return _chart("compare_commit", files, title, caption)


# ------------------------------------------------------------------ P(formed)


def _formed(comp, runs, meta, out_dir) -> dict:
    names = _names(comp)
    colours = scenario_colours(names)
    title = "P(formed) in each scenario, with its 95% interval"
    with style.chart_style():
        fig, ax = style.new_figure(9.2, 1.7 + 0.62 * len(names))
        style.titles(fig, ax, title, _subtitle(meta, "Wilson score interval"))
        y = np.arange(len(names))[::-1]
        p = comp["p_formed"].to_numpy(float)
        lo = comp["p_formed_lo"].to_numpy(float)
        hi = comp["p_formed_hi"].to_numpy(float)
        n = comp["runs"].to_numpy(int)
        ax.barh(y, p, height=0.6, color=[colours[s] for s in names], alpha=0.85)
        ax.errorbar(
            p, y, xerr=[p - lo, hi - p], fmt="none", ecolor=style.INK, capsize=4, linewidth=1.2
        )
        for yi, pi, high, runs_n, s in zip(y, p, hi, n, names, strict=True):
            note = outcome_note(runs, s, meta)
            text = share_ci(pi, int(runs_n))
            if note.startswith("does not form"):
                text += "  ·  " + note
            ax.annotate(
                text,
                xy=(high, yi),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=style.STANCE_COLOURS["declined"] if pi == 0 else style.INK,
            )
        ax.set_yticks(y, [s.replace("_", " ") for s in names])
        ax.set_xlim(0, 1)
        style.share_axis(ax, 1.0)
        ax.set_xlabel(
            "P(formed): share of runs in which the force formed (target met, mandate accepted)"
        )
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        files = style.save(fig, out_dir, "compare_formed")
    best = comp.sort_values("p_formed", ascending=False).iloc[0]
    caption = (
        f"P(formed) with its 95% Wilson interval; highest in {best['scenario']} at "
        f"{share_ci(float(best['p_formed']), int(best['runs']))}."
    )
    never = [s for s in names if outcome_note(runs, s, meta).startswith("does not form")]
    if never:
        caption = (
            caption[:-1]
            + "; "
            + "; ".join(f"{s} {outcome_note(runs, s, meta)}" for s in never)
            + "."
        )
    return _chart("compare_formed", files, title, caption)


# ------------------------------------------------------------------ force sizes


def _force(comp, runs, meta, out_dir) -> dict:
    names = _names(comp)
    colours = scenario_colours(names)
    info = {s["name"]: s for s in meta.get("scenarios", [])}
    title = "Counted force at the end of each run"
    top = max(float(runs["force"].max() or 0), *(info[n]["target"] for n in names if n in info))
    bins = np.linspace(0, top * 1.05 if top > 0 else 1, 31)
    with style.chart_style():
        fig, body = header_figure(
            8.6,
            1.2 + 1.25 * len(names),
            title,
            _subtitle(meta, "dashed: target (midpoint of its range); dotted: minimum viable")
            + "\nA run at or past the target fails to form if a veto player rejects the mandate",
        )
        axes = body.subplots(len(names), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for ax, n in zip(axes, names, strict=True):
            sizes = runs.loc[runs["scenario"] == n, "force"].to_numpy(float)
            weights = np.full(len(sizes), 1 / max(len(sizes), 1))
            ax.hist(sizes, bins=bins, weights=weights, color=colours[n], alpha=0.85)
            if n in info:
                ax.axvline(
                    info[n]["target"], color=style.TARGET_COLOUR, linestyle="--", linewidth=1.3
                )
                ax.axvline(
                    info[n]["minimum_viable"],
                    color=style.MINIMUM_COLOUR,
                    linestyle=":",
                    linewidth=1.4,
                )
            if len(sizes) and n in info:
                r = runs[runs["scenario"] == n]
                reached = float((sizes >= info[n]["target"]).mean())
                formed = float((r["outcome"] == "formed").mean())
                ax.text(
                    0.99,
                    0.92,
                    f"≥ {force(info[n]['target'])} (target): "
                    f"{pct(reached)} of runs · formed: {pct(formed)}",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=8,
                    color=style.INK,
                )
            ax.set_ylabel(
                style.wrap(n.replace("_", " "), 16),
                rotation=0,
                ha="right",
                va="center",
                fontsize=8.5,
            )
            ax.yaxis.set_major_formatter(lambda v, _: pct(round(v, 6)))
            ax.grid(axis="y", color="#eeeeee", linewidth=0.7)
            ax.set_axisbelow(True)
        axes[-1].set_xlabel("Counted force at the end of the run (personnel); bars: share of runs")
        axes[-1].xaxis.set_major_formatter(lambda v, _: force(v))
        files = style.save(fig, out_dir, "compare_force")
    med = comp.set_index("scenario")["force_median"]
    caption = (
        "Distribution of the final counted force in each scenario, with the share of runs "
        "at or past the target and the share formed; medians: "
        + ", ".join(f"{n} {force(float(med[n]))}" for n in names)
        + "."
    )
    return _chart("compare_force", files, title, caption)


# ------------------------------------------------------------------ time to form


def _time(comp, runs, meta, out_dir) -> dict:
    names = _names(comp)
    colours = scenario_colours(names)
    info = {s["name"]: s for s in meta.get("scenarios", [])}
    title = "Time to form: share of runs formed by each week"
    last = int(max([runs["rounds"].max(), *(s["deadline"] for s in info.values())]))
    weeks = np.arange(0, last + 1)
    with style.chart_style():
        fig, ax = style.new_figure(8.6, 4.4)
        style.titles(fig, ax, title, _subtitle(meta, "each curve ends at the scenario's P(formed)"))
        for i, n in enumerate(names):
            r = runs[runs["scenario"] == n]
            formed = r.loc[r["outcome"] == "formed", "rounds"].to_numpy(int)
            share = np.array([(formed <= w).sum() / max(len(r), 1) for w in weeks])
            final = share[-1]
            label = f"{n.replace('_', ' ')} ({pct(final)} formed)"
            if not formed.size:
                why = outcome_note(runs, n, meta, most=1).removeprefix("does not form").lstrip(": ")
                label = f"{n.replace('_', ' ')}: never forms" + (f" ({why})" if why else "")
                label = style.wrap(label, 40)
            ax.step(
                weeks,
                share,
                where="post",
                color=colours[n],
                linewidth=2.2 - 0.3 * (i % 3),
                linestyle=("-", "--", ":")[i % 3],
                label=label,
            )
        deadlines = sorted({info[n]["deadline"] for n in names if n in info})
        for d in deadlines:
            ax.axvline(
                d,
                color=style.DEADLINE_COLOUR,
                linewidth=1.1,
                linestyle="-.",
                label=f"Deadline (week {d})",
            )
        ax.set_ylim(-0.04, 1.03)
        ax.set_xlim(0, last + 0.5)
        style.round_axis(ax)
        ax.set_ylabel("Share of runs formed by this week")
        style.share_axis(ax, 1.0, which="y", ticks=5)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        files = style.save(fig, out_dir, "compare_time")
    parts = []
    for r in comp.to_dict("records"):
        med = r["rounds_to_form_median"]
        parts.append(
            f"{r['scenario']} never formed"
            if med is None or med != med
            else f"{r['scenario']} median week {med:.0f}"
        )
    caption = (
        "Cumulative share of runs formed, week by week; among formed runs: "
        + "; ".join(parts)
        + "."
    )
    return _chart("compare_time", files, title, caption)


def _chart(name: str, files: dict[str, str], title: str, caption: str) -> dict:
    return {"name": name, **files, "title": title, "caption": caption}


def draw(
    comp: pd.DataFrame, runs: pd.DataFrame, commits: pd.DataFrame, meta: Mapping, out_dir: Path
) -> list[dict]:
    """Draw the four comparison charts; return name, files, title and caption of each."""
    out_dir = Path(out_dir)
    return [
        _commit(comp, commits, runs, meta, out_dir),
        _formed(comp, runs, meta, out_dir),
        _force(comp, runs, meta, out_dir),
        _time(comp, runs, meta, out_dir),
    ]
