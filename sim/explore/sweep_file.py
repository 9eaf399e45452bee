"""Sweep files: a base scenario, axes over field paths, a grid or a Latin hypercube.

A sweep file (see docs/explore.md):

    name: decommissioning_x_force      # optional; default: the file name
    base: ../isf/res2803.yaml          # relative to this file
    runs: 200                          # runs per point (default: the base's)
    seed: 2803                         # default: the base's
    design: grid                       # grid (default) or lhs
    samples: 20                        # lhs only: number of points
    axes:
      - path: mandate.tasks.weapons_decommissioning
        values: [true, false]
      - path: mandate.use_of_force
        values: {from: self_defence, to: enforcement}
      - path: states.PAK.domestic_opposition
        values: {from: 0.2, to: 0.9, steps: 8}

Every point runs with the same seed (common random numbers), so two points
differ only by their terms. Every axis value and every point is validated
before anything runs; a bad path or value is refused in one line. Reading and
checking a file needs neither pandas nor the engine (`sim.explore.sweep` runs
it), so a wrong one is refused in the time it takes to start.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from sim.explore import paths
from sim.limits import MAX_STEPS, MAX_TOTAL_RUNS
from sim.scenario.errors import ScenarioError, unknown
from sim.scenario.loader import default_name, follow, load, one_line, override, read_yaml
from sim.scenario.schema import MAX_RUNS, Label, Scenario, real

MAX_POINTS = 5000
MAX_AXES = 10
DECIMALS = 10


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False
    )


def _end(value: Any) -> Any:
    """An end of a range: a level name, or a finite number within bounds."""
    return value if isinstance(value, str) else real(value)


class RangeSpec(_Strict):
    """`{from, to, steps}`: evenly spaced numbers, or the ordinal levels from .. to."""

    from_: Annotated[float | str, BeforeValidator(_end)] = Field(alias="from")
    to: Annotated[float | str, BeforeValidator(_end)]
    steps: int | None = Field(default=None, ge=2, le=MAX_STEPS)


class AxisSpec(_Strict):
    """One axis: a field path and its values (a list, or a range)."""

    path: str = Field(max_length=500)
    values: Any
    label: Label | None = None


class SweepSpec(_Strict):
    """The sweep file."""

    name: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: Label | None = None
    description: str = ""
    base: str
    design: Literal["grid", "lhs"] = "grid"
    samples: int | None = Field(default=None, ge=2, le=MAX_POINTS)
    runs: int | None = Field(default=None, ge=1, le=MAX_RUNS)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    axes: list[AxisSpec] = Field(min_length=1, max_length=MAX_AXES)


@dataclass
class Axis:
    """A resolved axis: its values, and for a numeric range its interval."""

    path: str
    label: str
    values: list[Any]
    numeric: bool  # values are numbers, drawn on a numeric scale
    interval: tuple[float, float] | None = None  # numeric range (Latin hypercube samples it)
    integer: bool = False  # the field takes whole numbers


@dataclass
class Sweep:
    """A loaded, validated sweep: every point's scenario is built and checked."""

    name: str
    title: str
    file: str
    base_file: str
    base: Scenario
    design: str
    axes: list[Axis]
    points: list[dict[str, Any]]
    scenarios: list[Scenario] = field(repr=False)

    @property
    def runs(self) -> int:
        return self.base.run.runs

    @property
    def seed(self) -> int:
        return self.base.run.seed


def _one_line(exc: ValidationError, file: str) -> ScenarioError:
    """The first pydantic error of a sweep file as one line, with a did-you-mean hint."""
    return one_line(exc, file, root=SweepSpec, prefer_unknown=True)


