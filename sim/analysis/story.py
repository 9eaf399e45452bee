"""The story of a run: a week-by-week briefing generated from the tables.

It opens with the bottom line (how the run ended, who is in and in what form,
what the broker gave up and what that cost with the veto players), then goes
through the weeks: a week where something that matters happened (a concession,
a commitment, a withdrawal, a veto, a veto player turning) gets its own line,
led by its most important event; runs of quieter weeks are told together.
It closes with how the veto players' acceptance moved and who is still out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis import words as wd
from sim.analysis.report import force_range
from sim.analysis.summary import drawn_value
from sim.numbers import force
from sim.rules import vetoes
from sim.scenario.arrays import STANCES, Compiled

RANK = {s: i for i, s in enumerate(STANCES)}
OUTCOME_WORDS = {
    "formed": "the force formed at its target",
    "undersized": "the force formed below its target at the deadline",
    "stalled": "no deployable force formed by the deadline",
}


@dataclass
class WeekNews:
    """What happened in one week, most important first."""

    week: int
    major: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)  # commitments that do not count
    offers: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)  # any other change of stance
    incidents: int = 0
    clarity: float = 0.0
    force: float = 0.0


def _names(C: Compiled, codes: list[str]) -> str:
    names = [C.scenario.states[c].name for c in codes]
    return join(names)


join = wd.join


def _label(C: Compiled, cid: str) -> str:
    return wd.concession(C, cid)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _pledge(C: Compiled, kind: str, size: float, package: str = "") -> str:
    """The contribution in words, with its package parts (`sim.rules.packages`)."""
    return wd.pledge(C, kind, size) + wd.package(C, package)


def _counts(row: pd.Series, counts: set[str]) -> bool:
    """The lead kind counts toward the target, or a package part does."""
    return row["kind"] in counts or float(row.get("package_counted", 0.0) or 0.0) > 0


def _veto_name(C: Compiled, vid: str) -> str:
    return C.scenario.veto_players[vid].name


def _threshold(C: Compiled, tables: dict[str, pd.DataFrame], run: int, vid: str) -> float:
    """A veto player's acceptance threshold in this run (its drawn value if a range)."""
    t = C.scenario.veto_players[vid].threshold
    if not isinstance(t, tuple):
        return float(t)
    drawn = drawn_value(tables, run, f"veto_players.{vid}.threshold")
    return (t[0] + t[1]) / 2 if drawn is None else drawn


def _vetoed(C: Compiled, code: str) -> bool:
    """Whether a veto player refuses to count the state's pledge (never with vetoes off)."""
    return bool(vetoes.vetoed_by(C, code))


def size_sentence(C: Compiled, tables: dict[str, pd.DataFrame], run: int) -> str:
    """The force the broker seeks in run `run`, and the least it accepts: the run's own
    drawn values when they are ranges ("seeks 10,340 in this run (8,000–12,000 across
    runs)")."""
    b = C.scenario.broker

    def size(name: str) -> str:
        spec = getattr(b, name)
        if not isinstance(spec, tuple):
            return force(spec)
        drawn = drawn_value(tables, run, f"broker.{name}")
        if drawn is None:
            return force_range(spec)
        return f"{force(drawn)} in this run ({force_range(spec)} across runs)"

    return (
        f"The broker seeks {size('target')} and accepts at least {size('minimum_viable')} "
        "at the deadline."
    )


def _why_out(C: Compiled, row: pd.Series) -> str:
    name = C.scenario.states[row["state"]].name
    if row["binding_red_line"]:
        return f"{name} (red line: {wd.red_line(C, row['binding_red_line'])})"
    return name


