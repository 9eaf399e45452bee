"""The explanation in words: sentences and sections shared by the page and the terminal."""

from __future__ import annotations

import re

import numpy as np

from sim.analysis import words as wd
from sim.analysis.explain.compute import Explanation, Week
from sim.analysis.report import force_range
from sim.analysis.story import OUTCOME_WORDS
from sim.numbers import force
from sim.rules import vetoes
from sim.scenario.arrays import Compiled
from sim.scenario.schema import Evidence, RedLine


def words(x: str, C: Compiled | None = None) -> str:
    """An identifier as words ('us_led' → 'US led'; see sim.analysis.words)."""
    return wd.id_words(x, C)


def concession_label(C: Compiled, cid: str) -> str:
    """A concession's label from the broker's menu (with the caveat it grants and
    the share of the contingent that then counts, `sim.rules.caveats`)."""
    caveat = wd.caveat_grant(C, cid)
    label = wd.concession(C, cid)
    return label if caveat is None else f"{label}: {caveat}"


def red_line(C: Compiled, code: str, rid: str) -> RedLine | None:
    """A state's red line by id."""
    return next((r for r in C.scenario.states[code].red_lines if r.id == rid), None)


def describe(C: Compiled, rl: RedLine) -> str:
    """A red line's predicate in words."""
    vocab = C.scenario.vocabulary
    unless = f", unless {wd.requirement(C, rl.unless)}" if rl.unless else ""
    if rl.requires:
        return f"requires {wd.requirement(C, rl.requires)}{unless}"
    label = vocab[rl.term].label or wd.sentence(rl.term, C)
    label = label if label.split(" ", 1)[0].isupper() else label[:1].lower() + label[1:]
    op = rl.operator

    def lv(v) -> str:
        return wd.level(C, v)

    if op == "excludes":
        text = f"{label} must not include {lv(rl.excludes)}"
    elif op == "includes":
        text = f"{label} must include {lv(rl.includes)}"
    elif op == "at_least":
        text = f"{label} at least {lv(rl.at_least)}"
    elif op == "at_most":
        text = f"{label} at most {lv(rl.at_most)}"
    elif op == "one_of":
        text = f"{label} one of: " + ", ".join(lv(v) for v in rl.one_of or [])
    else:
        text = f"{label} must be {lv(rl.is_)}"
    text += unless
    if rl.caveat_ok:
        text += " (lifted if national caveats let it opt out)"
    if rl.kinds:
        text += "; applies to " + ", ".join(wd.kind(C, k) for k in rl.kinds)
    return text


def evidence_for(C: Compiled, code: str, rid: str) -> list[Evidence]:
    """The red line's own evidence, else the state's evidence that supports it."""
    rl = red_line(C, code, rid)
    if rl is not None and rl.evidence:
        return list(rl.evidence)
    key = f"red_lines.{rid}"
    return [ev for ev in C.scenario.states[code].evidence if key in ev.supports]


def cite(ev: Evidence) -> str:
    """One piece of evidence: the words, then who, when and where."""
    said = f'"{ev.quote.strip()}"' if ev.quote else f"(paraphrase) {ev.paraphrase.strip()}"
    who = ", ".join(x for x in (ev.speaker, ev.date) if x)
    tail = f" — {who}" if who else ""
    reported = " (reported)" if ev.reported else ""
    return f"{said}{tail}{reported}. Source: {ev.source}"


def contribution(C: Compiled, w: Week) -> str:
    """'12,150 combat troops' or '—'."""
    if not w.kind or w.pledge <= 0:
        return "—"
    text = wd.pledge(C, w.kind, w.pledge) + wd.package(C, w.package)
    if w.package_counted > 0 and not w.counted:
        lead = wd.kind(C, w.kind)
        why = " (vetoed)" if w.vetoed else ""
        return text + (
            f" (a package: the {lead} do not count toward the target{why}; "
            f"{force(w.package_counted)} of its other parts do)"
        )
    if w.package:
        text += " (a package: each kind counts on its own)"
    if w.held:
        text += " (stated offer, on the record)"
    if w.vetoed:
        text += " (vetoed: not counted)"
    elif w.counted and w.share < 1.0:
        text += f" (counted at {100 * w.share:.0f}%: a granted caveat)"
    elif not w.counted and w.stance == "committed":
        text += " (not counted toward the target)"
    return text