def _clean(x: float, integer: bool) -> float | int:
    return round(x) if integer else round(float(x), DECIMALS)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _resolve_axis(base: Scenario, spec: AxisSpec, i: int, design: str, file: str) -> Axis:
    """Check the path and every value against the base scenario."""
    where = f"axes[{i}]"
    try:
        current = paths.get(base, spec.path)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, f"{where}.path: {exc.path}", file) from None
    term = paths.term_of(spec.path)
    kind = base.vocabulary[term].kind if term in base.vocabulary else None
    is_task = kind == "task_set" and spec.path.count(".") == 2
    integer = isinstance(current, int) and not isinstance(current, bool)
    numeric_field = (_is_number(current) or paths.is_range(current)) and not is_task
    interval = None
    raw = spec.values
    if isinstance(raw, dict):
        try:
            rng = RangeSpec.model_validate(raw)
        except ValidationError as exc:
            err = _one_line(exc, file)
            raise ScenarioError(
                err.message, f"{where}.values.{err.path}".rstrip("."), file
            ) from None
        if kind == "ordinal" and spec.path.count(".") == 1:
            levels = base.vocabulary[term].levels
            for end in (rng.from_, rng.to):
                if end not in levels:
                    raise unknown(f"level of {term}", str(end), levels, f"{where}.values")
            if rng.steps is not None:
                raise ScenarioError(
                    "an ordinal range takes every level from .. to; leave out 'steps'",
                    f"{where}.values.steps",
                    file,
                )
            a, b = levels.index(rng.from_), levels.index(rng.to)
            step = 1 if b >= a else -1
            values = levels[a : b + step : step] if b + step >= 0 else levels[a::step]
        elif numeric_field:
            if not (_is_number(rng.from_) and _is_number(rng.to)):
                raise ScenarioError(
                    f"expected numbers for from and to, got {rng.from_!r} and {rng.to!r}",
                    f"{where}.values",
                    file,
                )
            lo, hi = float(rng.from_), float(rng.to)
            interval = (lo, hi)
            if rng.steps is None and design == "grid":
                raise ScenarioError(
                    "a numeric range needs 'steps' (the number of values) on a grid",
                    f"{where}.values",
                    file,
                )
            values = []
            for x in np.linspace(lo, hi, rng.steps or 2):
                v = _clean(x, integer)
                if v not in values:
                    values.append(v)
        else:
            what = f"a {kind} term" if kind else f"a field holding {type(current).__name__}"
            raise ScenarioError(
                f"a range {{from, to, steps}} applies to numbers and ordinal terms, not to "
                f"{what}; give a list of values",
                f"{where}.values",
                file,
            )
    elif isinstance(raw, list) and raw:
        values = list(raw)
        if is_task and not all(isinstance(v, bool) for v in values):
            bad = next(v for v in values if not isinstance(v, bool))
            raise ScenarioError(
                f"a task axis takes true (carried) or false (not carried), got {bad!r}",
                f"{where}.values",
                file,
            )
        for j, v in enumerate(values):
            if v in values[:j]:
                raise ScenarioError(f"value {v!r} is listed twice", f"{where}.values", file)
    else:
        raise ScenarioError(
            "expected a list of values or a range {from, to, steps}", f"{where}.values", file
        )
    for v in values:
        try:
            paths.apply(base, {spec.path: v})
        except ScenarioError as exc:
            raise ScenarioError(
                f"value {v!r} refused: {exc.message}", f"{where}.values: {exc.path}", file
            ) from None
    numeric = all(_is_number(v) for v in values)
    label = spec.label or paths.label(base, spec.path)
    return Axis(spec.path, label, values, numeric, interval, integer)


def latin_hypercube(axes: list[Axis], samples: int, seed: int) -> list[dict[str, Any]]:
    """`samples` points, one per stratum of each axis, shuffled independently per axis.

    The generator is `numpy.random.default_rng(seed)` (the sweep's seed), so the
    same sweep file gives the same points; global random state is never used.
    For each axis in order: a permutation of the strata, then one uniform
    within each stratum. A numeric range is sampled continuously between its
    ends; a list picks the value whose share of [0, 1) holds the sample.
    """
    rng = np.random.default_rng(seed)
    u = np.empty((samples, len(axes)))
    for j in range(len(axes)):
        u[:, j] = (rng.permutation(samples) + rng.random(samples)) / samples
    points = []
    for i in range(samples):
        point = {}
        for j, ax in enumerate(axes):
            if ax.interval is not None:
                lo, hi = ax.interval
                point[ax.path] = _clean(lo + u[i, j] * (hi - lo), ax.integer)
            else:
                point[ax.path] = ax.values[min(len(ax.values) - 1, int(u[i, j] * len(ax.values)))]
        points.append(point)
    return points


