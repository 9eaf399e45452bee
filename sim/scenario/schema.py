"""Typed schema of a scenario file.

The schema only checks shapes and ranges; names that refer to each other
(terms, tasks, states, blocs, kinds, concessions) are checked in
`references.py`, where the whole scenario is in view and a misspelt name can be
matched against the names that exist.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from sim.limits import MAX_RUNS
from sim.scenario.errors import shown, suggest

MAX_ROUNDS = 520
MAX_MAGNITUDE = 1e9
"""Every number in a scenario lies in [-1e9, 1e9] (and is finite)."""
MAX_ID = 64
"""Characters in an id or a name that other fields refer to."""
MAX_LABEL = 200
"""Characters in a name, label or title (shown in charts and reports)."""
MAX_LEVELS = 60
MAX_STATES = 250
MAX_ITEMS = 200
"""At most this many terms, kinds, blocs, veto players, hosts, concessions,
red lines per state, incentives per state..."""

Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)]
Label = Annotated[str, StringConstraints(max_length=MAX_LABEL)]


class Strict(BaseModel):
    """Base for every scenario object: unknown keys are errors, not ignored.

    Types are strict: text where text belongs, `true`/`false` for booleans,
    whole numbers for counts; a quoted number or `yes` is refused, not coerced.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _what(value: Any) -> str:
    """What a value that is not a number is, with a hint when it looks like one."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return "text"
        return "text; write the number without quotes"
    return {bool: "true/false", dict: "a mapping", list: "a list", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def real(value: Any) -> float | int:
    """A plain number: not text, not a boolean, finite, within +-MAX_MAGNITUDE."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {shown(value)} ({_what(value)})")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"expected a number between -1e9 and 1e9, got {value:g}")
    return value


Real = Annotated[float, BeforeValidator(real)]
"""A fixed number (no range), checked by `real`."""


def _check_range(value: Any) -> Any:
    """Accept a number or a `[low, high]` pair with low <= high."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(f"a range is a pair [low, high], got {len(value)} items")
        ends = []
        for end, v in zip(("low", "high"), value, strict=True):
            try:
                ends.append(real(v))
            except ValueError as exc:
                raise ValueError(f"range {end}: {exc}") from None
        low, high = ends
        if low > high:
            raise ValueError(f"range low {low} is above high {high}")
        return (float(low), float(high))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            f"expected a number or a range [low, high], got {shown(value)} ({_what(value)})"
        )
    return float(real(value))


Number = float | tuple[float, float]
"""A judgement-call number: fixed, or a `[low, high]` range sampled per run."""


def ranged(lo: float | None = None, hi: float | None = None):
    """An Annotated judgement-call number whose value (or both ends) lies in [lo, hi]."""

    def check(value: Any) -> Any:
        value = _check_range(value)
        for v in value if isinstance(value, tuple) else (value,):
            if lo is not None and v < lo:
                raise ValueError(f"expected a number >= {lo}, got {v}")
            if hi is not None and v > hi:
                raise ValueError(f"expected a number <= {hi}, got {v}")
        return value

    return Annotated[Number, BeforeValidator(check)]


Unit = ranged(0.0, 1.0)
NonNeg = ranged(0.0, None)
Signed = ranged(None, None)


def _level_or_number(value: Any) -> Any:
    """A red line's bound: a level name, or a number for a number term."""
    if value is None or isinstance(value, str):
        return value
    return real(value)


LevelOrNumber = Annotated[str | float | None, BeforeValidator(_level_or_number)]


def _ideal(value: Any) -> Any:
    """A preference's ideal: a level, a list of tasks, true/false, or a number."""
    if isinstance(value, str | bool) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return value
    if isinstance(value, int | float):
        return real(value)
    raise ValueError(
        f"expected a level, a list of tasks, true/false or a number, got {shown(value)}"
    )


Ideal = Annotated[str | list[str] | bool | float, BeforeValidator(_ideal)]