def holding_back(w: Week, ex: Explanation, short: bool = False) -> str:
    """What keeps the state where it is this week, in a few words (fewer if `short`)."""
    if w.stance == "committed":
        return "—"
    lines = w.bindings or ([w.binding] if w.binding else [])
    if lines:
        s = "s" if len(lines) > 1 else ""
        if short:
            return f"red line{s} " + ", ".join(wd.red_line(ex.C, r) for r in lines)
        return f"red line{s} " + wd.join([f"`{r}` ({wd.red_line(ex.C, r)})" for r in lines])
    if not w.gate_open:
        on = clarity_on(ex.C, w)
        if short:
            return f"clarity{on} {w.clarity:.2f} < {ex.threshold:.2f}"
        return f"waiting for clarity{on} ({w.clarity:.2f} < {ex.threshold:.2f})"
    rung = "offered" if w.stance != "offered" else "committed"
    if short:
        return f"payoff below {rung} ({num(ex.thresholds[rung])})"
    return f"payoff {w.payoff:+.2f} below the {rung} level ({ex.thresholds[rung]:+.2f})"


def clarity_on(C: Compiled, w: Week) -> str:
    """' on rules of engagement' when the state waits on its own clarity term
    (`states.X.clarity_term`); '' when it waits on the force-wide one."""
    if not w.clarity_term or w.clarity_term == C.scenario.force.clarity_term:
        return ""
    label = wd.term_label(C, w.clarity_term)
    label = re.sub(r"^clarity (of|on) ", "", label, flags=re.IGNORECASE)
    return " on " + (label if label.split(" ", 1)[0].isupper() else label[:1].lower() + label[1:])


def flip_text(C: Compiled, w: Week) -> str:
    """The concession that would flip the state this week, in words."""
    f = w.flip
    if f is None:
        return "— (committed)"
    if f.how == "none":
        text = "nothing on the broker's menu"
        if f.lifts:
            text += (
                f" ({concession_label(C, f.lifts)} would lift the red line, but the payoff, "
                f"{num(f.lifted_payoff)}, would stay below the {f.to} level)"
            )
        return text
    if f.how == "bundle":
        first = f"; it asks first for {concession_label(C, f.concession)}" if f.concession else ""
        text = f"only the whole remaining menu together{first}"
    else:
        why = " (its demand)" if f.how == "demand" else ""
        text = f"{concession_label(C, f.concession)}{why}"
    text += f" → {f.to} ({f.payoff:+.2f})"
    if w.stance != "offered" and not w.gate_open and not w.binding:
        text += ", once clarity allows"
    if f.veto_losses:
        text += "; but " + " and ".join(f.veto_losses) + " would then reject the mandate"
    return text


def num(x: float) -> str:
    return f"{x:+.2f}"


def flip_short(C: Compiled, w: Week) -> str:
    """The concession that would flip the state, in a few words (terminal table)."""
    f = w.flip
    if f is None:
        return "—"
    if f.how == "none":
        return "none on the menu" + (
            f" ({concession_label(C, f.lifts).lower()} lifts the red line only)" if f.lifts else ""
        )
    text = "whole menu" if f.how == "bundle" else concession_label(C, f.concession).lower()
    text += f" → {f.to}"
    if w.stance != "offered" and not w.gate_open and not w.binding:
        text += " once clarity allows"
    if f.veto_losses:
        text += " (" + ", ".join(f.veto_losses) + " rejects)"
    return text


def peer_text(w: Week) -> str:
    """Conformity pull and which followed peers were committed or declined."""
    parts = [f"{w.conformity:+.2f}"]
    if w.peers_committed:
        parts.append("committed: " + ", ".join(w.peers_committed))
    if w.peers_declined:
        parts.append("declined: " + ", ".join(w.peers_declined))
    return "; ".join(parts)


