"""Classroom mode: humans take seats at the table and play against the model.

Each week the terminal shows the mandate as it stands, the veto players'
acceptance, the other states' stances and demands, and the pledged force; it
then asks each human seat for a stance, a contribution kind, a pledge and a
demand (a concession from the broker's menu, or none). The Mesa model plays
everyone else: it decides for every state as usual, and the human answers
replace the model's decision for the human seats before the agents adopt it
(`ForceModel`'s `overrides` hook). The broker hears the humans' demands like
any other, crediting each with the pledge the human names.

At the end a debrief sets each human choice against what the model's own agent
would have chosen for that seat in the same week (and why, from its payoff
components), and the outcome against the all-model run from the same seed. A
transcript (markdown) and charts are saved.

Plain prompts only (`typer.prompt`), so it works in any terminal and with
scripted standard input; a wrong answer is asked again with the valid choices
shown. When input ends before the last week, the transcript so far is saved,
saying where the game stopped, and `Game.exit_status` is `EXIT_INPUT_ENDED`
(3): the command exits with that status (docs/teaching/README.md).

The transcript folder is written atomically, like a results folder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from sim.analysis import story
from sim.analysis import words as wd
from sim.analysis.report import mandate_text, mandate_words
from sim.charts import play as play_charts
from sim.engine.model import ForceModel
from sim.engine.trace import Trace
from sim.numbers import force
from sim.output.folder import atomic_folder
from sim.rules.decide import Decision
from sim.rules.terms import changes_anything
from sim.scenario.arrays import CONDITIONAL, DECLINED, OFFERED, STANCES, Compiled

RUN = 0
"""A game is run 0 of its seed: the all-model run it is compared with is that run."""
EXIT_INPUT_ENDED = 3
"""Exit status of `forcegen play` when input ends before the game does."""
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


class InputEndedError(Exception):
    """Standard input ended (or the player interrupted): stop the game cleanly."""


@dataclass
class Choice:
    """One seat's choice in one week."""

    stance: str
    kind: str = ""  # "" when nothing is offered or named
    pledge: float = 0.0
    demand: str = ""  # a concession id, "" for none


@dataclass
class Turn:
    """A human seat's week: what it chose, what the model's agent would have chosen, why."""

    week: int
    code: str
    you: Choice
    model: Choice
    payoff: float
    components: dict[str, float]
    binding: str
    gate_open: bool
    clarity: float
    threshold: float