class Evidence(Strict):
    """Where a parameter comes from: a checkable statement, or a named judgement."""

    quote: str | None = None
    paraphrase: str | None = None
    speaker: str | None = None
    date: str | None = None
    source: str | None = None
    reported: bool = False
    supports: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_content(self) -> Evidence:
        if not (self.quote or self.paraphrase):
            raise ValueError("evidence needs a quote or a paraphrase")
        if not self.source:
            raise ValueError("evidence needs a source")
        return self


class TermSpec(Strict):
    """One mandate term in the vocabulary; its kind decides how it is encoded."""

    kind: Literal["ordinal", "categorical", "task_set", "boolean", "number"]
    levels: list[Id] = Field(default_factory=list, max_length=MAX_LEVELS)
    label: Label | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _levels_fit_kind(self) -> TermSpec:
        needs_levels = self.kind in ("ordinal", "categorical", "task_set")
        if needs_levels and len(self.levels) < 2:
            raise ValueError(f"a {self.kind} term needs at least two levels")
        if not needs_levels and self.levels:
            raise ValueError(f"a {self.kind} term takes no levels")
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels must be distinct")
        return self


class KindSpec(Strict):
    """A contribution kind: how exposed it is, what it earns, how it is counted."""

    label: Label
    unit: Real = Field(gt=0, description="pledges are whole multiples of this")
    measure: Label = "personnel"
    exposure: Unit = 1.0
    risk: Unit = 1.0
    visibility: Unit = 1.0
    in_theatre: bool = True


class RedLine(Strict):
    """A hard constraint: a predicate over one mandate term or a world condition."""

    id: Id
    term: str | None = None
    excludes: str | None = None
    includes: str | None = None
    at_least: LevelOrNumber = None
    at_most: LevelOrNumber = None
    one_of: list[str] | None = None
    is_: bool | None = Field(default=None, alias="is")
    requires: Id | None = None
    """A world condition: one of BUILT_IN_CONDITIONS or a condition declared under
    `world:` (checked in references.py)."""
    unless: Id | None = None
    """A world condition under which the red line does not bind ("disarmament only if
    voluntary": `unless: hamas_disarmament_agreed`; checked in references.py)."""
    caveat_ok: bool = False
    kinds: list[str] | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _one_predicate(self) -> RedLine:
        ops = [
            k
            for k in ("excludes", "includes", "at_least", "at_most", "one_of", "is_")
            if getattr(self, k) is not None
        ]
        if self.requires is not None:
            if self.term is not None or ops:
                raise ValueError("a red line has either 'requires' or 'term' with one operator")
            if self.caveat_ok:
                raise ValueError("caveat_ok applies only to a task red line")
            return self
        if self.term is None:
            raise ValueError("a red line needs 'term' (with one operator) or 'requires'")
        if len(ops) != 1:
            raise ValueError(
                "a term red line needs exactly one of excludes, includes, at_least, "
                "at_most, one_of, is"
            )
        if self.caveat_ok and self.excludes is None:
            raise ValueError("caveat_ok applies only to an 'excludes' task red line")
        return self

    @property
    def operator(self) -> str:
        """The predicate's operator name, as written in the file."""
        if self.requires is not None:
            return "requires"
        for k in ("excludes", "includes", "at_least", "at_most", "one_of"):
            if getattr(self, k) is not None:
                return k
        return "is"


BUILT_IN_CONDITIONS = ("ceasefire_holding", "host_consent", "veto_acceptance")
"""The world conditions the engine computes itself; a `world:` condition may not
reuse these names."""


class WorldCondition(Strict):
    """A condition on the world (not the mandate) that a state's red line may require.

    A boolean that, once true, stays true. It becomes true in a week when the
    weekly `hazard` fires, when the week reaches `from_week`, or once the broker
    has made the concession `by_concession`, whichever comes first.
    """

    label: Label | None = None
    initially: bool = False
    hazard: Unit = 0.0
    from_week: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    by_concession: Id | None = None
    judgement: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Preference(Strict):
    """An ideal level on one term and how much the state cares (salience)."""

    ideal: Ideal
    salience: Unit = 0.5


