"""Loading a scenario file: safe YAML, `extends` with deep merge, validation.

Every failure becomes a one-line ScenarioError naming the file and the field
path, so the command line can print it and exit 2 without a traceback.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.errors import ScenarioError, suggest
from sim.scenario.references import check_references
from sim.scenario.schema import Scenario

TASK_OPS = ("add", "remove")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C when libyaml is available (same behaviour, faster)."""


def read_yaml(path: Path) -> dict:
    """Read one YAML mapping safely; object-constructing tags are refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            f"cannot read file ({exc.__class__.__name__})", file=str(path)
        ) from None
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.constructor.ConstructorError as exc:
        tag = getattr(exc, "problem", "") or "unsupported tag"
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ScenarioError(
            f"line {line}: YAML tags that construct objects are not allowed ({tag})",
            file=str(path),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ScenarioError(f"{where}{problem}", file=str(path)) from None
    if not isinstance(data, dict):
        raise ScenarioError("expected a mapping of fields at the top level", file=str(path))
    return data


def merge(base: Any, over: Any) -> Any:
    """Deep-merge `over` onto `base`: mappings merge, `null` deletes a key,
    a `{add: [...], remove: [...]}` mapping edits a list, anything else replaces."""
    if isinstance(over, dict) and isinstance(base, list) and over and set(over) <= set(TASK_OPS):
        out = [x for x in base if x not in (over.get("remove") or [])]
        out += [x for x in (over.get("add") or []) if x not in out]
        return out
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = _strip_ops(value)
        return out
    return _strip_ops(over)


def _strip_ops(value: Any) -> Any:
    """An `{add: [...]}` edit with nothing beneath it becomes the plain list."""
    if isinstance(value, dict) and value and set(value) <= set(TASK_OPS):
        return list(value.get("add") or [])
    if isinstance(value, dict):
        return {k: _strip_ops(v) for k, v in value.items() if v is not None}
    return value


def resolve(path: Path, _seen: tuple[Path, ...] = ()) -> dict:
    """The raw mapping of a file with its `extends` chain merged in."""
    key = path.resolve() if path.exists() else path
    if key in _seen:
        raise ScenarioError("'extends' forms a cycle", "extends", str(path))
    data = read_yaml(path)
    parents = data.pop("extends", None)
    if parents is None:
        return data
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ScenarioError("expected a file name or a list of them", "extends", str(path))
    merged: dict = {}
    for parent in parents:
        parent_path = path.parent / parent
        if not parent_path.exists():
            raise ScenarioError(f"extends a missing file {parent!r}", "extends", str(path))
        parent_data = resolve(parent_path, (*_seen, key))
        parent_data.pop("name", None)
        merged = merge(merged, parent_data)
    return merge(merged, data)


def load(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario; raise ScenarioError on bad input."""
    path = Path(path)
    data = resolve(path)
    data.setdefault("name", path.stem.replace(".", "_").lower())
    return validate(data, str(path))


def validate(data: dict, file: str = "") -> Scenario:
    """Validate a raw mapping (already merged) into a Scenario."""
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, file) from None
    try:
        check_references(sc)
    except ScenarioError as exc:
        exc.file = file
        raise
    return sc


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def one_line(
    exc: ValidationError, file: str, root: type[BaseModel] = Scenario, prefer_unknown: bool = False
) -> ScenarioError:
    """A pydantic error as one line, with a hint for a misspelt key or value.

    `root` is the model that was validated (a scenario, a sweep file...), so the
    hint can list the field names allowed where the unknown key stands.
    """
    errors = exc.errors()
    err = errors[0]
    if prefer_unknown:
        err = next((e for e in errors if e["type"] == "extra_forbidden"), err)
    loc = tuple(p for p in err["loc"] if not _is_wrapper(p))
    path = _dotted(loc)
    if err["type"] == "extra_forbidden":
        known = _fields_at(loc[:-1], root)
        hint = suggest(loc[-1], known)
        if not hint and known:
            hint = f"; expected one of: {', '.join(sorted(known))}"
        return ScenarioError(f"unknown field {loc[-1]!r}{hint}", path, file)
    if err["type"] == "missing":
        return ScenarioError("missing required field", path, file)
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    if err["type"] == "literal_error" and isinstance(value, str):
        expected = err.get("ctx", {}).get("expected", "")
        names = [s.strip().strip("'") for s in expected.replace(" or ", ",").split(",")]
        msg = f"unexpected value {value!r}{suggest(value, names)}; expected {expected}"
    elif not isinstance(value, dict | list) and value is not None and "got" not in msg:
        msg = f"{msg}, got {value!r}"
    return ScenarioError(msg, path, file)


def _is_wrapper(part: Any) -> bool:
    """Pydantic adds union branch names to locations; they are not field names."""
    return isinstance(part, str) and (
        part.startswith(("function-", "tuple[", "list[", "dict[")) or part in ("float", "int")
    )


def _fields_at(loc: tuple, root: type[BaseModel] = Scenario) -> list[str]:
    """The field names the schema allows at a location (for did-you-mean hints)."""
    cls: Any = root
    for part in loc:
        cls = _inner(cls, part)
        if cls is None:
            return []
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [f.alias or n for n, f in cls.model_fields.items()]
    return []


def _inner(cls: Any, part: Any) -> Any:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        fields = {f.alias or n: f for n, f in cls.model_fields.items()}
        return _unwrap(fields[part].annotation) if part in fields else None
    origin = typing.get_origin(cls)
    if origin in (list, dict):
        return _unwrap(typing.get_args(cls)[-1])
    return None


def _unwrap(ann: Any) -> Any:
    """Strip Optional and Annotated so a field's model class can be walked into."""
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(ann)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else ann
    return ann


def scenario_hash(sc: Scenario) -> str:
    """sha256 of the resolved scenario, canonical JSON: equal scenarios, equal hash."""
    blob = json.dumps(sc.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def override(sc: Scenario, **run: Any) -> Scenario:
    """A copy with run settings (runs, seed, rounds) replaced and re-validated."""
    data = sc.model_dump(mode="python", by_alias=True)
    data["run"].update({k: v for k, v in run.items() if v is not None})
    return validate(data)