def grid(axes: list[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values (the first axis varies slowest)."""
    return [
        dict(zip([a.path for a in axes], combo, strict=True))
        for combo in itertools.product(*[a.values for a in axes])
    ]


def _check_size(spec: SweepSpec, file: str) -> None:
    """Refuse a sweep too large to check, before any of its values is validated.

    Each axis has at most MAX_STEPS values; a grid has at most MAX_POINTS
    points, counted with Python integers (a product of many axes overflows a
    fixed-size integer and would slip under the limit).
    """
    counts = []
    for i, a in enumerate(spec.axes):
        raw = a.values
        if isinstance(raw, list):
            n = len(raw)
        elif isinstance(raw, dict) and isinstance(raw.get("steps"), int):
            n = raw["steps"]
        else:
            n = 1  # an ordinal range, or a shape refused when the axis is checked
        if n > MAX_STEPS:
            raise ScenarioError(
                f"an axis has at most {MAX_STEPS} values, got {n:,}", f"axes[{i}].values", file
            )
        counts.append(max(n, 1))
    size = math.prod(counts)
    if spec.design == "grid" and size > MAX_POINTS:
        raise ScenarioError(f"the grid has {size:,} points; at most {MAX_POINTS}", "axes", file)


def _check_runs(
    spec: SweepSpec, points: int, each: int, option: int | None, file: str, flag: str = "--"
) -> None:
    """Refuse, before any point is built or run, a sweep whose points times runs per point
    exceed MAX_TOTAL_RUNS, naming where its runs and its points come from. `flag` is
    how the caller spells a setting: "--" on the command line (--runs, --steps), ""
    from Python (runs, steps)."""
    total = points * each  # Python integers: no overflow
    if total <= MAX_TOTAL_RUNS:
        return
    if option:
        source, where, lower = f"{flag}runs", f"{flag}runs", f"lower {flag}runs"
    elif spec.runs:
        source, where, lower = "the file's runs", "runs", "lower runs"
    else:
        source, where, lower = "the base's run.runs", "base", "set a lower runs"
    what = "samples" if spec.design == "lhs" else "axes"
    fewer = (
        "fewer samples" if spec.design == "lhs" else f"fewer values (or {flag}steps) on its axes"
    )
    raise ScenarioError(
        f"{points:,} points x {each:,} runs each ({source}) = {total:,} runs; a sweep runs "
        f"at most {MAX_TOTAL_RUNS:,}: {lower} or give {fewer}",
        f"{what}, {where}",
        file,
    )


def _not_a_scenario(data: Any, file: str) -> None:
    """Refuse a scenario file given where a sweep file is expected, saying so (rather
    than naming its first field as unknown) and how a sweep uses one."""
    scenario_like = {"extends", "mandate", "states", "vocabulary"} & set(data)
    if scenario_like and "axes" not in data and "base" not in data:
        raise ScenarioError(
            "a scenario file, not a sweep file (a sweep file has 'base' and 'axes'): "
            "run it with 'forcegen run', or name it as a sweep file's 'base'",
            "",
            file,
        )


def load_sweep(
    path: str | Path,
    runs: int | None = None,
    steps: int | None = None,
    samples: int | None = None,
    flag: str = "--",
) -> Sweep:
    """Read and check a sweep file; `runs`, `steps`, `samples` override the file's.
    `flag`: how a refusal spells those settings ("--" for the command line's options,
    "" for the Python API's arguments)."""
    path = Path(path)
    file = str(path)
    data = read_yaml(path)
    _not_a_scenario(data, file)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc, file) from None
    if steps is not None:
        axes = []
        for a in spec.axes:
            if isinstance(a.values, dict) and "steps" in a.values:
                a = a.model_copy(update={"values": {**a.values, "steps": steps}})
            axes.append(a)
        spec = spec.model_copy(update={"axes": axes})
    if samples is not None:
        if not 2 <= samples <= MAX_POINTS:
            raise ScenarioError(
                f"expected 2 to {MAX_POINTS} samples, got {samples}", "samples", file
            )
        spec = spec.model_copy(update={"samples": samples})
    if spec.design == "lhs" and spec.samples is None:
        raise ScenarioError(
            "a Latin hypercube needs 'samples' (the number of points)", "samples", file
        )
    if spec.design == "grid" and spec.samples is not None:
        raise ScenarioError("'samples' applies to design lhs only", "samples", file)
    seen = set()
    for i, a in enumerate(spec.axes):
        if a.path in seen:
            raise ScenarioError(f"path {a.path!r} names two axes", f"axes[{i}].path", file)
        seen.add(a.path)
    _check_size(spec, file)
    base_path = follow(spec.base, path, "base")
    base = load(base_path, named_by=path, field="base")
    try:
        base = override(base, runs=runs or spec.runs, seed=spec.seed)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, "runs", file) from None
    try:
        axes = [_resolve_axis(base, a, i, spec.design, file) for i, a in enumerate(spec.axes)]
    except ScenarioError as exc:
        exc.file = exc.file or file
        raise
    if spec.design == "grid":
        size = math.prod(len(a.values) for a in axes)  # Python ints: no overflow
        if size > MAX_POINTS:
            raise ScenarioError(f"the grid has {size} points; at most {MAX_POINTS}", "axes", file)
        points = grid(axes)
    else:
        points = latin_hypercube(axes, spec.samples, base.run.seed)
    _check_runs(spec, len(points), base.run.runs, runs, file, flag)
    scenarios = []
    for i, point in enumerate(points):
        try:
            scenarios.append(paths.apply(base, point))
        except ScenarioError as exc:
            at = ", ".join(f"{k}={v}" for k, v in point.items())
            raise ScenarioError(f"{exc.message} (point {i}: {at})", exc.path, file) from None
    name = spec.name or default_name(path)
    return Sweep(
        name=name,
        title=spec.title or name.replace("_", " "),
        file=file,
        base_file=str(base_path),
        base=base,
        design=spec.design,
        axes=axes,
        points=points,
        scenarios=scenarios,
    )