class Approval(Strict):
    """A vote a state's contingent needs before it may deploy (a parliament).

    Held `weeks` after the force forms; it passes with chance `p` (a judgement
    call, drawn per run when a range). A contingent whose vote fails stays home.
    """

    by: Label
    p: Unit = 1.0
    weeks: int = Field(default=4, ge=0, le=MAX_ROUNDS)
    judgement: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class ContingentDeployment(Strict):
    """How one state's contingent reaches the theatre once the force has formed."""

    lag: ranged(0.0, MAX_ROUNDS) | None = None
    """Weeks of force generation (after any approval vote); the scenario's
    `deployment.lag` when not given."""
    approval: Approval | None = None
    judgement: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Caveat(Strict):
    """A national caveat a state's contingent would serve under: a task it will not
    carry (`excludes`), and how much less the contingent counts toward the target
    while the caveat is in effect (`discount`, a judgement call; docs/model.md,
    'Per-state caveats'). Granted by a concession that names it (`grants`), or to
    every state at once by the mandate-wide caveats term (`force.caveats_term`).
    """

    id: Id
    label: Label | None = None
    term: Id | None = None
    """The task-set term that holds the task; found from the task when not given."""
    excludes: Id
    discount: Unit = 0.25
    judgement: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class StateSpec(Strict):
    """A contributor state: the Mesa agent's parameters, each with its evidence."""

    name: Label
    blocs: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    follows: list[str] | None = Field(default=None, max_length=MAX_ITEMS)
    offers: dict[Id, NonNeg] = Field(default_factory=dict, max_length=MAX_ITEMS)
    capacity: dict[Id, NonNeg] = Field(default_factory=dict, max_length=MAX_ITEMS)
    """What the state can actually field of an offered kind, where the record gives
    reason to think it is less than the stated offer (concurrent deployments,
    casualty tolerance): it bounds the pledge; `offers` stays the stated upper
    bound (docs/model.md, 'Capacity from evidence')."""
    initial_offer: dict[str, Real] = Field(default_factory=dict)
    """The offer on the record: one kind, or the kinds of `package` (the first
    listed is the contingent's lead kind)."""
    package: list[Id] | None = Field(default=None, min_length=2, max_length=MAX_ITEMS)
    """Offered kinds the state commits together, each at its own size, rather than
    one kind at a time (Italy's carabinieri with its police trainers): red lines,
    risk and counting apply to each kind (docs/model.md, 'Packages')."""
    initial_stance: Literal["declined", "considering", "conditional", "offered", "committed"] = (
        "considering"
    )
    red_lines: list[RedLine] = Field(default_factory=list, max_length=MAX_ITEMS)
    caveats: list[Caveat] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Tasks the state's contingent may be excused from, one caveat at a time
    (docs/model.md, 'Per-state caveats')."""
    preferences: dict[str, Preference] = Field(default_factory=dict, max_length=MAX_ITEMS)
    domestic_opposition: Unit = 0.3
    risk_tolerance: Unit = 0.5
    clarity_threshold: Unit = 0.5
    clarity_term: Id | None = None
    """The number term whose clarity gates this state (`sim.rules.clarity`); the
    force-wide `force.clarity_term` when not given."""
    conformity: Unit = 0.2
    incentives: dict[Id, Signed] = Field(default_factory=dict, max_length=MAX_ITEMS)
    evidence: list[Evidence] = Field(default_factory=list)
    judgement: dict[str, str] = Field(default_factory=dict)
    note: str | None = None
    deployment: ContingentDeployment | None = None


Effects = dict[str, Any]
"""Term -> slope (number) or level -> weight mapping; checked in references.py."""


class CaveatGrant(Strict):
    """One state's caveat, granted by a concession (`grants: {state, caveat}`)."""

    state: str
    caveat: Id