def week_news(
    C: Compiled,
    prev: pd.DataFrame | None,
    cur: pd.DataFrame,
    rnd: pd.Series,
    last_rnd: pd.Series | None,
) -> WeekNews:
    """One week's events, sorted into what matters and what does not."""
    news = WeekNews(int(rnd.name), clarity=float(rnd["clarity"]), force=float(rnd["force"]))
    before = prev.set_index("state")["stance"] if prev is not None else None
    joined, support, left, offers, declined, moves = [], [], [], [], [], []
    counts = set(C.scenario.force.counts)
    for _, row in cur.iterrows():
        code, stance = row["state"], row["stance"]
        was = before[code] if before is not None else None
        if stance == "committed" and was != "committed":
            name = C.scenario.states[code].name
            text = f"{name} committed {_pledge(C, row['kind'], row['pledge'], row.get('package'))}"
            if _vetoed(C, code):
                joined.append(text + " (vetoed: it does not count)")
            elif not _counts(row, counts):
                support.append(text + " (not counted toward the target)")
            else:
                joined.append(text)
        elif was == "committed" and stance != "committed":
            left.append(code)
        elif stance == "offered" and (was is None or RANK[was] < RANK["offered"]):
            name = C.scenario.states[code].name
            offers.append(f"{name} ({_pledge(C, row['kind'], row['pledge'], row.get('package'))})")
        elif stance == "declined" and was != "declined":
            declined.append(_why_out(C, row))
        elif was is not None and was != stance:
            moves.append(f"{C.scenario.states[code].name} from {was} to {stance}")
    if joined:
        news.major.append("; ".join(joined))
    if left:
        cause = " after the week's incidents" if rnd["incidents"] else ""
        news.major.append(f"{_names(C, left)} withdrew{cause}")
    if rnd["concession"]:
        cid = rnd["concession"]
        askers = cur.loc[cur["demand"] == cid, "state"].tolist()
        vetoers = [_veto_name(C, v) for v in C.veto_ids if rnd.get(f"demand.{v}", "") == cid]
        text = f"the broker conceded: {_lower_first(_label(C, cid))}"
        caveat = wd.caveat_grant(C, cid)
        if caveat is not None:
            state = next(c.grants.state for c in C.scenario.broker.concessions if c.id == cid)
            text = f"the broker granted {C.scenario.states[state].name} {caveat}"
        who = [C.scenario.states[c].name for c in askers] + vetoers
        text += f", on the demand of {join(who)}" if who else " (no state had asked for it)"
        if last_rnd is not None:
            moved = []
            for vid in C.veto_ids:
                a0, a1 = float(last_rnd[f"accept.{vid}"]), float(rnd[f"accept.{vid}"])
                if abs(a1 - a0) >= 0.005:
                    moved.append(f"{_veto_name(C, vid)}'s acceptance {a0:.2f} → {a1:.2f}")
            if moved:
                text += " (" + "; ".join(moved) + ")"
        news.major.append(text)
    if rnd.get("side_payment_to"):
        news.major.append(
            f"the broker made a side payment to {_names(C, [rnd['side_payment_to']])}"
        )
    for vid in C.veto_ids:
        col = f"accepts.{vid}"
        if last_rnd is not None and bool(rnd[col]) != bool(last_rnd[col]):
            verb = "now accepts" if rnd[col] else "no longer accepts"
            news.major.append(
                f"{_veto_name(C, vid)} {verb} the mandate (acceptance {rnd[f'accept.{vid}']:.2f})"
            )
    news.support, news.offers, news.declined, news.moves = support, offers, declined, moves
    news.incidents = int(rnd["incidents"])
    return news


def week_sentence(
    C: Compiled,
    prev: pd.DataFrame | None,
    cur: pd.DataFrame,
    rnd: pd.Series,
    last_rnd: pd.Series | None,
) -> str:
    """One week's events in a sentence ("No change in positions." when none)."""
    news = week_news(C, prev, cur, rnd, last_rnd)
    parts = news.major + _minor([news])
    if news.incidents:
        parts.append(_incidents(news.incidents))
    return _sentence(parts) if parts else "No change in positions."


def _minor(group: list[WeekNews]) -> list[str]:
    """Support pledges, offers, refusals and other moves of a week, one clause each
    (an item told twice in the same line is told once)."""

    def unique(xs: list[str]) -> list[str]:
        return list(dict.fromkeys(xs))

    support = unique([x for w in group for x in w.support])
    offers = unique([x for w in group for x in w.offers])
    declined = unique([x for w in group for x in w.declined])
    moves = unique([x for w in group for x in w.moves])
    parts = []
    if support:
        parts.append("; ".join(support))
    if offers:
        parts.append(f"new offer{'s' if len(offers) > 1 else ''}: {join(offers)}")
    if declined:
        parts.append(f"{join(declined)} declined")
    if moves:
        parts.append(f"stance change{'s' if len(moves) > 1 else ''}: {join(moves)}")
    return parts


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _incidents(n: int) -> str:
    return f"{n} incident{'s' if n != 1 else ''} on the ground"


def _eventful(w: WeekNews) -> bool:
    """Whether any state changed its stance (or anything major happened) that week."""
    return bool(w.major or w.support or w.offers or w.declined or w.moves)


