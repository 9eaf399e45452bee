"""The scenarios the page may open: the shipped ones, the teacher's local files,
and nothing else.

A page served beyond this machine must not read files a student names, so the
page opens only the files in its list:

- the scenario files shipped in `scenarios/` (not the sweeps, not the schema,
  not a fragment such as `isf/actors.yaml` that is no scenario by itself),
  listed by their path from the repository root;
- the teacher's local scenario files: the `*.yaml` files in the folder of the
  SCENARIO given to `forcegen serve` (that folder only), and under the working
  folder's `scenarios/` (with its sub-folders, but not `sweeps/` or
  `schema/`), listed by their path from the working folder (or in full when
  outside it). A local file is listed whether or not it is a valid scenario:
  opening an invalid one shows its one-line validation error.

Any other path is refused with one line. The SCENARIO on the teacher's own
command line (a `Path`, from `forcegen serve`) may be any scenario file: it
is validated there, and its folder joins the list. A mandate the teacher sets
on the page is the scenario with those terms changed, built the way sweeps and
`whatif` change a mandate (`sim.explore.paths.apply`); runs and seed stay the
scenario's unless the page changes the runs.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import sim
from sim.scenario.errors import ScenarioError, shown, unknown
from sim.scenario.schema import Scenario
from sim.web.server import SCENARIO_ENV

SKIP = ("sweeps", "schema")
SUFFIXES = (".yaml", ".yml")


def root() -> Path:
    """The folder holding `scenarios/` (the repository, or the working folder)."""
    here = Path(sim.__file__).resolve().parents[1]
    return here if (here / "scenarios").is_dir() else Path.cwd()


@cache
def shipped() -> tuple[str, ...]:
    """Paths ('scenarios/isf/res2803.yaml') of the shipped scenario files, sorted."""
    base = root()
    out = []
    for path in sorted((base / "scenarios").rglob("*.yaml")):
        rel = path.relative_to(base)
        if rel.parts[1] in SKIP:
            continue
        try:
            sim.load(path)
        except ScenarioError:
            continue  # a fragment (actors.yaml), not a scenario
        out.append(rel.as_posix())
    return tuple(out)


def _named(path: Path) -> str:
    """A local file's name in the list: from the working folder, or in full."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _full(name: str) -> Path:
    """The file a listed name stands for."""
    if name in shipped():
        return root() / name
    path = Path(name)
    return path if path.is_absolute() else Path.cwd() / path


def folders() -> list[tuple[Path, bool]]:
    """(folder, with sub-folders) holding the teacher's local scenario files."""
    out = []
    given = os.environ.get(SCENARIO_ENV)
    if given:
        out.append(((Path.cwd() / given).resolve().parent, False))
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        out.append((here.resolve(), True))
    return out


def local() -> tuple[str, ...]:
    """Names of the teacher's local scenario files (outside the shipped folder), sorted."""
    tree = (root() / "scenarios").resolve()
    names: dict[str, None] = {}
    for folder, deep in folders():
        found = folder.rglob("*") if deep else folder.glob("*")
        for path in sorted(found):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            if deep and set(path.relative_to(folder).parts[:-1]) & set(SKIP):
                continue
            full = path.resolve()
            if full.is_relative_to(tree):
                continue  # a shipped file (or fragment): listed as shipped, or not at all
            names[_named(full)] = None
    return tuple(sorted(names))


def listed() -> tuple[str, ...]:
    """Every file the page may open: the shipped scenarios, then the local files."""
    return shipped() + tuple(n for n in local() if n not in shipped())


PATH_SHOWN = 200
"""Characters of a refused path echoed whole: a real path, however deep, is shown as
typed; a pasted page of text is cut (`shown`)."""


def refused(text: str) -> ScenarioError:
    return ScenarioError(
        f"{shown(text, PATH_SHOWN)} is not one of the shipped scenarios or the local scenario files listed: "
        "the page opens only the files in its list"
    )