@dataclass
class Game:
    """One classroom game: a scenario, the human seats, a seed."""

    C: Compiled
    seats: list[str]
    seed: int
    console: Console
    prompt: Callable[..., str] = typer.prompt
    turns: list[Turn] = field(default_factory=list)
    ended_early: int = 0  # the week input ended in (0: played to the end)

    @property
    def exit_status(self) -> int:
        """0 when the game was played to the end, EXIT_INPUT_ENDED when input ended first."""
        return EXIT_INPUT_ENDED if self.ended_early else 0

    def __post_init__(self) -> None:
        self.trace = Trace(self.C, self.seed, RUN, override=self._override)
        self.index = {code: self.C.states.index(code) for code in self.seats}
        self.last: dict[str, Choice] = {}

    # -- the game loop ------------------------------------------------------

    def play(self) -> bool:
        """Play week by week until the run ends; False if input ended first."""
        try:
            while self.trace.running:
                self.trace.step()
                self._report_week()
        except InputEndedError:
            self.console.print()  # end the unanswered prompt's line
            self.ended_early = max(int(self.trace.model.t), 1)
            return False
        return True

    def _override(self, model: ForceModel, dec: Decision) -> Decision:
        self._show_table(model, dec)
        choices = {code: self._ask_seat(model, code) for code in self.seats}
        return apply_choices(self.C, model.P, dec, self.index, choices, self.turns, model)

    # -- what the players see ----------------------------------------------

    def _show_table(self, model: ForceModel, dec: Decision) -> None:
        C, con, t = self.C, self.console, model.t
        clarity = float(model.mandate[0, C.cols.col[C.scenario.force.clarity_term]])
        target = float(model.P.broker.target[0])
        minimum = float(model.P.broker.minimum_viable[0])
        con.rule(f"Week {t} of {C.scenario.broker.deadline}")
        terms = C.cols.decode(model.mandate[0])
        con.print(
            f"[bold]Mandate[/bold] (clarity of the terms {clarity:.2f}): " + mandate_now(C, terms),
            highlight=False,
        )
        made = [
            concession_label(C, C.concessions[j])
            for j in range(len(C.concessions))
            if model.broker.made_round[j] >= 0
        ]
        if made:
            con.print("Conceded so far: " + "; ".join(made) + ".", highlight=False)
        acc = ", ".join(
            f"{C.scenario.veto_players[v.vid].name} {v.acceptance:.2f} "
            f"({'accepts' if v.accepts else 'rejects'})"
            for v in model.veto_players
        )
        hosts = ", ".join(f"{C.scenario.hosts[h.hid].name} {h.consent:.2f}" for h in model.hosts)
        con.print(
            f"[bold]Pledged force[/bold] (counted): {force(model.force)} of a target of "
            f"{force(target)} (minimum {force(minimum)} at the deadline). "
            f"Veto players: {acc or 'none'}." + (f" Host consent: {hosts}." if hosts else ""),
            highlight=False,
        )
        last = self.trace.snapshots[-1].decision if self.trace.snapshots else None
        tab = Table(box=box.SIMPLE_HEAD, padding=(0, 1), title="The other states (last week)")
        for col in ("state", "stance", "contribution", "demand"):
            tab.add_column(col)
        for s in model.contributors:
            if s.code in self.seats:
                continue
            demand = int(last.demand[0, s.index]) if last is not None else -1
            tab.add_row(
                f"{s.name} ({s.code})",
                s.stance_name,
                pledge_text(
                    C, C.kinds[s.kind] if s.kind >= 0 else "", s.pledge, self._vetoed(s.index)
                )
                if s.stance >= OFFERED
                else "—",
                concession_label(C, C.concessions[demand]) if demand >= 0 else "—",
            )
        con.print(tab)

    def _vetoed(self, i: int) -> bool:
        P = self.trace.params
        return bool(P.state.vetoed[0, i]) and self.C.scenario.run.mechanisms.vetoes

    def _seat_panel(self, model: ForceModel, code: str) -> list[tuple[str, str]]:
        """Shown to a seat before it answers; returns the kinds it can offer."""
        C, con, i = self.C, self.console, self.index[code]
        P = model.P
        spec = C.scenario.states[code]
        me = model.contributors[i]
        con.print(
            f"[bold]You are {spec.name} ({code}).[/bold] Last week: {me.stance_name}"
            + (
                f", {pledge_text(C, C.kinds[me.kind], me.pledge, self._vetoed(i))}"
                if me.kind >= 0
                else ""
            )
            + ".",
            highlight=False,
        )
        offers = []
        for k, kind in enumerate(C.kinds):
            cap = float(P.state.capacity[0, i, k])
            unit = float(P.kind.unit[0, k])
            if cap >= unit:
                top = wd.amount(C, kind, cap // unit * unit)
                offers.append((kind, f"up to {top} in steps of {wd.amount(C, kind, unit)}"))
        con.print(
            "Your capacity: " + "; ".join(f"{wd.kind(C, k)} {text}" for k, text in offers) + ".",
            highlight=False,
        )
        terms = C.cols.decode(model.mandate[0])
        for rl in spec.red_lines:
            con.print(
                f"Your stated red line '{wd.red_line(C, rl.id)}' ({rl.id}): "
                f"{red_line_status(C, rl, terms)}",
                highlight=False,
            )
        if P.state.vetoed[0, i] and C.scenario.run.mechanisms.vetoes:
            by = [v.name for v in C.scenario.veto_players.values() if code in v.vetoes]
            con.print(f"{', '.join(by)} rejects you as a contributor: your pledge would not count.")
        if me.paid:
            con.print(f"Side payments received so far: {me.paid:.2f} (payoff units).")
        return offers

    # -- asking -------------------------------------------------------------

    def _ask_seat(self, model: ForceModel, code: str) -> Choice:
        C, i = self.C, self.index[code]
        offers = self._seat_panel(model, code)
        me = model.contributors[i]
        prev = self.last.get(code) or Choice(
            me.stance_name, C.kinds[me.kind] if me.kind >= 0 else "", me.pledge
        )
        stance = self._choose(f"{code} stance", list(STANCES), prev.stance)
        is_in = STANCES.index(stance) >= OFFERED
        kinds = [k for k, _ in offers]
        kind, pledge = "", 0.0
        if kinds:
            options = kinds if is_in else ["none", *kinds]
            default = prev.kind if prev.kind in kinds else kinds[0]
            if not is_in and not prev.kind:
                default = "none"
            question = (
                f"{code} contribution kind"
                if is_in
                else f"{code} kind you would contribute if your demand is met"
            )
            kind = self._choose(question, options, default)
            kind = "" if kind == "none" else kind
        elif is_in:
            self.console.print(
                "You have no capacity to offer: your stance counts, your pledge is 0."
            )
        if kind:
            k = C.kinds.index(kind)
            cap = float(model.P.state.capacity[0, i, k])
            unit = float(model.P.kind.unit[0, k])
            pledge = self._pledge(code, cap, unit, prev, is_in, kind)
        menu = ["none", *open_concessions(C, model)]
        default = prev.demand if prev.demand in menu else "none"
        labels = {cid: concession_label(C, cid) for cid in menu[1:]}
        demand = self._choose(
            f"{code} demand (a concession from the broker's menu)", menu, default, labels
        )
        choice = Choice(stance, kind, pledge, "" if demand == "none" else demand)
        if choice.demand and STANCES.index(stance) not in (DECLINED, CONDITIONAL):
            self.console.print(
                "  (The broker hears demands only from declined or conditional states.)",
                style="dim",
            )
        elif choice.demand and not (kind and pledge):
            self.console.print(
                "  (A demand with no pledge brings the broker nothing: it will not weigh it.)",
                style="dim",
            )
        self.last[code] = choice
        return choice

    def _ask(self, question: str, default: str) -> str:
        try:
            return str(self.prompt(question, default=default, show_default=True))
        except (typer.Abort, EOFError, KeyboardInterrupt):
            raise InputEndedError from None

    def _choose(
        self, question: str, options: list[str], default: str, labels: dict | None = None
    ) -> str:
        if labels:
            self.console.print(f"{question}:", highlight=False, markup=False, style="dim")
            for n, o in enumerate(options, 1):
                text = f"  {n} {o}" + (f": {labels[o]}" if o in labels else "")
                self.console.print(text, highlight=False, markup=False, style="dim")
        else:
            listed = ", ".join(f"{n} {o}" for n, o in enumerate(options, 1))
            self.console.print(f"{question}: {listed}", highlight=False, markup=False, style="dim")
        while True:
            raw = self._ask(question, default)
            got = resolve(raw, options)
            if got is not None:
                return got
            self.console.print(
                f"  {raw.strip()!r} is not a valid answer. Choose one of: "
                + ", ".join(options)
                + f" (or its number, 1–{len(options)}).",
                highlight=False,
                markup=False,
            )

    def _pledge(
        self, code: str, cap: float, unit: float, prev: Choice, is_in: bool, kind: str
    ) -> float:
        top = cap // unit * unit
        low = unit if is_in else 0.0
        default = (
            prev.pledge
            if prev.kind == kind and low <= prev.pledge <= top
            else top / 4 // unit * unit
        )
        default = max(low, default)
        label = wd.kind(self.C, kind)
        question = f"{code} pledge of {label}" + ("" if is_in else " (if your demand is met)")
        while True:
            raw = self._ask(question, f"{default:,.0f}".replace(",", ""))
            value = number(raw)
            if (
                value is not None
                and low <= value <= top
                and abs(value / unit - round(value / unit)) < 1e-9
            ):
                return float(value)
            self.console.print(
                f"  {raw.strip()!r} is not a valid pledge. Enter a multiple of {unit:,.0f} "
                f"from {low:,.0f} to {top:,.0f} ({self.C.scenario.kinds[kind].measure}).",
                highlight=False,
                markup=False,
            )

    # -- after each week ----------------------------------------------------

    def _report_week(self) -> None:
        tables = self.trace.tables()
        st, rd = tables["states"], tables["rounds"].set_index("round")
        t = int(rd.index.max())
        cur = st[st["round"] == t]
        prev = st[st["round"] == t - 1] if t > 1 else None
        last_rnd = rd.loc[t - 1] if t > 1 else None
        news = story.week_news(self.C, prev, cur, rd.loc[t], last_rnd)
        parts = news.major + story._minor([news])
        if news.incidents:
            parts.append(story._incidents(news.incidents))
        text = story._sentence(parts) if parts else "No change in positions."
        self.console.print(f"[bold]Week {t}:[/bold] {text}", highlight=False)
        outcome = self.trace.model.outcome
        if outcome:
            words = story.OUTCOME_WORDS[("running", "formed", "undersized", "stalled")[outcome]]
            self.console.print(f"[bold]The game is over:[/bold] {words}.", highlight=False)


# ---------------------------------------------------------------------------
# Applying the humans' choices
# ---------------------------------------------------------------------------


def apply_choices(
    C: Compiled,
    P: dict,
    dec: Decision,
    index: dict[str, int],
    choices: dict[str, Choice],
    turns: list[Turn] | None = None,
    model: ForceModel | None = None,
) -> Decision:
    """The round's decision with the human seats' choices in place of the model's.

    A demand is heard only from a declined or conditional seat (as in the model);
    the broker credits it with the pledge the human names, if that kind counts
    toward the target and the seat is not vetoed. The model's own demand for the
    seat, and its credit, are removed.
    """
    out = dataclasses.replace(
        dec,
        stance=dec.stance.copy(),
        kind=dec.kind.copy(),
        pledge=dec.pledge.copy(),
        demand=dec.demand.copy(),
        gain=dec.gain.copy(),
        best=dec.best.copy(),
    )
    mech = C.scenario.run.mechanisms
    for code, ch in choices.items():
        i = index[code]
        if turns is not None and model is not None:
            turns.append(_turn(C, P, dec, i, code, ch, model))
        old = int(dec.demand[0, i])
        if old >= 0 and dec.pledge_if is not None:
            out.gain[0, old] -= dec.pledge_if[0, i, old]
        s = STANCES.index(ch.stance)
        k = C.kinds.index(ch.kind) if ch.kind else -1
        out.stance[0, i] = s
        out.kind[0, i] = k if s >= OFFERED else -1
        out.pledge[0, i] = ch.pledge if s >= OFFERED and k >= 0 else 0.0
        if k >= 0:
            out.best[0, i] = k
        j = C.concessions.index(ch.demand) if ch.demand else -1
        asks = j >= 0 and s in (DECLINED, CONDITIONAL)
        out.demand[0, i] = j if asks else -1
        vetoed = bool(P.state.vetoed[0, i]) and mech.vetoes
        if asks and k >= 0 and bool(P.kind.counts[0, k]) and not vetoed:
            out.gain[0, j] += ch.pledge
    return out


def _turn(C: Compiled, P: dict, dec: Decision, i: int, code: str, you: Choice, model) -> Turn:
    s = int(dec.stance[0, i])
    k = int(dec.kind[0, i])
    j = int(dec.demand[0, i])
    comp = {n: float(np.broadcast_to(v, dec.stance.shape)[0, i]) for n, v in dec.components.items()}
    b = int(dec.binding[0, i])
    clarity = float(model.mandate[0, C.cols.col[C.scenario.force.clarity_term]])
    return Turn(
        week=model.t,
        code=code,
        you=you,
        model=Choice(
            STANCES[s],
            C.kinds[k] if k >= 0 else "",
            float(dec.pledge[0, i]),
            C.concessions[j] if j >= 0 else "",
        ),
        payoff=float(dec.payoff[0, i]),
        components=comp,
        binding=C.red_ids[b] if b >= 0 else "",
        gate_open=bool(dec.gate_open[0, i]),
        clarity=clarity,
        threshold=float(P.state.clarity_threshold[0, i]),
    )


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def resolve(raw: str, options: list[str]) -> str | None:
    """An answer to one of the options: its number, its name, or a unique prefix."""
    text = raw.strip().lower().replace(" ", "_")
    if not text:
        return None
    if text.isdigit():
        n = int(text)
        return options[n - 1] if 1 <= n <= len(options) else None
    lowered = {o.lower(): o for o in options}
    if text in lowered:
        return lowered[text]
    hits = [o for o in options if o.lower().startswith(text)]
    return hits[0] if len(hits) == 1 else None


def number(raw: str) -> float | None:
    """'3,000' -> 3000.0; None when not a number."""
    try:
        value = float(raw.strip().replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def concession_label(C: Compiled, cid: str) -> str:
    """A concession's label from the broker's menu."""
    return story._label(C, cid)


def open_concessions(C: Compiled, model: ForceModel) -> list[str]:
    """Concessions not yet made that would change the mandate as it stands."""
    return [
        cid
        for j, cid in enumerate(C.concessions)
        if model.broker.made_round[j] < 0
        and bool(changes_anything(model.mandate, C.concession_changes[j])[0])
    ]


def pledge_text(C: Compiled, kind: str, pledge: float, vetoed: bool = False) -> str:
    """'3,000 combat troops', marked when it would not count toward the target."""
    if not kind:
        return "—"
    text = story._pledge(C, kind, pledge)
    if kind not in C.scenario.force.counts:
        text += " (not counted)"
    elif vetoed:
        text += " (vetoed: not counted)"
    return text


def mandate_now(C: Compiled, terms: dict) -> str:
    """The mandate as it stands, in words (clarity left out: it is shown apart)."""
    return mandate_words(C, terms, skip=(C.scenario.force.clarity_term,)) + "."


def red_line_status(C: Compiled, rl, terms: dict) -> str:
    """A red line in words, and whether the mandate as it stands meets it."""
    from sim.analysis.explain import describe

    text = describe(C, rl)
    if rl.requires:
        return f"{text} (depends on the situation, not only the terms)."
    value = terms.get(rl.term)
    spec = C.scenario.vocabulary[rl.term]
    op = rl.operator
    if op == "excludes":
        ok = rl.excludes not in value or (rl.caveat_ok and terms.get(C.scenario.force.caveats_term))
    elif op == "includes":
        ok = rl.includes in value
    elif op == "at_least":
        ok = spec.levels.index(value) >= spec.levels.index(rl.at_least)
    elif op == "at_most":
        ok = spec.levels.index(value) <= spec.levels.index(rl.at_most)
    elif op == "one_of":
        ok = value in (rl.one_of or [])
    else:
        ok = value == rl.is_
    return f"{text} — {'met' if ok else 'NOT met'} by the mandate as it stands."


def choice_text(C: Compiled, ch: Choice) -> str:
    """'committed 3,000 combat troops', 'conditional, demands X (would bring 3,000 troops)'."""
    text = ch.stance
    if STANCES.index(ch.stance) >= OFFERED and ch.kind:
        text += f" {story._pledge(C, ch.kind, ch.pledge)}"
    if ch.demand:
        text += f"; demands {concession_label(C, ch.demand).lower()}"
        if ch.kind and ch.pledge and STANCES.index(ch.stance) < OFFERED:
            text += f" (would bring {story._pledge(C, ch.kind, ch.pledge)})"
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
            text += f"; demands {concession_label(C, cid).lower()}"
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


def agreement(C: Compiled, name: str, turns: list[Turn]) -> str:
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


# ---------------------------------------------------------------------------
# Debrief, transcript, charts
# ---------------------------------------------------------------------------


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
                f"{concession_label(C, x.rpartition('@')[0])} (week {x.rpartition('@')[2]})"
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


def _final(C: Compiled, row: pd.Series) -> str:
    if row["stance"] in ("offered", "committed") and row["kind"]:
        return f"{row['stance']}, {story._pledge(C, row['kind'], row['pledge'])}"
    return str(row["stance"])


def debrief_lines(C: Compiled, game: Game, model_tables: dict) -> list[str]:
    """The debrief in markdown: each seat's choices against the model's, and the outcomes."""
    lines = ["## Debrief", ""]
    for code in game.seats:
        name = C.scenario.states[code].name
        turns = [t for t in game.turns if t.code == code]
        lines += [f"### {name} ({code})", ""]
        lines.append(
            agreement(C, name, turns) + " (The model's choice is what its agent for "
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


def transcript(C: Compiled, game: Game, model_tables: dict | None, charts: list[dict]) -> str:
    """The whole transcript: the weeks as played, then the debrief and the charts."""
    seats = ", ".join(f"{C.scenario.states[c].name} ({c})" for c in game.seats)
    lines = [
        f"# Classroom game: {C.scenario.title}",
        "",
        f"Human seats: {seats}. Seed {game.seed} (run {RUN}). The model played every other seat.",
        "",
        f"Starting mandate: {mandate_text(C)}.",
        "",
        "## The weeks as played",
        "",
    ]
    tables = game.trace.tables()
    st, rd = tables["states"], tables["rounds"]
    by_week = {t.week: [] for t in game.turns}
    for t in game.turns:
        by_week[t.week].append(t)
    rd = rd.set_index("round") if len(rd) else rd
    for week in sorted(by_week):
        lines.append(f"### Week {week}")
        lines.append("")
        for t in by_week[week]:
            lines.append(f"- **{C.scenario.states[t.code].name} (you)**: {choice_text(C, t.you)}.")
        if len(rd) and week in rd.index:
            cur = st[st["round"] == week]
            prev = st[st["round"] == week - 1] if week > 1 else None
            last = rd.loc[week - 1] if week > 1 else None
            news = story.week_news(C, prev, cur, rd.loc[week], last)
            parts = news.major + story._minor([news])
            if news.incidents:
                parts.append(story._incidents(news.incidents))
            acc = "; ".join(
                f"{C.scenario.veto_players[v].name} {rd.loc[week, f'accept.{v}']:.2f}"
                for v in C.veto_ids
            )
            lines.append(
                f"- The table: {story._sentence(parts) if parts else 'No change in positions.'}"
                f" Counted force {force(rd.loc[week, 'force'])}; clarity "
                f"{rd.loc[week, 'clarity']:.2f}" + (f"; acceptance: {acc}." if acc else ".")
            )
        lines.append("")
    if game.ended_early:
        lines += [f"*Input ended in week {game.ended_early}: the game stopped there.*", ""]
    if model_tables is not None:
        lines += debrief_lines(C, game, model_tables)
    if charts:
        lines += ["## Charts", ""]
        for chart in charts:
            lines += [f"### {chart['title']}", "", f"![{chart['title']}]({chart['png']})", ""]
            lines += [chart["caption"], ""]
    return "\n".join(lines).rstrip() + "\n"


def draw_charts(C: Compiled, game: Game, model_tables: dict, out_dir: Path) -> list[dict]:
    """The game's charts, beside the transcript."""
    from sim.analysis.summary import meta as chart_meta

    tables = game.trace.tables()
    meta = chart_meta(C, {**tables, "states": tables["states"], "runs": tables["runs"]})
    meta["target"] = float(game.trace.params.broker.target[0])
    meta["minimum_viable"] = float(game.trace.params.broker.minimum_viable[0])
    meta["seed"] = game.seed
    rows = []
    for t in game.turns:
        for who, ch in (("you", t.you), ("model", t.model)):
            in_ = STANCES.index(ch.stance) >= OFFERED
            rows.append(
                {
                    "state": t.code,
                    "who": who,
                    "round": t.week,
                    "stance": ch.stance,
                    "kind": ch.kind if in_ else "",
                }
            )
    return [
        play_charts.draw_force(tables, model_tables, meta, out_dir),
        play_charts.draw_seats(pd.DataFrame(rows), meta, out_dir),
        play_charts.draw_stances(tables["states"], meta, out_dir, game.seats),
    ]


def print_debrief(console: Console, C: Compiled, game: Game, model_tables: dict) -> None:
    """The debrief on the terminal."""
    console.rule("Debrief")
    for code in game.seats:
        name = C.scenario.states[code].name
        turns = [t for t in game.turns if t.code == code]
        console.print(
            f"[bold]{name} ({code})[/bold]: " + agreement(C, name, turns), highlight=False
        )
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


def play(
    C: Compiled,
    seats: list[str],
    seed: int,
    out_dir: Path,
    console: Console,
    prompt: Callable[..., str] = typer.prompt,
) -> tuple[Game, Path]:
    """Play a game, then write the transcript (and, if finished, the debrief and charts).

    The folder is written atomically (`atomic_folder`), entered before the
    first week so that a folder it may not replace is refused before anyone
    plays. When input ends early the transcript so far is still saved, and
    `game.exit_status` is EXIT_INPUT_ENDED.
    """
    game = Game(C, seats, seed, console, prompt)
    out_dir = Path(out_dir)
    path = out_dir / "transcript.md"
    with atomic_folder(out_dir) as tmp:
        console.print(
            f"[bold]{C.scenario.title}[/bold] — you play "
            + ", ".join(f"{C.scenario.states[c].name} ({c})" for c in seats)
            + f"; the model plays everyone else (seed {seed}). Press Enter to keep the answer "
            "in brackets; answer with a name, its first letters, or its number.",
            highlight=False,
        )
        if not game.play():
            (tmp / path.name).write_text(transcript(C, game, None, []), encoding="utf-8")
            return game, path
        model_tables = Trace(C, seed, RUN).run_to_end().tables()
        charts = draw_charts(C, game, model_tables, tmp)
        (tmp / path.name).write_text(transcript(C, game, model_tables, charts), encoding="utf-8")
    print_debrief(console, C, game, model_tables)
    return game, path
