"""The story of a run: a week-by-week briefing generated from the tables."""

from __future__ import annotations

import pandas as pd

from sim.scenario.arrays import STANCES, Compiled

RANK = {s: i for i, s in enumerate(STANCES)}


def _names(C: Compiled, codes: list[str]) -> str:
    names = [C.scenario.states[c].name for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _label(C: Compiled, cid: str) -> str:
    for con in C.scenario.broker.concessions:
        if con.id == cid:
            return con.label or cid.replace("_", " ")
    return cid


def _pledge(C: Compiled, kind: str, size: float) -> str:
    spec = C.scenario.kinds[kind]
    unit = "USD million" if spec.measure.lower().startswith("usd") else ""
    amount = f"{size:,.0f} {unit}".strip()
    return f"{amount} ({spec.label.lower()})"


def week_events(
    C: Compiled,
    prev: pd.DataFrame | None,
    cur: pd.DataFrame,
    rnd: pd.Series,
    last_rnd: pd.Series | None,
) -> list[str]:
    """Sentences for one week: concessions, commitments, withdrawals, vetoes, incidents."""
    out = []
    if rnd["concession"]:
        askers = cur.loc[cur["demand"] == rnd["concession"], "state"].tolist()
        by = f", which {_names(C, askers)} had asked for" if askers else ""
        out.append(f"the broker conceded: {_label(C, rnd['concession'])}{by}")
    if rnd.get("side_payment_to"):
        out.append(f"the broker offered a side payment to {_names(C, [rnd['side_payment_to']])}")
    before = prev.set_index("state") if prev is not None else None
    joined, left, declined, offers = [], [], [], []
    for _, row in cur.iterrows():
        was = before.loc[row["state"], "stance"] if before is not None else "considering"
        if row["stance"] == "committed" and was != "committed":
            joined.append(
                f"{C.scenario.states[row['state']].name} {_pledge(C, row['kind'], row['pledge'])}"
            )
        elif was == "committed" and row["stance"] != "committed":
            left.append(row["state"])
        elif row["stance"] == "declined" and was != "declined":
            declined.append(row["state"])
        elif row["stance"] == "offered" and RANK[was] < RANK["offered"]:
            offers.append(row["state"])
    if joined:
        out.append("committed: " + "; ".join(joined))
    if offers:
        out.append(f"{_names(C, offers)} put an offer on the table")
    if left:
        out.append(f"{_names(C, left)} withdrew")
    if declined:
        out.append(f"{_names(C, declined)} declined")
    vetoed = cur.loc[(cur["stance"] == "committed") & cur["vetoed"], "state"].tolist()
    was_vetoed = (
        []
        if prev is None
        else prev.loc[(prev["stance"] == "committed") & prev["vetoed"], "state"].tolist()
    )
    fresh = [s for s in vetoed if s not in was_vetoed]
    if fresh:
        out.append(
            f"{_names(C, fresh)} committed but a veto player rejects them: "
            "their pledge does not count"
        )
    if rnd["incidents"]:
        n = int(rnd["incidents"])
        out.append(f"{n} incident{'s' if n > 1 else ''} on the ground")
    for vid in C.veto_ids:
        col = f"accepts.{vid}"
        if last_rnd is not None and bool(rnd[col]) != bool(last_rnd[col]):
            verb = "now accepts" if rnd[col] else "no longer accepts"
            out.append(
                f"{C.scenario.veto_players[vid].name} {verb} the mandate "
                f"(acceptance {rnd[f'accept.{vid}']:.2f})"
            )
    return out


def story(C: Compiled, tables: dict[str, pd.DataFrame], run: int) -> str:
    """A briefing on one run, week by week, then how it ended."""
    states, rounds, runs = tables["states"], tables["rounds"], tables["runs"]
    st = states[states["run"] == run]
    rd = rounds[rounds["run"] == run].set_index("round")
    if st.empty:
        return "No per-round detail was recorded for this run."
    lines = [_opening(C, rd)]
    prev, last_rnd = None, None
    for week, cur in st.groupby("round", sort=True):
        events = week_events(C, prev, cur, rd.loc[week], last_rnd)
        if events:
            text = "; ".join(events)
            lines.append(
                f"- **Week {week}** (clarity {rd.loc[week, 'clarity']:.2f}, "
                f"counted force {rd.loc[week, 'force']:,.0f}): {text[0].upper()}{text[1:]}."
            )
        prev, last_rnd = cur, rd.loc[week]
    lines.append(_ending(C, runs[runs["run"] == run].iloc[0], st))
    return "\n".join(lines)


def _opening(C: Compiled, rd: pd.DataFrame) -> str:
    accepts = [
        f"{C.scenario.veto_players[v].name} {'accepts' if rd.iloc[0][f'accepts.{v}'] else 'rejects'}"
        f" the mandate ({rd.iloc[0][f'accept.{v}']:.2f})"
        for v in C.veto_ids
    ]
    return ("At the start, " + "; ".join(accepts) + ".") if accepts else ""


def _ending(C: Compiled, row: pd.Series, st: pd.DataFrame) -> str:
    words = {
        "formed": "the force formed at its target",
        "undersized": "the force formed below target at the deadline",
        "stalled": "no deployable force formed by the deadline",
    }
    last = st[st["round"] == st["round"].max()]
    out = last[last["stance"] != "committed"]
    blocked = out[out["binding_red_line"] != ""]
    tail = ""
    if len(blocked):
        pairs = [
            f"{C.scenario.states[s].name} ({r.replace('_', ' ')})"
            for s, r in zip(blocked["state"], blocked["binding_red_line"], strict=True)
        ]
        tail = " Still held back by a red line: " + ", ".join(pairs) + "."
    return (
        f"\n**Outcome:** after {row['rounds']} weeks, {words[row['outcome']]}, with a counted "
        f"force of {row['force']:,.0f}.{tail}"
    )