def headline(ex: Explanation) -> str:
    """Two or three sentences: where the state ended and why."""
    C, last = ex.C, ex.weeks[-1]
    out = [f"{ex.name} ended the run **{last.stance}**"]
    if last.stance in ("offered", "committed") and last.kind and last.held:
        stated = wd.pledge(C, last.kind, last.pledge)
        out[0] += f", still holding its stated offer of {stated} (on the record)"
    elif last.stance in ("offered", "committed") and last.kind:
        out[0] += f" with {contribution(C, last)}"
    since = _final_since(ex)
    if since > 1:
        out[0] += f" (from week {since})"
    out[0] += "."
    held = [w for w in ex.weeks if w.held]
    if held and not last.held:
        out.append(
            f"It held its stated offer of {wd.pledge(C, held[0].kind, held[0].pledge)} "
            f"(on the record) in {_spans([w.week for w in held])}; then its payoff decided."
        )
    if last.stance != "committed":
        out.append(f"What held it back at the end: {holding_back(last, ex)}.")
        if last.flip is not None:
            out.append(f"The concession that would flip it: {flip_text(C, last)}.")
    gaps = [w.week for w in ex.weeks if not w.gate_open]
    if gaps:
        out.append(
            f"Its clarity threshold{clarity_on(C, ex.weeks[-1])} in this run is "
            f"{ex.threshold:.2f}; the terms were below it "
            f"in {len(gaps)} of {len(ex.weeks)} weeks."
        )
    if ex.peers:
        mean = float(np.mean([w.conformity for w in ex.weeks]))
        out.append(
            f"It follows {wd.join([wd.bloc(C, b) for b in ex.follows])} "
            f"(conformity weight {ex.conformity_weight:.2f}); the peers' pull averaged "
            f"{mean:+.2f} over the run."
        )
    return " ".join(out)


def _final_since(ex: Explanation) -> int:
    last = ex.weeks[-1].stance
    since = ex.weeks[-1].week
    for w in reversed(ex.weeks):
        if w.stance != last:
            break
        since = w.week
    return since


def run_line(ex: Explanation) -> str:
    """Which run, and how it ended."""
    o = ex.outcome
    which = (
        f"run {ex.run}, the representative run of {ex.runs_in_ensemble} "
        f"(seed {ex.C.scenario.run.seed})"
        if ex.representative
        else f"run {ex.run} (seed {ex.C.scenario.run.seed})"
    )
    coalition = ", ".join(o["coalition"].split(";")) if o["coalition"] else "none"
    spec = ex.C.scenario.broker.target
    target = force(ex.target)
    if isinstance(spec, tuple):
        target += f" in this run ({force_range(spec)} across runs)"
    return (
        f"{which}: after {o['rounds']} weeks {OUTCOME_WORDS[o['outcome']]}, counted force "
        f"{force(o['force'])} of a target of {target}; counted contributors: {coalition}."
    )


def red_line_section(ex: Explanation) -> list[str]:
    """Every red line that bound in the run (not only the first of each week), with its
    weeks and its evidence."""
    C = ex.C
    lines: list[str] = []
    bound = list(dict.fromkeys(r for w in ex.weeks for r in lines_of(w)))
    for rid in bound:
        rl = red_line(C, ex.code, rid)
        weeks = [w.week for w in ex.weeks if rid in lines_of(w)]
        lines.append(
            f"**`{rid}`** ({wd.red_line(C, rid)}): {describe(C, rl) if rl else words(rid, C)}. "
            f"Binding in {_spans(weeks)}."
        )
        lines.append("")
        evidence = evidence_for(C, ex.code, rid)
        for ev in evidence:
            lines.append(f"> {cite(ev)}")
            lines.append(">")
        if evidence:
            lines.pop()
        else:
            lines.append("> No evidence is recorded for this red line in the scenario file.")
        note = C.scenario.states[ex.code].judgement.get(f"red_lines.{rid}")
        if note:
            lines += ["", f"Modeller's reading: {note}"]
        lines.append("")
    if not bound:
        own = C.scenario.states[ex.code].red_lines
        if own:
            lines.append(
                f"No red line of {ex.name} bound in this run; its red lines ("
                + "; ".join(f"`{r.id}`: {describe(C, r)}" for r in own)
                + ") were met by the mandate."
            )
        else:
            lines.append(f"{ex.name} states no red line in this scenario.")
        lines.append("")
    return lines


