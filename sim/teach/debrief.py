"""The debrief: each seat's choices against the model's own, and the two outcomes.

For each human seat, how often its stance (and its whole choice: stance, kind,
pledge, demand) agreed with what the model's agent would have chosen on the
same table that week, the weeks that differ and why the model chose as it did
(its payoff components, its binding red line); then the game's outcome against
the all-model run of the same seed.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from sim.analysis import story
from sim.analysis import words as wd
from sim.numbers import force
from sim.scenario.arrays import OFFERED, STANCES, Compiled
from sim.teach.seat import Choice, Turn

if TYPE_CHECKING:
    from sim.teach.game import Game

COMPONENT_WORDS = {
    "incentives": "incentives",
    "distance": "distance from its preferred terms",
    "domestic": "domestic opposition",
    "risk": "security risk",
    "conformity": "bloc peers",
    "bandwagon": "others' pledges",
    "side_payment": "side payments",
    "noise": "noise",
}


def choice_text(C: Compiled, ch: Choice) -> str:
    """'committed 3,000 combat troops', 'conditional, demands X (would bring 3,000 troops)'."""
    text = ch.stance
    if STANCES.index(ch.stance) >= OFFERED and ch.kind:
        text += f" {wd.pledge(C, ch.kind, ch.pledge)}"
    if ch.demand:
        text += f"; demands {wd.concession(C, ch.demand).lower()}"
        if ch.kind and ch.pledge and STANCES.index(ch.stance) < OFFERED:
            text += f" (would bring {wd.pledge(C, ch.kind, ch.pledge)})"
    return text


def differences(C: Compiled, turns: list[Turn]) -> list[tuple[str, str, str, str, str]]:
    """Weeks where the human chose otherwise than the model's agent, consecutive weeks
    with the same choices and the same reason told together:
    (weeks, what differs, what you chose, what the model's agent chose, why)."""
    out: list[tuple[str, str, str, str, str]] = []
    group: list[Turn] = []

    def key(t: Turn) -> tuple:
        m = t.model
        return (
            choice_text(C, t.you),
            tuple(differing(t.you, m)),
            m.stance,
            m.kind,
            m.pledge if "pledge" in differing(t.you, m) else None,
            t.binding,
            t.binding or t.gate_open,
        )

    def close() -> None:
        if not group:
            return
        a, b = group[0], group[-1]
        weeks = f"week {a.week}" if a is b else f"weeks {a.week}–{b.week}"
        model = dataclasses.replace(b.model, demand="")
        text = choice_text(C, model)
        asked = [t.model.demand for t in group if t.model.demand]
        for cid in dict.fromkeys(asked):
            n = asked.count(cid)
            text += f"; demands {wd.concession(C, cid).lower()}"
            if n < len(group):
                text += f" ({n} of {len(group)} weeks)"
        reason = why(C, b)
        if a is not b and not b.binding:
            lo, hi = min(t.payoff for t in group), max(t.payoff for t in group)
            reason = f"payoff {lo:+.2f} to {hi:+.2f}; in week {b.week}: {reason}"
        what = ", ".join(differing(a.you, a.model))
        out.append((weeks, what, choice_text(C, a.you), text, reason))
        group.clear()

    for t in turns:
        if same(t.you, t.model):
            close()
            continue
        if group and (key(t) != key(group[-1]) or t.week != group[-1].week + 1):
            close()
        group.append(t)
    close()
    return out


def differing(a: Choice, b: Choice) -> list[str]:
    """What differs between two choices: 'stance', 'kind', 'pledge', 'demand'.

    A kind and a pledge count only on the table (offered or committed, by both);
    a demand only from a declined or conditional stance (the broker hears no
    other), so a demand named with an offer does not make two choices differ.
    """
    out = []
    if a.stance != b.stance:
        out.append("stance")
    both_in = STANCES.index(a.stance) >= OFFERED and STANCES.index(b.stance) >= OFFERED
    if both_in and a.kind != b.kind:
        out.append("kind")
    elif both_in and abs(a.pledge - b.pledge) > 1e-9:
        out.append("pledge")
    heard = ("declined", "conditional")
    if (a.demand if a.stance in heard else "") != (b.demand if b.stance in heard else ""):
        out.append("demand")
    return out


def same(a: Choice, b: Choice) -> bool:
    """The same stance, kind, pledge and demand (as `differing` compares them)."""
    return not differing(a, b)


def agreement(turns: list[Turn]) -> str:
    """How often the human chose as the model's agent would have, field by field."""
    n = len(turns)
    if not n:
        return "No week was played."
    stance = sum(1 for t in turns if t.you.stance == t.model.stance)
    whole = sum(1 for t in turns if same(t.you, t.model))
    text = f"Same stance as the model's agent in {stance} of {n} weeks"
    if whole == stance:
        return text + (", and the same kind, pledge and demand in each of them." if whole else ".")
    return (
        text + f"; the same stance, kind, pledge and demand in {whole} of {n} weeks "
        "(the table below says what differs)."
    )


def why(C: Compiled, t: Turn) -> str:
    """Why the model's agent chose what it chose for the seat that week."""
    if t.binding:
        line = f"red line '{wd.red_line(C, t.binding)}'"
        if t.model.stance == "conditional":
            return (
                f"{line} binds (a concession on the menu could lift it: "
                f"conditional, not declined); its payoff, {t.payoff:+.2f}, does not count"
            )
        return (
            f"{line} binds and nothing on the broker's menu lifts it; its payoff, "
            f"{t.payoff:+.2f}, does not count"
        )
    if not t.gate_open and t.model.stance not in ("offered", "committed"):
        lead = f"terms not clear enough ({t.clarity:.2f} < its threshold {t.threshold:.2f})"
    else:
        lead = ""
    top = sorted(t.components.items(), key=lambda kv: -abs(kv[1]))[:3]
    comps = ", ".join(f"{COMPONENT_WORDS[n]} {v:+.2f}" for n, v in top if v)
    text = f"payoff {t.payoff:+.2f} ({comps})"
    return f"{lead}; {text}" if lead else text


def outcome_rows(
    C: Compiled, game: dict, model: dict, seats: list[str]
) -> list[tuple[str, str, str]]:
    """(measure, your game, all-model run) rows."""
    g, m = game["runs"].iloc[0], model["runs"].iloc[0]

    def coalition(row) -> str:
        return ", ".join(row["coalition"].split(";")) if row["coalition"] else "none"

    def conceded(row) -> str:
        made = [x for x in str(row["concessions"] or "").split(";") if x]
        return (
            "; ".join(
                f"{wd.concession(C, x.rpartition('@')[0])} (week {x.rpartition('@')[2]})"
                for x in made
            )
            or "none"
        )

    rows = [
        ("outcome", story.OUTCOME_WORDS[g["outcome"]], story.OUTCOME_WORDS[m["outcome"]]),
        ("weeks", str(g["rounds"]), str(m["rounds"])),
        ("counted force", force(g["force"]), force(m["force"])),
        ("counted contributors", coalition(g), coalition(m)),
        ("concessions made", conceded(g), conceded(m)),
    ]
    rows += deployment_rows(C, g, m, game.get("deployments"), model.get("deployments"))
    for vid in C.veto_ids:
        col = f"accept.{vid}"
        rows.append(
            (
                f"{C.scenario.veto_players[vid].name}'s final acceptance",
                f"{game['rounds'][col].iloc[-1]:.2f}",
                f"{model['rounds'][col].iloc[-1]:.2f}",
            )
        )
    for code in seats:
        gs = game["states"][game["states"]["state"] == code].iloc[-1]
        ms = model["states"][model["states"]["state"] == code].iloc[-1]
        rows.append(
            (
                f"{C.scenario.states[code].name} at the end",
                _final(C, gs),
                _final(C, ms),
            )
        )
    return rows


def deployment_rows(
    C: Compiled,
    g: pd.Series,
    m: pd.Series,
    g_dep: pd.DataFrame | None = None,
    m_dep: pd.DataFrame | None = None,
) -> list[tuple[str, str, str]]:
    """Formed is not deployed: when contingents arrived and how strong the force in
    theatre was at the end of the watch (a scenario with a deployment stage); which
    contingents were suspended or withdrawn, where shocks act (`sim.rules.withdrawal`)."""
    from sim.engine.draws import watched
    from sim.rules.deployment import shocked, staged

    if not staged(C, C.scenario.run.mechanisms):
        return []
    H = watched(C)

    def arrived(row) -> str:
        week = row.get("deployed_week")
        return f"week {int(week)}" if pd.notna(week) and week != "" else f"none by week {H}"

    rows = [
        ("first contingents in theatre", arrived(g), arrived(m)),
        (
            f"deployed strength in week {H}",
            force(g["deployed_force"]),
            force(m["deployed_force"]),
        ),
    ]
    if shocked(C, C.scenario.run.mechanisms):
        rows.append(("suspended or withdrawn", _shocks(C, g_dep), _shocks(C, m_dep)))
    return rows


def _shocks(C: Compiled, dep: pd.DataFrame | None) -> str:
    """'Pakistan withdrawn week 9; Indonesia suspended 3 weeks', or 'none'."""
    if dep is None or "withdrawn_week" not in dep:
        return "none"
    parts = []
    for _, r in dep.iterrows():
        name = C.scenario.states[r["state"]].name
        if pd.notna(r["withdrawn_week"]):
            why = " (incident)" if r["withdrawn_by"] == "incident" else ""
            parts.append(f"{name} withdrawn week {int(r['withdrawn_week'])}{why}")
        elif r["suspended_weeks"]:
            n = int(r["suspended_weeks"])
            parts.append(f"{name} suspended {n} week{'s' if n != 1 else ''}")
    return "; ".join(parts) or "none"


def _final(C: Compiled, row: pd.Series) -> str:
    if row["stance"] in ("offered", "committed") and row["kind"]:
        return f"{row['stance']}, {wd.pledge(C, row['kind'], row['pledge'])}"
    return str(row["stance"])


def debrief_lines(game: Game, model_tables: dict) -> list[str]:
    """The debrief in markdown: each seat's choices against the model's, and the outcomes."""
    C = game.C
    lines = ["## Debrief", ""]
    for code in game.seats:
        name = C.scenario.states[code].name
        turns = [t for t in game.turns if t.code == code]
        lines += [f"### {name} ({code})", ""]
        lines.append(
            agreement(turns) + " (The model's choice is what its agent for "
            f"{name} would have decided that week, on the same table you saw.)"
        )
        lines.append("")
        rows = differences(C, turns)
        if rows:
            lines += [
                "| week | what differs | you chose | the model's agent would have chosen "
                "| why (the model's reasoning) |",
                "|---|---|---|---|---|",
            ]
            for weeks, what, you, model, reason in rows:
                lines.append(f"| {weeks} | {what} | {you} | {model} | {reason} |")
            lines.append("")
        if turns:
            mean = {n: float(np.mean([t.components[n] for t in turns])) for n in COMPONENT_WORDS}
            avg = float(np.mean([t.payoff for t in turns]))
            parts = ", ".join(f"{COMPONENT_WORDS[n]} {v:+.2f}" for n, v in mean.items() if v)
            lines.append(
                f"Over the game the model's payoff for joining averaged {avg:+.2f} for {name}: "
                f"{parts}. (Thresholds: conditional "
                f"{C.scenario.decision.thresholds.conditional:+.2f}, offered "
                f"{C.scenario.decision.thresholds.offered:+.2f}, committed "
                f"{C.scenario.decision.thresholds.committed:+.2f}.)"
            )
            bound = sorted({t.binding for t in turns if t.binding})
            if bound:
                lines.append("")
                lines.append(
                    "Red lines that bound the model's agent: "
                    + ", ".join(f"{wd.red_line(C, r)} (`{r}`)" for r in bound)
                    + " (run "
                    f"`forcegen explain` with `--state {code}` for the evidence behind them)."
                )
            lines.append("")
    tables = game.trace.tables()
    lines += [
        "### Outcome: your game against the all-model run",
        "",
        f"The all-model run is the same scenario and seed ({game.seed}) with the model "
        "playing every seat.",
        "",
        "| | your game | all-model run |",
        "|---|---|---|",
    ]
    lines += [
        f"| {a} | {b} | {c} |" for a, b, c in outcome_rows(C, tables, model_tables, game.seats)
    ]
    lines.append("")
    return lines


def print_debrief(console: Console, game: Game, model_tables: dict) -> None:
    """The debrief on the terminal."""
    C = game.C
    console.rule("Debrief")
    for code in game.seats:
        name = C.scenario.states[code].name
        turns = [t for t in game.turns if t.code == code]
        console.print(f"[bold]{name} ({code})[/bold]: " + agreement(turns), highlight=False)
        for weeks, what, you, model, reason in differences(C, turns):
            console.print(
                f"  {weeks} ({what} differs): you {you}; the model's agent {model} — {reason}",
                highlight=False,
            )
    tab = Table(title="Your game against the all-model run (same seed)", box=box.SIMPLE_HEAD)
    tab.add_column("")
    tab.add_column("your game")
    tab.add_column("all-model run")
    for a, b, c in outcome_rows(C, game.trace.tables(), model_tables, game.seats):
        tab.add_row(a, b, c)
    console.print(tab)