class Concession(Strict):
    """A change to the mandate the broker is willing to make, with its cost; or a
    caveat it grants one contributor (`grants`), or both."""

    id: Id
    label: Label | None = None
    change: dict[str, Any] = Field(default_factory=dict, max_length=MAX_ITEMS)
    grants: CaveatGrant | None = None
    cost: NonNeg = 0.1

    @model_validator(mode="after")
    def _changes_or_grants(self) -> Concession:
        if not self.change and self.grants is None:
            raise ValueError("a concession needs a `change` to the mandate or a caveat it `grants`")
        return self


class SidePayments(Strict):
    """The broker's budget of side payments, in payoff units."""

    budget: NonNeg = 0.0
    max_per_state: NonNeg = 0.2


class Broker(Strict):
    """The actor assembling the force: its goals, patience and menu."""

    id: Id
    name: Label
    target: ranged(1.0, None)
    minimum_viable: ranged(0.0, None)
    deadline: int = Field(ge=1, le=MAX_ROUNDS)
    engagement: Unit = 0.05
    patience: int = Field(default=2, ge=0, le=MAX_ROUNDS)
    urgency: Unit = 0.5
    veto_loss_cost: NonNeg = 1.0
    concessions: list[Concession] = Field(default_factory=list, max_length=MAX_ITEMS)
    side_payments: SidePayments = SidePayments()
    evidence: list[Evidence] = Field(default_factory=list)
    judgement: dict[str, str] = Field(default_factory=dict)


class ContributorVeto(Strict):
    """A veto on one contributor that is part of the bargaining, not fixed.

    It may apply only to some kinds (`kinds`: Israel objecting to Turkish troops,
    not to Turkish money), hold only in a share of runs (`p`, a judgement call:
    how firm the objection is), end at a week (`until_week`), or be lifted by a
    concession the broker makes (`lifted_by`: the veto player's price), or not
    hold while a declared world condition holds (`unless`: the contributor's
    relations with the veto player, or its stance on a question outside the
    mandate, written as a condition of the world that can come true).
    """

    state: str
    kinds: list[str] | None = Field(default=None, max_length=MAX_ITEMS)
    p: Unit = 1.0
    until_week: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    lifted_by: Id | None = None
    unless: Id | None = None
    judgement: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


VetoEntry = Annotated[
    Annotated[str, Tag("state")] | Annotated[ContributorVeto, Tag("conditional")],
    Discriminator(lambda v: "state" if isinstance(v, str) else "conditional"),
]
"""A state id, or a conditional veto: errors name the form that was written."""


class VetoPlayer(Strict):
    """An actor whose acceptance the mandate needs; may also veto contributors."""

    name: Label
    role: Label = "veto player"
    base: Signed = 0.5
    effects: Effects = Field(default_factory=dict)
    threshold: Unit = 0.5
    requires: list[RedLine] = Field(default_factory=list, max_length=MAX_ITEMS)
    caveat_effect: Real = 0.0
    """Added to acceptance for each caveat granted to one contributor by a concession
    (signed; docs/model.md, 'Per-state caveats')."""
    vetoes: list[VetoEntry] = Field(default_factory=list, max_length=MAX_STATES)
    """Contributors it will not have in the force: a state id (a fixed veto on
    every kind), or a `ContributorVeto` with its conditions."""
    evidence: list[Evidence] = Field(default_factory=list)
    judgement: dict[str, str] = Field(default_factory=dict)


class HostActor(Strict):
    """A host-side actor whose consent to the force sets the security risk."""

    name: Label
    base: Signed = 0.5
    effects: Effects = Field(default_factory=dict)
    threshold: Unit = 0.5
    evidence: list[Evidence] = Field(default_factory=list)
    judgement: dict[str, str] = Field(default_factory=dict)


class Linear(Strict):
    """A quantity that is a base plus effects of the mandate terms."""

    base: Signed = 0.0
    effects: Effects = Field(default_factory=dict)