def lines_of(w: Week) -> list[str]:
    """The red lines binding the state in week w (all of them, first first)."""
    return w.bindings or ([w.binding] if w.binding else [])


def _spans(weeks: list[int]) -> str:
    """[1,2,3,7] -> 'weeks 1–3 and 7'."""
    spans, start, prev = [], None, None
    for w in weeks:
        if start is None:
            start = prev = w
        elif w == prev + 1:
            prev = w
        else:
            spans.append((start, prev))
            start = prev = w
    if start is not None:
        spans.append((start, prev))
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("week " if len(weeks) == 1 else "weeks ") + text


def peer_section(ex: Explanation) -> list[str]:
    """Who the state follows and how their stances pulled it."""
    C = ex.C
    if not ex.peers:
        return [f"{ex.name} follows no bloc with other states in this scenario: no peer pull."]
    if not C.scenario.run.mechanisms.conformity:
        return ["Conformity is switched off in this scenario: peers exert no pull."]
    names = ", ".join(f"{C.scenario.states[p].name} ({p})" for p in ex.peers)
    i = C.states.index(ex.code)
    pushing = [p for p in ex.peers if C.peers[i, C.states.index(p)] < 0]
    out = [
        f"{ex.name} follows {wd.join([wd.bloc(C, b) for b in ex.follows])}: {names}. "
        f"Its conformity weight in this run is {ex.conformity_weight:.2f}; the pull is that "
        "weight times (share of those peers committed − share declined) at the end of the "
        "previous week.",
        "",
    ]
    if pushing:
        who = wd.join([f"{C.scenario.states[p].name} ({p})" for p in pushing])
        out[0] += (
            f" {who} {'shares' if len(pushing) == 1 else 'share'} only free-riding blocs with it "
            "(`peer_influence`): their commitment counts against it, so it can stay out "
            "while they contribute, and their declining counts for it."
        )

    prev = None
    for w in ex.weeks:
        key = (tuple(w.peers_committed), tuple(w.peers_declined))
        if key != prev:
            out.append(f"- Week {w.week}: pull {peer_text(w)}.")
        prev = key
    return out


def demand_section(ex: Explanation) -> list[str]:
    """The demands sent, grouped over the weeks they were sent."""
    C = ex.C
    sent: dict[str, list[int]] = {}
    for w in ex.weeks:
        if w.demand:
            sent.setdefault(w.demand, []).append(w.week)
    out = []
    if sent:
        for cid, wk in sent.items():
            out.append(f"- Demanded **{concession_label(C, cid)}** (`{cid}`) in {_spans(wk)}.")
    else:
        out.append(f"- {ex.name} sent no demand to the broker in this run.")
    made = [x for x in str(ex.outcome.get("concessions") or "").split(";") if x]
    if made:
        got = []
        for item in made:
            cid, _, rnd = item.rpartition("@")
            got.append(f"{concession_label(C, cid)} (week {rnd})")
        out.append("- The broker conceded: " + "; ".join(got) + ".")
    out += veto_lines(ex)
    last = ex.weeks[-1]
    if last.flip is not None:
        out.append(f"- At the end, the concession that would flip it: {flip_text(C, last)}.")
    return out