def _quiet(group: list[WeekNews]) -> str:
    """A stretch of weeks with no commitment, withdrawal, concession or veto turn.

    Told in words on one line ("Weeks 4–8 (clarity 0.34 → 0.48): No change in
    any stance; counted force steady at 0."); the weeks in it where a state
    did move (an offer, a refusal, a step down) follow as sub-items, each
    under its own week.
    """
    first, last = group[0], group[-1]
    weeks = f"Week {first.week}" if first is last else f"Weeks {first.week}–{last.week}"
    clarity = f"clarity {first.clarity:.2f}"
    if first is not last:
        clarity += f" → {last.clarity:.2f}"
    moved = [w for w in group if _eventful(w)]
    parts = [
        "no change in any stance"
        if not moved
        else "no commitment, withdrawal or concession"
        + (f"; {len(moved)} week{'s' if len(moved) > 1 else ''} with a change of stance")
    ]
    forces = [w.force for w in group]
    if max(forces) == min(forces):
        parts.append(f"counted force steady at {force(forces[0])}")
    else:
        parts.append(f"counted force {force(forces[0])} → {force(forces[-1])}")
    inc = sum(w.incidents for w in group)
    if inc:
        parts.append(_incidents(inc))
    head = weeks + (", opening positions" if first.week == 1 and first is last else "")
    lines = [f"- **{head}** ({clarity}): {_sentence(parts)}"]
    if first.week == 1 and first is last:
        lines = [f"- **{head}** ({clarity}): {_sentence(_minor([first]) or parts)}"]
        return "\n".join(lines)
    for w in moved:
        lines.append(f"  - Week {w.week}: {_sentence(_minor([w]))}")
    return "\n".join(lines)


def _major(w: WeekNews) -> str:
    parts = w.major + _minor([w])
    if w.incidents:
        parts.append(_incidents(w.incidents))
    return (
        f"- **Week {w.week}** (clarity {w.clarity:.2f}, counted force {force(w.force)}): "
        f"{_sentence(parts)}"
    )


def story(C: Compiled, tables: dict[str, pd.DataFrame], run: int) -> str:
    """A briefing on one run: the bottom line, the weeks, the veto players, who is out."""
    states, rounds, runs = tables["states"], tables["rounds"], tables["runs"]
    st = states[states["run"] == run]
    rd = rounds[rounds["run"] == run].set_index("round")
    if st.empty:
        return "No per-week detail was recorded for this run."
    row = runs[runs["run"] == run].iloc[0]
    news, prev, last_rnd = [], None, None
    for week, cur in st.groupby("round", sort=True):
        news.append(week_news(C, prev, cur, rd.loc[week], last_rnd))
        prev, last_rnd = cur, rd.loc[week]
    lines = [bottom_line(C, row, st, rd), "", size_sentence(C, tables, run), ""]
    after = deployment_paragraph(C, tables, run)
    if after:
        lines += [after, ""]
    lines += ["**Week by week.**", ""]
    group: list[WeekNews] = []
    for w in news:
        if w.major or w.week == 1:
            if group:
                lines.append(_quiet(group))
                group = []
            lines.append(_major(w) if w.major else _quiet([w]))
        else:
            group.append(w)
    if group:
        lines.append(_quiet(group))
    th = {vid: _threshold(C, tables, run, vid) for vid in C.veto_ids}
    lines += ["", veto_paragraph(C, rd, th), "", still_out(C, st)]
    return "\n".join(x for x in lines if x is not None).rstrip()


def deployment_paragraph(C: Compiled, tables: dict[str, pd.DataFrame], run: int) -> str | None:
    """After the force formed: each contingent's vote and arrival week, and the
    strength in theatre at the end of the watch (a scenario with a deployment stage)."""
    from sim.engine.draws import watched
    from sim.rules.deployment import staged

    if not staged(C, C.scenario.run.mechanisms) or "deployments" not in tables:
        return None
    row = tables["runs"][tables["runs"]["run"] == run].iloc[0]
    if row["outcome"] == "stalled":
        return None
    mine = tables["deployments"][tables["deployments"]["run"] == run]
    H, parts = watched(C), []
    for _, r in mine.iterrows():
        st = C.scenario.states[r["state"]]
        who = f"{st.name}'s contingent ({_pledge(C, r['kind'], r['pledge'], r.get('package'))})"
        vote = st.deployment.approval if st.deployment is not None else None
        if r["approval"] == "failed":
            parts.append(f"{vote.by} voted against sending {who}")
            continue
        said = f" after {vote.by} approved it" if r["approval"] == "passed" else ""
        if pd.isna(r["arrival_week"]):
            after = shocked(C, r)
            it = f": it {join(after)}" if after else ""
            parts.append(f"{who} was not in theatre by week {H}{said}{it}")
        else:
            week = int(r["arrival_week"])
            before = [x for x in _spells(r) if x[1] < week]
            held = f" (suspended in {_weeks(before)} until then)" if before else ""
            after = shocked(C, r, since=week)
            then = f", then {join(after)}" if after else ""
            parts.append(f"{who} arrived in week {week}{said}{held}{then}")
    if not parts:
        return f"**After formation.** No contingent reached the theatre by week {H}."
    return (
        f"**After formation.** {_sentence([join(parts)])[:-1]}; by week {H} the deployed "
        f"strength was {force(row['deployed_force'])}."
    )