class Environment(Strict):
    """Risk, incidents and how a mandate reads at home: functions of the terms."""

    risk: Linear = Linear(base=0.2)
    consent_risk: NonNeg = 0.5
    perception: Linear = Linear()
    incident_rate: Linear = Linear(base=0.3)
    consent_incidents: NonNeg = 0.5
    incident_severity: NonNeg = 0.1
    incident_decay: Unit = 0.6
    incident_perception: NonNeg = 0.5
    ceasefire_threshold: NonNeg = 0.25
    incentive_scaling: dict[str, Linear] = Field(default_factory=dict)
    judgement: dict[str, str] = Field(default_factory=dict)


class Thresholds(Strict):
    """Payoff levels that separate the rungs of the stance ladder."""

    conditional: Real = -0.1
    offered: Real = 0.1
    committed: Real = 0.25
    exit: Real = -0.2

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not (self.exit <= self.conditional < self.offered < self.committed):
            raise ValueError("expected exit <= conditional < offered < committed")
        return self


class Decision(Strict):
    """Constants of the state decision rule (see docs/model.md)."""

    thresholds: Thresholds = Thresholds()
    hysteresis: NonNeg = 0.05
    noise_sd: NonNeg = 0.05
    bandwagon: NonNeg = 0.2
    pledge_min_share: Unit = 0.25
    pledge_full_payoff: Real = 0.6
    side_payment_effect: NonNeg = 1.0
    partial_demand_credit: Real = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("side_payment_effect")
    @classmethod
    def _payments_move_payoffs(cls, value: Number) -> Number:
        """The broker divides the gap to the commitment level by it (docs/model.md,
        'Broker: side payments'): 0 has no payment to compute."""
        low = value[0] if isinstance(value, tuple) else value
        if low <= 0:
            raise ValueError(
                f"expected a number > 0 (payoff per unit of side payment), got {low:g}; "
                "to turn side payments off set run.mechanisms.side_payments: false"
            )
        return value


class Mechanisms(Strict):
    """Switches: each mechanism can be turned off to show or ablate it."""

    conformity: bool = True
    bandwagon: bool = True
    concessions: bool = True
    side_payments: bool = True
    vetoes: bool = True
    incidents: bool = True
    noise: bool = True
    clarity_gate: bool = True
    hysteresis: bool = True
    world_conditions: bool = True
    deployment: bool = True
    withdrawal: bool = True
    stated_positions: bool = True
    conditional_vetoes: bool = True
    per_state_caveats: bool = True
    packages: bool = True
    veto_demands: bool = True


class Deployment(Strict):
    """From a formed force to contingents in theatre (docs/model.md, 'Deployment').

    Once the force forms (or forms undersized at the deadline), each counted
    contingent is generated over its lag, after any approval vote, and enters
    in the first week the force may enter: every condition in `requires` holds
    and, with `host_consent`, every host-side actor consents. The runs are
    watched for `watch` weeks after the deadline.
    """

    lag: ranged(0.0, MAX_ROUNDS) = 0.0
    requires: list[Id] = Field(default_factory=list, max_length=MAX_ITEMS)
    host_consent: bool = False
    watch: int = Field(default=26, ge=0, le=MAX_ROUNDS)
    incident_hazard: Unit = 0.0
    """Weekly chance of an incident with casualties in each contingent in theatre; each
    one may make its state withdraw (`sim.rules.withdrawal`, docs/model.md, 'Suspension
    and withdrawal')."""
    judgement: dict[str, str] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)


class EventEffect(Strict):
    """What an event does to a state's contingent (or to each of a bloc's): `suspend`
    it for `weeks` weeks, or `withdraw` it for good."""

    action: Literal["suspend", "withdraw"]
    weeks: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)

    @model_validator(mode="after")
    def _weeks_for_suspend(self) -> EventEffect:
        if self.action == "suspend" and self.weeks is None:
            raise ValueError("a suspension needs `weeks` (how long the contingent stops)")
        if self.action == "withdraw" and self.weeks is not None:
            raise ValueError("a withdrawal is for good: it takes no `weeks`")
        return self


