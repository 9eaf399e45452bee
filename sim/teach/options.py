"""What a seat may choose in a week, and the check of a choice against it.

The terminal (`game`, `ask`) asks only within these options; the web classroom
(`sim.web.classroom`) refuses a choice outside them with the message `check`
returns, so both accept exactly the same choices:

- the stance is one of the ladder's five;
- the contribution kind is one the seat can offer in this run (capacity of at
  least one unit, this run's drawn capacity), or none;
- the pledge is a multiple of the kind's unit, from one unit (offered or
  committed) or 0 (a pledge named with a demand) up to the capacity;
- the demand is a concession on the broker's menu not yet made, or none.
"""

from __future__ import annotations

from sim.analysis import words as wd
from sim.scenario.arrays import OFFERED, STANCES, Compiled
from sim.scenario.errors import shown
from sim.scenario.params import Params


def offered_kinds(C: Compiled, P: Params, i: int) -> list[str]:
    """The kinds state i can offer in this run: capacity of at least one unit."""
    return [
        kind
        for k, kind in enumerate(C.kinds)
        if float(P.state.capacity[0, i, k]) >= float(P.kind.unit[0, k])
    ]


def pledge_range(
    C: Compiled, P: Params, i: int, kind: str, is_in: bool
) -> tuple[float, float, float]:
    """(lowest, highest, unit) of a pledge of `kind` by state i in this run."""
    k = C.kinds.index(kind)
    cap, unit = float(P.state.capacity[0, i, k]), float(P.kind.unit[0, k])
    top = cap // unit * unit
    return (unit if is_in else 0.0), top, unit


def valid_amount(value: float, low: float, top: float, unit: float) -> bool:
    """A multiple of `unit` from `low` to `top`."""
    return low <= value <= top and abs(value / unit - round(value / unit)) < 1e-9


def amount_text(value: float) -> str:
    """A pledge as a refusal shows it: '1,234', or '1e+308' for one too long to write out."""
    return f"{value:,.0f}" if abs(value) < 1e15 else f"{value:g}"


def pledge_rule(C: Compiled, kind: str, low: float, top: float, unit: float) -> str:
    """The rule a pledge must follow, in words."""
    measure = C.scenario.kinds[kind].measure
    return f"a multiple of {unit:,.0f} from {low:,.0f} to {top:,.0f} ({measure})"


def check(
    C: Compiled,
    P: Params,
    i: int,
    stance: str,
    kind: str,
    pledge: float,
    demand: str,
    menu: list[str],
) -> str | None:
    """Why a choice cannot be taken (one sentence), or None when it can.

    `menu` is the demands open this week (`table.open_concessions`).
    """
    if stance not in STANCES:
        return f"{shown(stance)} is not a stance: choose one of {', '.join(STANCES)}."
    kinds = offered_kinds(C, P, i)
    is_in = STANCES.index(stance) >= OFFERED
    if kind and kind not in kinds:
        offered = ", ".join(wd.kind(C, k) for k in kinds) or "none"
        return f"{shown(kind)} is not a kind you can offer in this game (you can offer: {offered})."
    if is_in and kinds and not kind:
        return f"An {stance} stance needs a contribution kind."
    if kind:
        low, top, unit = pledge_range(C, P, i, kind, is_in)
        if not valid_amount(pledge, low, top, unit):
            return (
                f"{amount_text(pledge)} is not a valid pledge of {wd.kind(C, kind)}: enter "
                f"{pledge_rule(C, kind, low, top, unit)}."
            )
    elif pledge:
        return "A pledge needs a contribution kind."
    if demand and demand not in menu:
        return (
            f"{shown(demand)} is not a demand you can make this week (open: "
            + (", ".join(menu) or "none")
            + ")."
        )
    return None