def _spells(r: pd.Series) -> list[tuple[int, int]]:
    """A contingent's suspended spells, (first, last) weeks, from `suspended`."""
    text = r.get("suspended")
    if not isinstance(text, str) or not text:
        return []
    return [(int(a), int(b)) for a, _, b in (x.partition("-") for x in text.split(";"))]


def _weeks(spells: list[tuple[int, int]]) -> str:
    """'weeks 6–8 and 12', 'week 5'."""
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spells]
    plural = "s" if len(spells) > 1 or spells[0][0] != spells[0][1] else ""
    return f"week{plural} {join(parts)}"


def shocked(C: Compiled, r: pd.Series, since: int = 0) -> list[str]:
    """['was suspended in weeks 6–8', 'was withdrawn in week 9 (after an incident in
    its contingent)']: a contingent's suspensions (those ending from week `since` on)
    and withdrawal (`sim.rules.withdrawal`), none when it had none."""
    said = []
    spells = [x for x in _spells(r) if x[1] >= since]
    if spells:
        said.append(f"was suspended in {_weeks(spells)}")
    week = r.get("withdrawn_week")
    if week is not None and pd.notna(week):
        by = str(r.get("withdrawn_by") or "")
        why = "an incident in its contingent" if by == "incident" else event_words(C, by)
        said.append(f"was withdrawn in week {int(week)}" + (f" (after {why})" if why else ""))
    return said


def event_words(C: Compiled, name: str) -> str:
    """An event in words: its label, lowercased, else its id in words."""
    if name not in C.scenario.events:
        return ""
    label = C.scenario.events[name].label
    return _lower_first(label) if label else name.replace("_", " ")


def bottom_line(C: Compiled, row: pd.Series, st: pd.DataFrame, rd: pd.DataFrame) -> str:
    """The outcome, who is in and in what form, and what the broker gave up."""
    last = st[st["round"] == st["round"].max()]
    committed = last[last["stance"] == "committed"]
    counts = set(C.scenario.force.counts)
    forms = []
    for _, r in committed.iterrows():
        text = f"{C.scenario.states[r['state']].name} ({_pledge(C, r['kind'], r['pledge'], r.get('package'))}"
        if _vetoed(C, r["state"]):
            text += ", vetoed"
        elif not _counts(r, counts):
            text += ", not counted"
        forms.append(text + ")")
    out = [
        f"**Bottom line.** After {row['rounds']} weeks, {OUTCOME_WORDS[row['outcome']]}, "
        f"with a counted force of {force(row['force'])}."
    ]
    out.append(
        f"Committed at the end: {join(forms)}." if forms else "No state was committed at the end."
    )
    made = [x for x in str(row["concessions"] or "").split(";") if x]
    if made:
        labels = [_lower_first(_label(C, x.rpartition("@")[0])) for x in made]
        out.append(
            f"The broker made {len(made)} concession{'s' if len(made) > 1 else ''}: {join(labels)}."
        )
    else:
        out.append("The broker made no concession.")
    accepts = np.array([[bool(rd[f"accepts.{v}"].iloc[-1]) for v in C.veto_ids]], bool)
    accepted = vetoes.mandate_accepted(accepts.reshape(1, -1), C.scenario.run.mechanisms)[0]
    rejecting = [_veto_name(C, v) for v, ok in zip(C.veto_ids, accepts[0], strict=True) if not ok]
    if row["outcome"] != "formed" and not accepted:
        out[0] = out[0][:-1] + (
            f": {join(rejecting)} {'rejects' if len(rejecting) == 1 else 'reject'} the mandate, "
            "so no pledge can deploy."
        )
    for vid in C.veto_ids:
        a0, a1 = float(rd[f"accept.{vid}"].iloc[0]), float(rd[f"accept.{vid}"].iloc[-1])
        if abs(a1 - a0) >= 0.005 or not bool(rd[f"accepts.{vid}"].iloc[-1]):
            verdict = "accepts" if bool(rd[f"accepts.{vid}"].iloc[-1]) else "rejects"
            out.append(
                f"{_veto_name(C, vid)} {verdict} the final mandate (acceptance {a0:.2f} in week 1, "
                f"{a1:.2f} at the end)."
            )
    return " ".join(out)


