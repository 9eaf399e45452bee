"""Charts of a classroom game: the force against the all-model run, and the seats.

Drawn from the game's tables and the all-model run's tables (same scenario,
same seed), never from engine internals.

- `play_force`: counted force by week in the game and in the all-model run,
  with the target, the minimum viable size, the deadline and the weeks the
  broker conceded something.
- `play_seats`: for each human seat, its stance week by week as played, and
  as the model's own agent would have chosen it in the same weeks.
- `play_stances`: every state's stance week by week in the game.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.charts import stance_timeline, style

GAME, MODEL = "#0072B2", "#999999"


def draw_force(game: dict, model: dict, meta: Mapping, out_dir: Path) -> dict:
    """Counted force by week: the game (solid) against the all-model run (dashed)."""
    name, title = "play_force", "Counted force by week: your game against the all-model run"
    g, m = game["rounds"], model["rounds"]
    with style.chart_style():
        fig, ax = style.new_figure(9.0, 4.6)
        style.titles(fig, ax, title, style.subtitle(meta, f"seed {meta.get('seed')}, run 0"))
        ax.plot(
            g["round"],
            g["force"],
            color=GAME,
            lw=3.0,
            marker="o",
            ms=4,
            label="your game",
            zorder=3,
        )
        ax.plot(
            m["round"], m["force"], color=MODEL, lw=1.8, ls="--", label="all-model run", zorder=4
        )
        target = meta.get("target")
        style.target_lines(ax, target, meta.get("minimum_viable"), width=1.3)
        deadline = meta.get("deadline")
        last = int(max(g["round"].max(), m["round"].max()))
        if deadline and deadline <= last + 1:
            style.deadline_line(ax, deadline)
        conceded = g[g["concession"].astype(str) != ""]
        for n, (_, row) in enumerate(conceded.iterrows(), 1):
            ax.axvline(row["round"], color=GAME, lw=0.9, alpha=0.4, zorder=1)
            ax.annotate(
                str(n),
                xy=(row["round"], 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, -3),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7.5,
                color="white",
                bbox={"boxstyle": "circle,pad=0.25", "fc": GAME, "ec": "none"},
            )
            label = meta.get("concessions", {}).get(row["concession"], row["concession"])
            ax.plot(
                [],
                [],
                color=GAME,
                lw=0.9,
                alpha=0.5,
                label=style.wrap(f"({n}) week {int(row['round'])}, conceded: {label.lower()}", 40),
            )
        if not (g["force"].any() or m["force"].any()):
            style.empty_note(ax, "No pledge counted toward the target in either run.")
        style.round_axis(ax)
        ax.set_xlim(0.5, max(last, deadline or 0) + 0.5)
        top = max(float(g["force"].max()), float(m["force"].max()), target or 0.0)
        ax.set_ylim(0, top * 1.2 + 1)
        ax.set_ylabel("Counted force (personnel)")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        files = style.save(fig, out_dir, name)
    gl, ml = g.iloc[-1], m.iloc[-1]
    caption = (
        f"Counted force by week: your game ended at {gl['force']:,.0f} in week {int(gl['round'])}, "
        f"the all-model run at {ml['force']:,.0f} in week {int(ml['round'])}."
    )
    return {"name": name, **files, "title": title, "caption": caption}


def _grid_chart(
    run: pd.DataFrame,
    order: list[str],
    labels: list[str],
    bold: set[str],
    meta: Mapping,
    title: str,
    context: str,
    out_dir: Path,
    name: str,
    rule_every: int = 0,
) -> dict[str, str]:
    """A stance grid (the stance timeline's look) with our own rows, labels and title."""
    run = run.copy()
    run["kind"] = run["kind"].fillna("").astype(str)
    run["vetoed"] = run["vetoed"].fillna(False).astype(bool)
    rounds = sorted(int(r) for r in run["round"].unique())
    kinds_seen = style.ordered_kinds(meta, run["kind"].unique())
    codes = style.kind_codes(kinds_seen, meta)
    kinds = [k for k in kinds_seen if k in set(run["kind"])]
    any_vetoed = bool(stance_timeline.framed(run).any())
    with style.chart_style():
        handles = stance_timeline._legend_handles(meta, kinds, codes, any_vetoed, None)
        width, height = stance_timeline._size(labels, rounds, handles)
        fig, ax = style.new_figure(width, max(height, 1.9 + 0.36 * len(order)))
        style.titles(fig, ax, title, style.subtitle(meta, context))
        stance_timeline._draw_grid(ax, run, order, rounds, codes)
        ax.set_yticks(range(len(order)), labels)
        for tick, key in zip(ax.get_yticklabels(), order, strict=True):
            if key in bold:
                tick.set_fontweight("bold")
        if rule_every:
            for i in range(rule_every, len(order), rule_every):
                ax.axhline(i - 0.5, color=style.INK, lw=1.6)
        stance_timeline._round_ticks(ax, rounds)
        ax.tick_params(axis="y", length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        stance_timeline._legend(fig, handles, len(kinds))  # below the grid, as the run's
        return style.save(fig, out_dir, name)


def draw_seats(seats: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    """Stance grid: each human seat as played and as the model would have chosen.

    `seats` has columns state, who ("you" or "model"), round, stance, kind.
    """
    name, title = "play_seats", "Your choices against the model's, week by week"
    rows, order, labels = [], [], []
    for code in dict.fromkeys(seats["state"]):
        for who in ("you", "model"):
            key = f"{code}:{who}"
            order.append(key)
            part = seats[(seats["state"] == code) & (seats["who"] == who)]
            rows.append(part.assign(state=key, vetoed=False))
            label = style.state_label(code, meta)
            labels.append(f"{label}: you" if who == "you" else f"{label}: model's choice")
    run = pd.concat(rows, ignore_index=True)
    bold = {k for k in order if k.endswith(":you")}
    context = "the model's choice is its agent's, in the same week of the same game"
    files = _grid_chart(run, order, labels, bold, meta, title, context, out_dir, name, 2)
    you = seats[seats["who"] == "you"].set_index(["state", "round"])["stance"]
    model = seats[seats["who"] == "model"].set_index(["state", "round"])["stance"]
    same = int((you == model.reindex(you.index)).sum())
    caption = (
        f"Stance of each human seat as played (bold) and as the model's agent would have "
        f"chosen it in the same week: the same stance in {same} of {len(you)} seat-weeks."
    )
    return {"name": name, **files, "title": title, "caption": caption}


def draw_stances(states: pd.DataFrame, meta: Mapping, out_dir: Path, seats: list[str]) -> dict:
    """Every state's stance in the game, human seats first and in bold."""
    name, title = "play_stances", "Stance of each state, week by week, in your game"
    others = stance_timeline._grid(states[~states["state"].isin(seats)], meta)["state"].tolist()
    order = [s for s in seats if s in set(states["state"])] + others
    labels = [style.state_label(c, meta) + (" [you]" if c in seats else "") for c in order]
    files = _grid_chart(states, order, labels, set(seats), meta, title, "", out_dir, name)
    last = states[states["round"] == states["round"].max()]
    committed = last.loc[last["stance"] == "committed", "state"].tolist()
    caption = (
        f"Stance of each of the {len(order)} states in every week of your game; "
        f"{len(committed)} committed by the last week ({int(states['round'].max())})."
    )
    return {"name": name, **files, "title": title, "caption": caption}