class Event(Strict):
    """A shock during the deployment stage (a crisis at home or elsewhere): in a week
    its weekly `hazard` fires or in its scheduled `week`, it suspends or withdraws the
    contingents named in `effect` (docs/model.md, 'Suspension and withdrawal')."""

    label: Label | None = None
    hazard: Unit = 0.0
    week: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    effect: dict[Id, EventEffect] = Field(min_length=1, max_length=MAX_STATES)
    """State code or bloc id -> what the event does to its contingent(s)."""
    judgement: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Force(Strict):
    """Which contribution kinds count toward the target, and which terms play
    the roles the engine reads: how final the terms are, and opt-outs."""

    counts: list[str] = Field(default_factory=lambda: ["troops"])
    clarity_term: str = "clarity"
    caveats_term: str | None = "national_caveats"
    in_theatre: Real = Field(default=0.0, ge=0.0, le=1e9)
    """Personnel already deployed (an existing mission being expanded): counted
    toward the target from week 0, by no contributor of the scenario."""


class Run(Strict):
    """How many rounds and runs, and the one seed they all descend from."""

    rounds: int = Field(default=26, ge=1, le=MAX_ROUNDS)
    runs: int = Field(default=200, ge=1, le=MAX_RUNS)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    mechanisms: Mechanisms = Mechanisms()


class Scenario(Strict):
    """A whole resolved scenario (after `extends` has been merged)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=MAX_ID)
    title: Label
    description: str = ""
    date: str | None = None
    vocabulary: dict[Id, TermSpec] = Field(max_length=MAX_ITEMS)
    blocs: dict[Id, str] = Field(default_factory=dict, max_length=MAX_ITEMS)
    kinds: dict[Id, KindSpec] = Field(max_length=MAX_ITEMS)
    mandate: dict[str, Any] = Field(max_length=MAX_ITEMS)
    states: dict[str, StateSpec] = Field(max_length=MAX_STATES)
    broker: Broker
    veto_players: dict[Id, VetoPlayer] = Field(default_factory=dict, max_length=MAX_ITEMS)
    hosts: dict[Id, HostActor] = Field(default_factory=dict, max_length=MAX_ITEMS)
    environment: Environment = Environment()
    decision: Decision = Decision()
    force: Force = Force()
    run: Run = Run()
    sources: list[str] = Field(default_factory=list)
    world: dict[Id, WorldCondition] = Field(default_factory=dict, max_length=MAX_ITEMS)
    """Conditions on the world that red lines may require (docs/model.md, 'World
    conditions')."""
    deployment: Deployment | None = None
    """The deployment stage after formation; without it a formed force counts as
    deployed in the week it forms (docs/model.md, 'Deployment')."""
    events: dict[Id, Event] = Field(default_factory=dict, max_length=MAX_ITEMS)
    """Shocks that suspend or withdraw contingents during the deployment stage
    (docs/model.md, 'Suspension and withdrawal')."""
    peer_influence: dict[Id, Literal["complementarity", "free_riding"]] = Field(
        default_factory=dict, max_length=MAX_ITEMS
    )
    """How a bloc's choices act on the states that follow it: complementarity (the
    default: peers committing pull a state in) or free-riding (peers committing
    let it stay out). See docs/model.md, 'Conformity'."""

    @model_validator(mode="after")
    def _influence_of_known_blocs(self) -> Scenario:
        for bloc in self.peer_influence:
            if bloc not in self.blocs:
                hint = suggest(bloc, self.blocs) or f"; declared blocs: {', '.join(self.blocs)}"
                raise ValueError(f"peer_influence names an unknown bloc {bloc!r}{hint}")
        return self

    @field_validator("states")
    @classmethod
    def _iso_codes(cls, states: dict[str, StateSpec]) -> dict[str, StateSpec]:
        for code in states:
            if not (len(code) == 3 and code.isalpha() and code.isupper()):
                raise ValueError(f"state id {code!r} is not an ISO 3166 alpha-3 code")
        if not states:
            raise ValueError("a scenario needs at least one contributor state")
        return states