def _veto_asked(C: Compiled, rd: pd.DataFrame, vid: str) -> list[str]:
    """'Israel rejected the mandate and asked for X (weeks 1–2).' for each concession a
    veto player demanded in the run (`sim.rules.vetoes.demands`)."""
    col = f"demand.{vid}"
    if col not in rd:
        return []
    asked = rd[col].fillna("")
    out = []
    for cid in dict.fromkeys(asked[asked != ""]):
        weeks = [int(w) for w in rd.index[asked == cid]]
        span = f"week {weeks[0]}" if len(weeks) == 1 else f"weeks {weeks[0]}–{weeks[-1]}"
        out.append(
            f"{_veto_name(C, vid)} rejected the mandate and asked for "
            f"{_lower_first(_label(C, cid))} ({span})."
        )
    return out


def veto_paragraph(C: Compiled, rd: pd.DataFrame, thresholds: dict[str, float]) -> str:
    """How each veto player's acceptance moved (against its threshold in the run), what
    moved it, and whom it rejects as a contributor."""
    if not C.veto_ids:
        return ""
    parts = []
    for vid in C.veto_ids:
        acc = rd[f"accept.{vid}"].astype(float)
        name, th = _veto_name(C, vid), thresholds[vid]
        parts += _veto_asked(C, rd, vid)
        if acc.max() - acc.min() < 0.005:
            parts.append(f"{name}'s acceptance held at {acc.iloc[0]:.2f} (threshold {th:.2f}).")
            continue
        steps = []
        for week in rd.index[1:]:
            delta = acc.loc[week] - acc.loc[week - 1] if week - 1 in acc.index else 0.0
            if abs(delta) >= 0.005:
                cause = rd.loc[week, "concession"]
                why = f"{_lower_first(_label(C, cause))}" if cause else "the terms"
                steps.append(f"{delta:+.2f} in week {week} ({why})")
        parts.append(
            f"{name}'s acceptance moved from {acc.iloc[0]:.2f} to {acc.iloc[-1]:.2f} "
            f"(threshold {th:.2f}): " + "; ".join(steps) + "."
        )
    rejected: dict[str, list[str]] = {}
    for code in C.states:
        for vid in vetoes.vetoed_by(C, code):
            rejected.setdefault(vid, []).append(code)
    for vid, codes in rejected.items():
        parts.append(
            f"{_veto_name(C, vid)} rejects {_names(C, sorted(codes))} as "
            + (
                "a contributor: its pledge would not count."
                if len(codes) == 1
                else "contributors: their pledges would not count."
            )
        )
        terms = [(e, wd.veto_conditions(C, e)) for e in C.scenario.veto_players[vid].vetoes]
        conditional = [f"{_names(C, [e.state])} ({text})" for e, text in terms if text]
        if conditional:
            parts.append("Its objection is conditional: " + "; ".join(conditional) + ".")
    return "**Veto players.** " + " ".join(parts)


def still_out(C: Compiled, st: pd.DataFrame) -> str:
    """Who is not committed at the end, grouped by what holds them back."""
    last = st[st["round"] == st["round"].max()]
    out = last[last["stance"] != "committed"]
    if out.empty:
        return "**Still out.** Nobody: every state is committed."
    by_line = out[out["binding_red_line"] != ""]
    rest = out[out["binding_red_line"] == ""]
    parts = []
    if len(by_line):
        parts.append(
            "held back by a red line: "
            + join(
                [
                    f"{C.scenario.states[s].name} ({wd.red_line(C, r)})"
                    for s, r in zip(by_line["state"], by_line["binding_red_line"], strict=True)
                ]
            )
        )
    words = {
        "offered": "an offer on the table, not yet committed",
        "conditional": "conditional",
        "considering": "still considering",
        "declined": "declined",
    }
    for stance, text in words.items():
        codes = rest.loc[rest["stance"] == stance, "state"].tolist()
        if codes:
            parts.append(f"{text}: {_names(C, codes)}")
    return "**Still out.** " + _sentence(parts)