def given(path: Path) -> str:
    """The SCENARIO on `forcegen serve`'s command line: a listed file, or any valid
    scenario file of the teacher's (validated here: its error is one line)."""
    text = str(path)
    try:
        name = resolve(text)
    except ScenarioError:
        if path.suffix not in SUFFIXES or not path.is_file():
            raise refused(text) from None
        name = _named(path.resolve())
    sim.load(_full(name))  # an invalid file stops `serve` with its one-line error
    return name


def resolve(raw: str | Path) -> str:
    """The listed name a path stands for; ScenarioError when it is not in the list.

    A `Path` is the teacher's own command line (`forcegen serve SCENARIO`, see
    `given`); the page passes what a browser sent as text, which must be listed."""
    if isinstance(raw, Path):
        return given(raw)
    text = str(raw).strip()
    names = listed()
    if text in names:
        return text
    try:
        target = (Path.cwd() / text).resolve()
        by_file = {_full(n).resolve(): n for n in names}
    except (OSError, ValueError):
        raise refused(text) from None
    if target in by_file:
        return by_file[target]
    raise refused(text)


def is_local(name: str) -> bool:
    """Whether a listed name is one of the teacher's local files (not shipped)."""
    return name not in shipped()


@cache
def _load_shipped(rel: str) -> Scenario:
    return sim.load(root() / rel)


@cache
def _load_local(path: str, mtime: float) -> Scenario:
    return sim.load(Path(path))


def load(rel: str) -> Scenario:
    """A listed scenario, loaded (a shipped one once per process, a local one again
    when the file changes); ScenarioError (one line) for an invalid local file."""
    name = resolve(rel)
    if name in shipped():
        return _load_shipped(name)
    path = _full(name)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ScenarioError(f"{name}: cannot be read ({exc.strerror})") from None
    return _load_local(str(path), mtime)


def widgets(sc: Scenario) -> list[tuple[str, str, str, list, Any]]:
    """(term, label, kind, levels, value) for every mandate term, in vocabulary order."""
    out = []
    for term, spec in sc.vocabulary.items():
        label = spec.label or term.replace("_", " ").capitalize()
        value = sc.mandate[term]
        levels = list(spec.levels or [])
        out.append(
            (term, label, spec.kind, levels, list(value) if spec.kind == "task_set" else value)
        )
    return out


def variant(sc: Scenario, values: dict[str, Any]) -> Scenario:
    """The scenario with the mandate terms in `values` set (unchanged terms left as they are)."""
    from sim.explore.paths import apply

    changed = {}
    for term, value in values.items():
        spec = sc.vocabulary[term]
        if spec.kind == "task_set":
            value = _tasks(term, value, spec.levels)
        if value != sc.mandate[term]:
            changed[f"mandate.{term}"] = value
    return apply(sc, changed) if changed else sc


def _tasks(term: str, value: Any, levels: list[str]) -> list[str]:
    """A task set as the vocabulary orders it; ScenarioError for a value that is not a
    list of text or names a task the vocabulary does not have (dropping it would run
    another mandate than the one asked for)."""
    if not isinstance(value, list | tuple | set) or not all(isinstance(t, str) for t in value):
        raise ScenarioError(f"expected a list of tasks, got {shown(value)}", f"mandate.{term}")
    for t in value:
        if t not in levels:
            raise unknown("task", t, levels, f"mandate.{term}")
    return [t for t in levels if t in set(value)]


def changes_text(sc: Scenario, values: dict[str, Any]) -> str:
    """The terms set otherwise than the file sets them, in words ('as the file sets it')."""
    parts = []
    for term, label, kind, _levels, base in widgets(sc):
        value = values.get(term, base)
        if kind == "task_set":
            added = [t for t in value if t not in base]
            dropped = [t for t in base if t not in value]
            parts += [f"+{t}" for t in added] + [f"−{t}" for t in dropped]
        elif kind == "number":
            if abs(float(value) - float(base)) > 1e-12:
                parts.append(f"{label} {float(value):.2f}")
        elif value != base:
            parts.append(f"{label}: {str(value).lower() if isinstance(value, bool) else value}")
    return "; ".join(parts) or "the mandate as the file sets it"