def veto_lines(ex: Explanation) -> list[str]:
    """Each veto player's objection to this state, its conditions, and the weeks it
    barred the state's pledge in this run (`sim.rules.vetoes`)."""
    C, out = ex.C, []
    barred = [w.week for w in ex.weeks if w.vetoed]
    for vid in vetoes.vetoed_by(C, ex.code):
        entries = [
            e
            for e in C.scenario.veto_players[vid].vetoes
            if (e if isinstance(e, str) else e.state) == ex.code
        ]
        terms = "; ".join(wd.veto_conditions(C, e) for e in entries) or "fixed"
        when = f"the veto held in {_spans(barred)}" if barred else "the veto never held"
        name = C.scenario.veto_players[vid].name
        out.append(f"- {name} objects to it as a contributor ({terms}): {when} in this run.")
    return out


def deployment_lines(ex: Explanation) -> list[str]:
    """After the force formed: the vote, the generation lag, the wait at the border
    for the entry conditions, and the arrival (empty without a deployment stage)."""
    d = ex.deployment
    if d is None:
        return []
    C = ex.C
    out = [f"The force formed in week {d['formed']}."]
    if d["approval"]:
        verdict = "approved" if d["approval"] == "passed" else "rejected"
        out.append(
            f"{d['by']} {verdict} the deployment in week {d['vote_week']} (chance of approval "
            f"{d['p']:.2f} in this run)."
        )
        if d["approval"] == "failed":
            return [" ".join([*out, "The contingent stayed home."])]
    whole = d["ready"] - d["vote_week"]
    out.append(
        f"Force generation took {whole} week{'s' if whole != 1 else ''} in this run (a drawn "
        f"lag of {d['lag']:.2f}, rounded up), so the contingent was ready in week {d['ready']}."
    )
    entry = [_condition(C, n) for n in d["requires"]]
    if d["host_consent"]:
        entry.append("the consent of every host-side actor")
    spells = [tuple(int(x) for x in s.split("-")) for s in d.get("suspended", "").split(";") if s]
    withdrawn = d.get("withdrawn")
    if d["arrived"] is None and withdrawn is not None:
        out.append("It never reached the theatre.")
    elif d["arrived"] is None:
        waiting = f" ({wd.join(entry)} did not hold)" if entry else ""
        out.append(f"It was not in theatre by the end of the weeks watched{waiting}.")
    elif d["arrived"] > d["ready"] and any(b == d["arrived"] - 1 for _, b in spells):
        out.append(f"It entered in week {d['arrived']}, when its suspension ended.")
    elif d["arrived"] > d["ready"]:
        out.append(
            f"It entered in week {d['arrived']}, once the force's entry conditions held "
            f"({wd.join(entry)})."
        )
    else:
        out.append(f"It entered in week {d['arrived']}.")
    out += shock_sentences(C, d, spells)
    return [" ".join(out)]


def shock_sentences(C, d: dict, spells: list[tuple[int, ...]]) -> list[str]:
    """Its suspensions and its withdrawal under shocks (`sim.rules.withdrawal`)."""
    out = []
    if spells:
        weeks = [f"{a}" if a == b else f"{a}–{b}" for a, b in spells]
        many = len(spells) > 1 or spells[0][0] != spells[0][1]
        out.append(f"It was suspended in week{'s' if many else ''} {wd.join(weeks)}.")
    week = d.get("withdrawn")
    if week is None:
        return out
    by = d.get("withdrawn_by", "")
    if by == "incident":
        out.append(
            f"It was withdrawn in week {week}, after an incident with casualties in its "
            f"contingent (weekly chance {d['incident_hazard']:.2f} in this run; after an "
            f"incident it withdraws with chance {d['withdraw_chance']:.2f}, its domestic "
            "opposition × (1 − its risk tolerance))."
        )
    else:
        event = C.scenario.events.get(by)
        what = f": {event.label}" if event is not None and event.label else f" ({by})"
        out.append(f"It was withdrawn in week {week}{what}.")
    return out


def _condition(C: Compiled, name: str) -> str:
    """A declared world condition in a sentence: its label, else its id in words."""
    label = C.scenario.world[name].label
    return label[:1].lower() + label[1:] if label else wd.id_words(name, C)
