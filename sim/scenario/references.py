"""Cross-reference checks: every name used in a scenario must be declared.

Runs after the schema, on the whole scenario, so a misspelt term, task, level,
state, bloc, kind or concession is refused with the likely intended name.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any

from sim.limits import (
    MAX_RECORDED,
    MAX_RUN_WORK,
    RUN_COLUMNS,
    RUN_WORK_ACTOR,
    RUN_WORK_ENTRY,
    RUN_WORK_EVALUATION,
    RUN_WORK_STATE_WEEK,
    RUN_WORK_WEEK,
)
from sim.scenario.errors import ScenarioError, shown, unknown
from sim.scenario.schema import (
    BUILT_IN_CONDITIONS,
    Force,
    Linear,
    RedLine,
    Scenario,
    TermSpec,
    real,
)


def check_references(sc: Scenario) -> None:
    """Raise ScenarioError at the first reference to an undeclared name."""
    _check_mandate(sc.mandate, sc.vocabulary, "mandate", True, clarity_terms(sc))
    _listed(sc.force.counts, "contribution kind", "force.counts")
    for i, kind in enumerate(sc.force.counts):
        _known("contribution kind", kind, sc.kinds, f"force.counts[{i}]")
    _role_term(sc, sc.force.clarity_term, "number", "force.clarity_term")
    for code, st in sc.states.items():
        if st.clarity_term is not None:
            _role_term(sc, st.clarity_term, "number", f"states.{code}.clarity_term")
    caveats = sc.force.caveats_term
    if caveats is not None and (caveats in sc.vocabulary or caveats != CAVEATS_TERM):
        _role_term(sc, caveats, "boolean", "force.caveats_term")
    _check_world(sc)
    _check_deployment(sc)
    _check_events(sc)
    for code, st in sc.states.items():
        _check_state(sc, code, st)
    _check_broker(sc)
    for vid, vp in sc.veto_players.items():
        _check_effects(vp.effects, sc.vocabulary, f"veto_players.{vid}.effects")
        for i, rl in enumerate(vp.requires):
            if rl.requires is not None or rl.unless is not None:
                raise ScenarioError(
                    "a veto player's requirement is a predicate on a mandate term, "
                    f"not a world condition ({rl.requires or rl.unless!r})",
                    f"veto_players.{vid}.requires[{i}]",
                )
            _check_red_line(sc, rl, f"veto_players.{vid}.requires[{i}]")
        fixed = [t for t in vp.vetoes if isinstance(t, str)]
        for j, target in enumerate(vp.vetoes):
            _check_veto(sc, target, f"veto_players.{vid}.vetoes[{j}]")
            if isinstance(target, str) and target in vp.vetoes[:j]:
                raise ScenarioError(
                    f"duplicate veto of {target!r} (also at [{vp.vetoes.index(target)}]); "
                    "list each state once",
                    f"veto_players.{vid}.vetoes[{j}]",
                )
            if not isinstance(target, str) and target.state in fixed:
                at = vp.vetoes.index(target.state)
                raise ScenarioError(
                    f"duplicate veto of {target.state!r}: also vetoed on every kind at [{at}]; "
                    "expected a fixed or a conditional veto of a state, not both",
                    f"veto_players.{vid}.vetoes[{j}].state",
                )
    for hid, host in sc.hosts.items():
        _check_effects(host.effects, sc.vocabulary, f"hosts.{hid}.effects")
    _check_environment(sc)
    _check_weeks(sc)
    dec = sc.decision
    if dec.pledge_full_payoff <= dec.thresholds.offered:
        raise ScenarioError(
            f"expected a number > decision.thresholds.offered ({dec.thresholds.offered:g}): "
            "the pledge share rises from pledge_min_share at the offered threshold to 1 at "
            f"this payoff, got {dec.pledge_full_payoff:g}",
            "decision.pledge_full_payoff",
        )
    if sc.broker.deadline > sc.run.rounds:
        raise ScenarioError(
            f"expected a deadline <= run.rounds ({sc.run.rounds}), got {sc.broker.deadline}",
            "broker.deadline",
        )
    _check_work(sc)
    _check_recorded(sc)


CAVEATS_TERM = Force.model_fields["caveats_term"].default
"""The default caveats term: a scenario without it in its vocabulary has none; any
other name must be a term of the vocabulary (or `null`)."""


def last_week(sc: Scenario) -> tuple[int, str]:
    """The last week a run reads (`sim.engine.draws.watched`: the deadline, plus the
    deployment stage's `watch`), and how it is made, for a message."""
    if sc.deployment is None:
        return sc.broker.deadline, f"broker.deadline {sc.broker.deadline}"
    watch = sc.deployment.watch
    why = f"broker.deadline {sc.broker.deadline} + deployment.watch {watch}"
    return sc.broker.deadline + watch, why


@dataclass(frozen=True)
class RunWork:
    """What one run of a scenario costs, in the units of `sim.limits.MAX_RUN_WORK`
    (about a microsecond each): each of `weeks` weeks, `evaluations` of the mandate
    (one per concession, one for the whole menu) at `evaluation` units each, the states'
    `record`, the concessions' `changes` and the week's other phases; and `once`, the
    caveats checked against the red lines when the scenario is compiled."""

    weeks: int
    evaluations: int
    evaluation: float
    record: float
    changes: float
    once: float
    reads: dict[str, float]  # an evaluation's units by the field that adds them

    @property
    def week(self) -> float:
        """One week's units."""
        return self.evaluations * self.evaluation + self.record + self.changes + RUN_WORK_WEEK

    @property
    def total(self) -> int:
        return math.ceil(self.weeks * self.week + self.once)


def _entries(effects: dict) -> int:
    """Entries of linear effects: one per slope, one per level of a mapping."""
    return sum(len(e) if isinstance(e, dict) else 1 for e in effects.values())


def _changed(sc: Scenario, change: dict) -> int:
    """Columns a concession's change writes (`arrays.Columns.changes`)."""
    n = 0
    for term, value in change.items():
        if sc.vocabulary[term].kind == "task_set" and isinstance(value, dict):
            n += sum(len(v or []) for v in value.values())
        elif sc.vocabulary[term].kind == "task_set":
            n += len(sc.vocabulary[term].levels)
        else:
            n += 1
    return n


def run_work(sc: Scenario) -> RunWork:
    """The work of one run, from the checked scenario (`sim.limits.MAX_RUN_WORK` has
    the formula and its measurements)."""
    entry, actor = RUN_WORK_ENTRY, RUN_WORK_ACTOR
    states = list(sc.states.values())
    kinds = max((len(st.offers) for st in states), default=0)
    lines = sum(len(st.red_lines) for st in states)
    requires = sum(len(vp.requires) for vp in sc.veto_players.values())
    prefs = sum(len(st.preferences) for st in states)
    caveats = sum(len(st.caveats) for st in states)
    env = sc.environment
    env_effects = _entries(env.risk.effects) + _entries(env.perception.effects)
    env_effects += sum(_entries(lin.effects) for lin in env.incentive_scaling.values())
    reads = {
        "": RUN_WORK_EVALUATION,
        "states": len(states) * (1 + kinds / 16) + prefs,
        "states.*.red_lines": entry * lines,
        "states.*.caveats": caveats * (entry + (lines + requires + prefs) / 256),
        "veto_players": sum(actor + entry * (_entries(v.effects) + len(v.requires))
                            for v in sc.veto_players.values()),
        "hosts": sum(actor + entry * _entries(h.effects) for h in sc.hosts.values()),
        "environment": entry * env_effects,
        "world": len(sc.world),
    }  # fmt: skip
    menu = sc.broker.concessions if sc.run.mechanisms.concessions else []  # else no search
    changes = sum(_changed(sc, c.change) + (c.grants is not None) for c in menu)
    return RunWork(
        weeks=sc.broker.deadline,
        evaluations=len(menu) + 1,
        evaluation=sum(reads.values()),
        record=RUN_WORK_STATE_WEEK * len(states),
        changes=2 * entry * changes,
        once=caveats * lines / 8,
        reads=reads,
    )


def _check_work(sc: Scenario) -> None:
    """One run costs at most MAX_RUN_WORK: refused in one line naming the fields that
    drive the cost and what to reduce."""
    w = run_work(sc)
    if w.total <= MAX_RUN_WORK:
        return
    cost = (
        f"one run would cost {w.total:,} units of work (about a microsecond each); "
        f"at most {MAX_RUN_WORK:,}"
    )
    if w.once > w.total / 2:
        caveats = sum(len(st.caveats) for st in sc.states.values())
        lines = sum(len(st.red_lines) for st in sc.states.values())
        raise ScenarioError(
            f"{cost}, {w.once:,.0f} of them to check each of {caveats:,} caveats against each "
            f"of {lines:,} red lines; declare fewer states.*.caveats or states.*.red_lines",
            "states",
        )
    search = w.evaluations * w.evaluation
    field, most = max(((k, v) for k, v in w.reads.items() if k), key=lambda kv: kv[1])
    if search >= max(w.record, w.changes):
        paths = "broker.deadline" + ", broker.concessions" * (w.evaluations > 1)
        why = (
            f"{w.evaluations:,} evaluation{'s' * (w.evaluations > 1)} a week (each concession "
            f"and the whole menu) x {w.evaluation:,.0f} units"
        )
        advice = ["offer fewer broker.concessions"] * (w.evaluations > 1)
        if most > w.reads[""]:
            why += f", {most:,.0f} of them for {field}"
            advice.append(f"cut {field}")
    elif w.record >= w.changes:
        paths, advice = "broker.deadline, states", ["declare fewer states"]
        why = f"{w.record:,.0f} of them for the {len(sc.states):,} states' record"
    else:
        paths, advice = "broker.deadline, broker.concessions", ["change fewer terms"]
        why = f"{w.changes:,.0f} of them for the terms broker.concessions change"
    todo = ", ".join(["shorten broker.deadline", *advice[:-1]])
    todo += f" or {advice[-1]}" if advice else ""
    raise ScenarioError(f"{cost}: {w.weeks:,} weeks x {w.week:,.0f} units, {why}; {todo}", paths)


def drawn_count(value: Any) -> int:
    """The judgement calls a run draws: each range [low, high] of two numbers in the
    checked scenario's fields (`sim.scenario.arrays` draws one value for each;
    `tests/scenario/test_recorded.py` checks the two counts agree on every shipped file).

    Every validation walks the scenario's dump (each sweep point's too), so the walk
    compares exact types, without recursion: 0.2 ms for the flagship where a recursive
    walk with `isinstance` took 1 ms of a validation's 6 ms."""
    n, todo = 0, [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is dict:
            todo.extend(item.values())
        elif kind is list or kind is tuple:
            if len(item) == 2 and type(item[0]) in _NUMBERS and type(item[1]) in _NUMBERS:
                n += 1
            else:
                todo.extend(item)
    return n


_NUMBERS = (int, float)
"""The types of a range's ends in a scenario's dump (not bool: `type(True)` is bool)."""


def recorded_per_run(sc: Scenario) -> tuple[int, int]:
    """(values an ensemble keeps per run, of which drawn values): see MAX_RECORDED."""
    drawn = drawn_count(sc.model_dump(mode="python"))
    weeks = max(sc.run.rounds, sc.broker.deadline)
    return drawn + (1 + len(sc.veto_players)) * weeks + RUN_COLUMNS, drawn


def _check_recorded(sc: Scenario) -> None:
    """An ensemble keeps at most MAX_RECORDED values for its runs: refused in one line
    naming the run count and what each run keeps."""
    per_run, drawn = recorded_per_run(sc)
    total = sc.run.runs * per_run
    if total <= MAX_RECORDED:
        return
    most = MAX_RECORDED // per_run
    raise ScenarioError(
        f"{sc.run.runs:,} runs x {per_run:,} values kept a run ({drawn:,} drawn values, the "
        f"weekly force and acceptances, the run's row) = {total:,}; an ensemble keeps at "
        f"most {MAX_RECORDED:,} (about 8 GB): at most {most:,} runs of this scenario",
        "run.runs",
    )


def _check_weeks(sc: Scenario) -> None:
    """A week that a condition, a veto or an event names is one a run reaches."""
    last, why = last_week(sc)
    weeks = [(f"world.{n}.from_week", c.from_week) for n, c in sc.world.items()]
    for vid, vp in sc.veto_players.items():
        weeks += [
            (f"veto_players.{vid}.vetoes[{j}].until_week", v.until_week)
            for j, v in enumerate(vp.vetoes)
            if not isinstance(v, str)
        ]
    weeks += [(f"events.{n}.week", e.week) for n, e in sc.events.items()]
    for path, week in weeks:
        if week is not None and week > last:
            raise ScenarioError(
                f"expected a week <= {last}, the last week a run reads ({why}), got {week}",
                path,
            )


def _a(word: str) -> str:
    """'an ordinal', 'a number': the article a kind name takes."""
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _role_term(sc: Scenario, term: str, kind: str, path: str) -> None:
    _known("term", term, sc.vocabulary, path)
    if sc.vocabulary[term].kind != kind:
        raise ScenarioError(
            f"expected {_a(kind)} term, got {term!r} ({sc.vocabulary[term].kind})", path
        )


def _listed(items: list | None, what: str, path: str, empty: bool = False) -> None:
    """A list that means something when given: not empty (unless `empty`), and
    without a name twice."""
    if items is None:
        return
    if not items and not empty:
        raise ScenarioError(f"expected at least one {what}, got an empty list", path)
    for i, item in enumerate(items):
        if item in items[:i]:
            first = items.index(item)
            raise ScenarioError(
                f"duplicate {what} {shown(item)} (also at [{first}]); list each once",
                f"{path}[{i}]",
            )


def _known(kind: str, name: Any, known: Any, path: str) -> None:
    if not isinstance(name, str):
        raise ScenarioError(f"expected the name of a {kind}, got {shown(name)}", path)
    if name not in known:
        raise unknown(kind, name, known, path)


def _level(
    term: str, spec: TermSpec, value: Any, path: str, clarity: str | tuple[str, ...] | None = None
) -> None:
    """Check one value against a term's kind and levels (a clarity term's in [0, 1])."""
    clarity = (clarity,) if isinstance(clarity, str) else (clarity or ())
    if spec.kind in ("ordinal", "categorical"):
        if not isinstance(value, str):
            levels = ", ".join(spec.levels[:12])
            raise ScenarioError(f"expected a level of {term} ({levels}), got {shown(value)}", path)
        _known(f"level of {term}", value, spec.levels, path)
    elif spec.kind == "task_set":
        if not isinstance(value, list):
            raise ScenarioError(f"expected a list of tasks, got {shown(value)}", path)
        for i, task in enumerate(value):
            _known("task", task, spec.levels, f"{path}[{i}]")
        _listed(value, "task", path, empty=True)
    elif spec.kind == "boolean":
        if not isinstance(value, bool):
            raise ScenarioError(f"expected true or false, got {shown(value)}", path)
    else:
        _number(value, path)
        if term in clarity and not 0.0 <= value <= 1.0:
            raise ScenarioError(f"expected a number in [0, 1], got {value}", path)


def _check_mandate(
    mandate: dict, vocab: dict[str, TermSpec], path: str, full: bool, clarity: tuple[str, ...]
) -> None:
    for term, value in mandate.items():
        _known("term", term, vocab, f"{path}.{term}")
        _level(term, vocab[term], value, f"{path}.{term}", clarity)
    if full:
        for term in vocab:
            if term not in mandate:
                raise ScenarioError(f"missing a value for term {term!r}", f"{path}.{term}")


def _check_red_line(sc: Scenario, rl: RedLine, path: str) -> None:
    for i, kind in enumerate(rl.kinds or []):
        _known("contribution kind", kind, sc.kinds, f"{path}.kinds[{i}]")
    _listed(rl.kinds, "contribution kind", f"{path}.kinds")
    if rl.unless is not None:
        _known("world condition", rl.unless, conditions(sc), f"{path}.unless")
    if rl.requires is not None:
        _known("world condition", rl.requires, conditions(sc), f"{path}.requires")
        return
    _known("term", rl.term, sc.vocabulary, f"{path}.term")
    spec = sc.vocabulary[rl.term]
    op = rl.operator
    allowed = {
        "task_set": ("excludes", "includes"),
        "ordinal": ("at_least", "at_most", "one_of"),
        "categorical": ("one_of",),
        "boolean": ("is",),
        "number": ("at_least", "at_most"),
    }[spec.kind]
    if op not in allowed:
        raise ScenarioError(
            f"operator {op!r} does not apply to {_a(spec.kind)} term; expected one of {allowed}",
            path,
        )
    if op in ("excludes", "includes"):
        _known("task", getattr(rl, op), spec.levels, f"{path}.{op}")
    elif op == "one_of":
        for i, level in enumerate(rl.one_of):
            _known(f"level of {rl.term}", level, spec.levels, f"{path}.one_of[{i}]")
        _listed(rl.one_of, f"level of {rl.term}", f"{path}.one_of")
    elif spec.kind == "ordinal":
        _known(f"level of {rl.term}", getattr(rl, op), spec.levels, f"{path}.{op}")
    elif spec.kind == "number":
        bound = getattr(rl, op)
        if isinstance(bound, str):  # "0.5" has long been read as a number here
            with contextlib.suppress(ValueError):
                bound = float(bound)
        _number(bound, f"{path}.{op}")
        if rl.term in clarity_terms(sc) and not 0.0 <= bound <= 1.0:
            raise ScenarioError(
                f"expected a number in [0, 1] (the range of the clarity term {rl.term!r}), "
                f"got {bound:g}",
                f"{path}.{op}",
            )
    if op == "is" and spec.kind == "boolean" and not isinstance(rl.is_, bool):
        raise ScenarioError(f"expected true or false, got {shown(rl.is_)}", f"{path}.is")


def clarity_terms(sc: Scenario) -> tuple[str, ...]:
    """The number terms that gate some state: the force-wide one, then the states' own."""
    own = (st.clarity_term for st in sc.states.values() if st.clarity_term is not None)
    return tuple(dict.fromkeys((sc.force.clarity_term, *own)))


def conditions(sc: Scenario) -> tuple[str, ...]:
    """The world conditions a red line may require: the built-in ones, then `world:`'s."""
    return (*BUILT_IN_CONDITIONS, *sc.world)


def _check_world(sc: Scenario) -> None:
    """A declared condition has a new name and names a concession that exists."""
    concessions = [c.id for c in sc.broker.concessions]
    for name, cond in sc.world.items():
        path = f"world.{name}"
        if name in BUILT_IN_CONDITIONS:
            raise ScenarioError(
                f"{name!r} is a built-in world condition; give the declared one another name",
                path,
            )
        if cond.by_concession is not None:
            _known("concession", cond.by_concession, concessions, f"{path}.by_concession")
            con = sc.broker.concessions[concessions.index(cond.by_concession)]
            if not con.change:
                raise ScenarioError(
                    f"expected a concession that changes the mandate; {con.id!r} only grants "
                    "a caveat",
                    f"{path}.by_concession",
                )


def _check_veto(sc: Scenario, target: Any, path: str) -> None:
    """A vetoed contributor is a declared state; a conditional veto names declared
    kinds, a concession on the broker's menu and a condition under `world:` (a
    veto is judged at the start of the week, before the built-in conditions of
    the week are known, so only declared ones can lift it)."""
    if isinstance(target, str):
        _known("state", target, sc.states, path)
        return
    _known("state", target.state, sc.states, f"{path}.state")
    for i, kind in enumerate(target.kinds or []):
        _known("contribution kind", kind, sc.kinds, f"{path}.kinds[{i}]")
    _listed(target.kinds, "contribution kind", f"{path}.kinds")
    if target.lifted_by is not None:
        concessions = [c.id for c in sc.broker.concessions]
        _known("concession", target.lifted_by, concessions, f"{path}.lifted_by")
    if target.unless is not None:
        _known("declared world condition", target.unless, list(sc.world), f"{path}.unless")


def _ends(value: Any) -> tuple[float, float]:
    return (value[0], value[1]) if isinstance(value, tuple) else (value, value)


def _within_offer(size: Any, offer: Any, path: str) -> None:
    """A realised capacity is at most the stated offer (an offer is an upper bound)."""
    if _ends(size)[1] > _ends(offer)[1]:
        raise ScenarioError(
            f"expected at most the stated offer ({_ends(offer)[1]:g}), got {_ends(size)[1]:g}",
            path,
        )


MAX_UNITS = 1e9
"""Units of its kind in one offer (offer / unit), so a pledge counted in units stays
a finite whole number: 20,000 troops in units of 1, or $5 billion in units of $5."""


def _whole_units(offer: Any, unit: float, kind: str, path: str) -> None:
    """An offer is at most MAX_UNITS of its kind's `unit`."""
    units = _ends(offer)[1] / unit
    if units > MAX_UNITS:
        raise ScenarioError(
            f"expected at most {MAX_UNITS:,.0f} units of {kind!r} (unit {unit:g}), "
            f"got {_ends(offer)[1]:g} ({units:.3g} units); raise kinds.{kind}.unit",
            path,
        )


def _check_deployment(sc: Scenario) -> None:
    """The force's entry conditions are declared world conditions; a contingent's
    own deployment is written only where the scenario has a deployment stage."""
    if sc.deployment is not None:
        for i, name in enumerate(sc.deployment.requires):
            path = f"deployment.requires[{i}]"
            if name == "host_consent":
                raise ScenarioError(
                    "write host consent as `host_consent: true`, not as a condition", path
                )
            _known("world condition", name, list(sc.world), path)
        _listed(sc.deployment.requires, "world condition", "deployment.requires", empty=True)
        return
    for code, st in sc.states.items():
        if st.deployment is not None:
            raise ScenarioError(
                "a contingent's deployment needs the scenario's `deployment:` stage "
                "(add `deployment: {}` for its defaults)",
                f"states.{code}.deployment",
            )


def _check_events(sc: Scenario) -> None:
    """Events act in the deployment stage, on declared states and blocs."""
    if sc.events and sc.deployment is None:
        name = next(iter(sc.events))
        raise ScenarioError(
            "an event suspends or withdraws contingents in the deployment stage: the "
            "scenario needs `deployment:` (add `deployment: {}` for its defaults)",
            f"events.{name}",
        )
    known = [*sc.states, *sc.blocs]
    for name, event in sc.events.items():
        for who in event.effect:
            _known("state or bloc", who, known, f"events.{name}.effect.{who}")


def _number(value: Any, path: str) -> None:
    """A plain finite number within bounds (see `schema.real`); text is refused."""
    try:
        real(value)
    except ValueError as exc:
        raise ScenarioError(str(exc), path) from None


def _check_state(sc: Scenario, code: str, st: Any) -> None:
    path = f"states.{code}"
    for i, bloc in enumerate(st.blocs):
        _known("bloc", bloc, sc.blocs, f"{path}.blocs[{i}]")
    _listed(st.blocs, "bloc", f"{path}.blocs", empty=True)
    for i, bloc in enumerate(st.follows or []):
        _known("bloc", bloc, sc.blocs, f"{path}.follows[{i}]")
    _listed(st.follows, "bloc", f"{path}.follows", empty=True)
    for kind, size in st.offers.items():
        _known("contribution kind", kind, sc.kinds, f"{path}.offers.{kind}")
        _whole_units(size, sc.kinds[kind].unit, kind, f"{path}.offers.{kind}")
    for kind, size in st.capacity.items():
        _known("offered kind", kind, st.offers, f"{path}.capacity.{kind}")
        _within_offer(size, st.offers[kind], f"{path}.capacity.{kind}")
    for kind, size in st.initial_offer.items():
        _known("contribution kind", kind, st.offers, f"{path}.initial_offer.{kind}")
        if size < 0:
            raise ScenarioError(
                f"expected a number >= 0, got {size}", f"{path}.initial_offer.{kind}"
            )
        _within_offer(size, st.offers[kind], f"{path}.initial_offer.{kind}")
    for i, kind in enumerate(st.package or []):
        _known("offered kind", kind, st.offers, f"{path}.package[{i}]")
        if kind in st.package[:i]:
            raise ScenarioError(f"duplicate kind {kind!r} in the package", f"{path}.package[{i}]")
    if len(st.initial_offer) > 1:
        if not st.package:
            raise ScenarioError(
                "expected one initial offer (one kind), or a 'package' that lists its kinds",
                f"{path}.initial_offer",
            )
        outside = [k for k in st.initial_offer if k not in st.package]
        if outside:
            raise ScenarioError(
                "expected one initial offer (one kind), or kinds of the state's package; "
                f"{outside[0]!r} is not in its package",
                f"{path}.initial_offer.{outside[0]}",
            )
    ids = set()
    for i, rl in enumerate(st.red_lines):
        _check_red_line(sc, rl, f"{path}.red_lines[{i}]")
        if rl.id in ids:
            raise ScenarioError(f"duplicate red line id {rl.id!r}", f"{path}.red_lines[{i}].id")
        if rl.caveat_ok and sc.force.caveats_term not in sc.vocabulary:
            raise ScenarioError(
                "caveat_ok is lifted by the mandate-wide caveats term, and the scenario has "
                f"none (force.caveats_term: {shown(sc.force.caveats_term)} is not in the "
                "vocabulary)",
                f"{path}.red_lines[{i}].caveat_ok",
            )
        ids.add(rl.id)
    for term, pref in st.preferences.items():
        _known("term", term, sc.vocabulary, f"{path}.preferences.{term}")
        _level(
            term,
            sc.vocabulary[term],
            pref.ideal,
            f"{path}.preferences.{term}.ideal",
            clarity_terms(sc),
        )
    _check_caveats(sc, code, st)
    fields = set(type(st).model_fields) | {"red_lines." + r.id for r in st.red_lines}
    fields |= {"caveats." + c.id for c in st.caveats}
    fields |= {f"incentives.{k}" for k in st.incentives}
    fields |= {f"preferences.{k}" for k in st.preferences}
    fields |= {f"offers.{k}" for k in st.offers}
    fields |= {f"capacity.{k}" for k in st.capacity}
    for i, ev in enumerate(st.evidence):
        for j, field in enumerate(ev.supports):
            _known("field", field, fields, f"{path}.evidence[{i}].supports[{j}]")
    for field in st.judgement:
        _known("field", field, fields, f"{path}.judgement.{field}")


def caveat_term(sc: Scenario, caveat: Any) -> str | None:
    """The task-set term a caveat's task belongs to: its `term`, else the one
    task-set term that has the task among its levels (None if none or several)."""
    if caveat.term is not None:
        return caveat.term
    terms = [
        t for t, spec in sc.vocabulary.items()
        if spec.kind == "task_set" and caveat.excludes in spec.levels
    ]  # fmt: skip
    return terms[0] if len(terms) == 1 else None


def _check_caveats(sc: Scenario, code: str, st: Any) -> None:
    """A caveat names a task of a task-set term, once per id."""
    ids = set()
    for i, cav in enumerate(st.caveats):
        path = f"states.{code}.caveats[{i}]"
        if cav.id in ids:
            raise ScenarioError(f"duplicate caveat id {cav.id!r}", f"{path}.id")
        ids.add(cav.id)
        for rl in st.red_lines:
            if rl.caveat_ok and rl.excludes == cav.excludes:
                raise ScenarioError(
                    f"red line {rl.id!r} is already lifted by the mandate-wide caveats term "
                    "(caveat_ok); declare the task's caveat once: drop caveat_ok or this caveat",
                    f"{path}.excludes",
                )
        if cav.term is not None:
            _role_term(sc, cav.term, "task_set", f"{path}.term")
            _known(f"task of {cav.term}", cav.excludes, sc.vocabulary[cav.term].levels, path)
            continue
        tasks = [
            t for spec in sc.vocabulary.values() if spec.kind == "task_set" for t in spec.levels
        ]
        _known("task", cav.excludes, tasks, f"{path}.excludes")
        if caveat_term(sc, cav) is None:
            raise ScenarioError(
                f"task {cav.excludes!r} is in several task-set terms; name one with `term`",
                f"{path}.term",
            )


def _check_broker(sc: Scenario) -> None:
    ids = set()
    for i, con in enumerate(sc.broker.concessions):
        path = f"broker.concessions[{i}]"
        if con.id in ids:
            raise ScenarioError(f"duplicate concession id {con.id!r}", f"{path}.id")
        ids.add(con.id)
        if con.change or con.grants is None:
            check_change(con.change, sc.vocabulary, f"{path}.change", clarity_terms(sc))
        if con.grants is not None:
            g = con.grants
            _known("state", g.state, sc.states, f"{path}.grants.state")
            declared = [c.id for c in sc.states[g.state].caveats]
            _known(f"caveat of {g.state}", g.caveat, declared, f"{path}.grants.caveat")
    if float(_hi(sc.broker.minimum_viable)) > float(_lo(sc.broker.target)):
        raise ScenarioError("expected minimum_viable <= target", "broker.minimum_viable")


def _lo(v: Any) -> float:
    return v[0] if isinstance(v, tuple) else v


def _hi(v: Any) -> float:
    return v[1] if isinstance(v, tuple) else v


def check_change(
    change: dict,
    vocab: dict[str, TermSpec],
    path: str,
    clarity: str | tuple[str, ...] | None = None,
) -> None:
    """Check a mandate change: a new level, or `{add: [...], remove: [...]}` for tasks."""
    if not change:
        raise ScenarioError("expected at least one term to change", path)
    for term, value in change.items():
        _known("term", term, vocab, f"{path}.{term}")
        spec = vocab[term]
        if spec.kind == "ordinal" and isinstance(value, dict):
            if len(value) != 1 or next(iter(value)) not in ("at_most", "at_least"):
                raise ScenarioError(
                    "expected a level, or {at_most: level} / {at_least: level}", f"{path}.{term}"
                )
            ((bound, level),) = value.items()
            _level(term, spec, level, f"{path}.{term}.{bound}", clarity)
        elif spec.kind == "task_set" and isinstance(value, dict):
            for op, tasks in value.items():
                if op not in ("add", "remove"):
                    raise unknown("task operation", op, ("add", "remove"), f"{path}.{term}")
                _level(term, spec, tasks, f"{path}.{term}.{op}", clarity)
        else:
            _level(term, spec, value, f"{path}.{term}", clarity)


def _check_effects(effects: dict, vocab: dict[str, TermSpec], path: str) -> None:
    for term, eff in effects.items():
        _known("term", term, vocab, f"{path}.{term}")
        spec = vocab[term]
        if isinstance(eff, dict):
            if spec.kind not in ("ordinal", "categorical", "task_set"):
                raise ScenarioError(
                    f"{_a(spec.kind).capitalize()} term takes a single slope, not a mapping",
                    f"{path}.{term}",
                )
            for level, w in eff.items():
                _known(f"level of {term}", level, spec.levels, f"{path}.{term}.{level}")
                _number(w, f"{path}.{term}.{level}")
        else:
            if spec.kind in ("categorical", "task_set"):
                raise ScenarioError(
                    f"{_a(spec.kind).capitalize()} term takes a mapping of level to weight",
                    f"{path}.{term}",
                )
            _number(eff, f"{path}.{term}")


def _check_linear(lin: Linear, vocab: dict[str, TermSpec], path: str) -> None:
    _check_effects(lin.effects, vocab, f"{path}.effects")


def _check_environment(sc: Scenario) -> None:
    env = sc.environment
    for name in ("risk", "perception", "incident_rate"):
        _check_linear(getattr(env, name), sc.vocabulary, f"environment.{name}")
    used = {k for st in sc.states.values() for k in st.incentives}
    for name, lin in env.incentive_scaling.items():
        _known("incentive", name, used, f"environment.incentive_scaling.{name}")
        _check_linear(lin, sc.vocabulary, f"environment.incentive_scaling.{name}")
