"""The names the studies' options take, in a module light enough to check them first.

`forcegen sensitivity`, `discover` and `robust` name a method, a grouping, an
outcome or a criterion; a misspelt one is refused in one line. The studies import
pandas, numpy and SALib, 0.4-0.5 s before they could refuse anything, so the
command line resolves these names first (`check_*`, called by `sim.cli` before
it imports a study), with the same functions and lists the studies then use; an
outcome that names a state is resolved against the scenario's states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sim.scenario.errors import ScenarioError, resolve_name

GIVEN = ("delta", "pawn", "rbd_fast")
"""Sensitivity methods that read any sample of runs (a results folder, an ensemble)."""
DESIGNED = ("sobol", "morris")
"""Sensitivity methods that run at points SALib chooses."""
METHODS = GIVEN + DESIGNED
GROUPINGS = ("none", "actor")
"""How `sobol` and `morris` group the ranges: each alone, or by the actor they describe."""
CRITERIA = ("worst_decile", "regret", "mean")
"""Robustness criteria; `regret` is better when lower, the others when higher."""

COMMIT = "commit."
OUTCOME_NAMES = ("formed", "formed_or_undersized", "deployed", "force")
"""Outcomes a sensitivity study explains in every scenario; `commit.<STATE>` is added
per state."""
EVENTS = ("stalled", "formed", "undersized", "formed_or_undersized", "deployed", "not_deployed")
"""Outcomes that happen or not in a run (what `discover` looks for); `commit.<STATE>`
is added per state."""


Spelling = Callable[..., str]
"""How a caller spells a setting (and a value of it) in a message: `as_option` or
`as_argument`."""


def as_option(name: str, value: object = None) -> str:
    """The command line's spelling of a setting (`runs_per_world` -> `--runs-per-world`,
    with a value `--groups actor`): a refusal names the option its user typed."""
    flag = "--" + name.replace("_", "-")
    return flag if value is None else f"{flag} {value}"


def as_argument(name: str, value: object = None) -> str:
    """The Python API's spelling of the same setting: its keyword argument as is (with a
    value `groups='actor'`); a notebook user typed `runs_per_world=`, not an option."""
    return name if value is None else f"{name}={value!r}"


def known_outcomes(states: Iterable[str]) -> list[str]:
    """Every outcome name a sensitivity study of a scenario with these states accepts."""
    return [*OUTCOME_NAMES, *(f"{COMMIT}{s}" for s in states)]


def _commit(name: str, states: list[str], option: str) -> str | None:
    """`commit.<STATE>` with its state resolved (`commit.idn` -> `commit.IDN`), or None
    when `name` is not of that form."""
    if name.casefold().startswith(COMMIT) and name[len(COMMIT) :]:
        return f"{COMMIT}{resolve_name('state', name[len(COMMIT) :], states, option)}"
    return None


def resolve_outcome(name: str, states: list[str], option: str = "--outcome") -> str:
    """The outcome `name` means (`commit.idn` -> `commit.IDN`); ScenarioError otherwise."""
    return _commit(name, states, option) or resolve_name(
        "outcome", name, known_outcomes(states), option
    )


def resolve_event(name: str, states: list[str], option: str = "--outcome") -> str:
    """The event `name` means for `discover` (`commit.idn` -> `commit.IDN`);
    ScenarioError naming `option` otherwise, with a word for `force`, which is a number."""
    if name.casefold() == "force":
        raise ScenarioError(
            "force is a number, not something a run ends in or not; expected one of "
            f"{', '.join(EVENTS)} or commit.<STATE>",
            option,
        )
    events = [*EVENTS, *(f"{COMMIT}{s}" for s in states)]
    return _commit(name, states, option) or resolve_name("outcome", name, events, option)


def check_sensitivity(methods: Sequence[str], groups: str | None) -> None:
    """Refuse a misspelt `--method` or `--groups` (before the scenario is read)."""
    for m in methods:
        resolve_name("method", m, METHODS, "--method")
    if groups is not None:
        resolve_name("grouping", groups, GROUPINGS, "--groups")


def check_outcomes(scenario, outcomes: Sequence[str], resolve=resolve_outcome):
    """Refuse an outcome the scenario file's states do not make a name of (with
    `resolve`: `resolve_outcome`, or `resolve_event` for `discover`); a scenario the
    loader refuses is left for the command to refuse, as it does.

    Returns the scenario as loaded, so that the command's other checks and its work
    read the file once (None when no outcome is given or the loader refuses it)."""
    if not outcomes:
        return None
    from sim.scenario.loader import load

    try:
        sc = load(scenario)
    except ScenarioError:
        return None  # the command refuses it, with the checks it makes before reading it
    for name in outcomes:
        resolve(name, list(sc.states))
    return sc
