"""Loading a scenario file: safe YAML, `extends` with deep merge, validation.

Every failure becomes a one-line ScenarioError naming the file and the field
path, so the command line can print it and exit 2 without a traceback.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import re
import stat
import threading
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from sim.scenario.errors import ScenarioError, shown, suggest, unknown
from sim.scenario.references import check_references
from sim.scenario.schema import MAX_ID, Scenario

TASK_OPS = ("add", "remove")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C when libyaml is available (same behaviour, faster)."""

MAX_FILE_BYTES = 1 << 20
"""A scenario or sweep file is at most 1 MiB."""
MAX_DEPTH = 40
"""Nesting of mappings and lists in one file (a scenario needs fewer than 10)."""
MAX_NODES = 200_000
"""Values in one file, counting each use of an alias as a full copy."""
MAX_ALIASES = 1_000
"""Uses of YAML aliases (`*name`) in one file."""
MAX_CHAIN = 16
"""Files in one line of `extends` (a file, its parent, its parent's parent...)."""
MAX_FILES = 64
"""Distinct files one scenario may read through `extends`."""
SUFFIXES = (".yaml", ".yml")
MERGE_TAG = "tag:yaml.org,2002:merge"


class _RefusedError(Exception):
    """A YAML document refused while it is read (duplicate key, bad key)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing duplicate and unhashable keys.

    Parsing stays in C (libyaml) when available; only building the Python
    objects runs here, as it does in PyYAML's own safe loader.
    """

    echo_keys = True

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        if not isinstance(node, MappingNode):
            return super().construct_mapping(node, deep=deep)
        explicit = sum(1 for k, _ in node.value if k.tag != MERGE_TAG)
        self.flatten_mapping(node)
        first = len(node.value) - explicit  # pairs before it come from `<<` merges
        mapping: dict = {}
        lines: dict = {}
        for i, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                what = "mapping" if isinstance(key_node, MappingNode) else "list"
                raise _RefusedError(line, f"a key must be a name, not a {what}")
            key = self.construct_object(key_node, deep=deep)
            if i >= first and key in lines:
                name = f" {shown(key)}" if self.echo_keys else ""
                raise _RefusedError(line, f"duplicate key{name} (first at line {lines[key]})")
            if i >= first:
                lines[key] = line
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


# YAML 1.1 reads `1e9` and `1.0e9` as text (its exponent needs a dot and a
# sign); read them as numbers, as YAML 1.2 does.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_nodes(root: Any) -> None:
    """Bound depth, aliases and size (aliases counted as copies), iteratively."""
    seen: set[int] = set()
    aliases = count = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        count += 1
        if count > MAX_NODES:
            raise _RefusedError(
                line,
                f"the document holds more than {MAX_NODES:,} values (aliases counted as copies)",
            )
        if depth > MAX_DEPTH:
            raise _RefusedError(line, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ScalarNode):
            continue
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _RefusedError(line, f"more than {MAX_ALIASES:,} uses of YAML aliases")
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((v, depth + 1) for v in node.value)


def read_text(path: Path, what: str = "file") -> str:
    """The text of a regular file of at most MAX_FILE_BYTES, without blocking.

    Devices, FIFOs and folders are refused before they are opened, and the file
    is opened non-blocking and checked again, so nothing can hang the read.
    """
    file = str(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise ScenarioError(f"{what} not found", file=file) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read {what} ({exc.__class__.__name__})", file=file) from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"not a regular file; a {what} must be one", file=file)
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"the file is {info.st_size:,} bytes; a {what} is at most {MAX_FILE_BYTES:,}",
            file=file,
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ScenarioError(f"not a regular file; a {what} must be one", file=file)
            with os.fdopen(fd, "rb", closefd=False) as fh:
                blob = fh.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} ({exc.__class__.__name__})", file=file) from None
    if len(blob) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is over {MAX_FILE_BYTES:,} bytes", file=file)
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"cannot read {what} (not UTF-8 text)", file=file) from None


PARSED = 32
"""Files whose parse a process keeps (`read_yaml`)."""


def read_yaml(path: Path, what: str = "file", echo: bool = True) -> dict:
    """Read one YAML mapping safely and within bounds.

    Object-constructing tags, duplicate keys, keys that are mappings or lists,
    deep nesting and alias bombs are refused with the line they are on. With
    `echo=False` (a file reached through `extends`, maybe not a scenario at
    all) no key of the file is quoted in a message.

    The file is read every time, but a text is parsed once per process: every
    scenario that `extends` the flagship reads its actors (82 KB, 14 ms to parse)
    from the first parse, as do a test run's and a page's later loads, and a file
    that changes is parsed again whatever its size and time say. Each call gets
    its own copy; a refusal is not kept (each reader is told in its own words).
    """
    text = read_text(path, what)
    key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    data = _PARSED.get(key)
    if data is None:
        data = _parse(text, str(path), echo)
        with _KEEPING:
            while len(_PARSED) >= PARSED:
                _PARSED.pop(next(iter(_PARSED)))  # the oldest
            _PARSED[key] = data
    return copy.deepcopy(data)  # kept, never handed out: 0.9 ms for the flagship's actors


_PARSED: dict[bytes, dict] = {}
"""Parses kept by `read_yaml`, by a digest of the text."""
_KEEPING = threading.Lock()


def _parse(text: str, file: str, echo: bool) -> dict:
    """`read_yaml`'s work: check and build a text's mapping (`file` names it in a
    message)."""
    loader = _Loader(text)
    loader.echo_keys = echo
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node)
        data = loader.construct_document(node) if node is not None else None
    except _RefusedError as exc:
        raise ScenarioError(f"line {exc.line}: {exc.message}", file=file) from None
    except yaml.constructor.ConstructorError as exc:
        tag = getattr(exc, "problem", "") or "unsupported tag"
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ScenarioError(
            f"line {line}: YAML tags that construct objects are not allowed ({tag})",
            file=file,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ScenarioError(f"{where}{problem}", file=file) from None
    except (RecursionError, ValueError, OverflowError) as exc:
        raise ScenarioError(f"not valid YAML ({exc.__class__.__name__})", file=file) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError("expected a mapping of fields at the top level", file=file)
    return data


def _kind_of(path: str) -> str:
    """What the items of the list at `path` are, for a message."""
    last = path.rsplit(".", 1)[-1]
    if path.startswith("mandate.") or path.endswith(".change." + last):
        return "task"
    return {"counts": "contribution kind", "blocs": "bloc", "follows": "bloc"}.get(last, "item")


def _edit(base: list | None, over: dict, path: str) -> list:
    """Apply `{add: [...], remove: [...]}` to a list; every removed name must be there."""
    for op in TASK_OPS:
        items = over.get(op)
        if items is not None and not isinstance(items, list):
            raise ScenarioError(f"expected a list of names, got {shown(items)}", f"{path}.{op}")
    remove = over.get("remove") or []
    for i, item in enumerate(remove):
        if base is None:
            raise ScenarioError(
                f"cannot remove {shown(item)}: the list is not set in the files this extends",
                f"{path}.remove[{i}]",
            )
        if item not in base:
            raise unknown(_kind_of(path), item, [str(x) for x in base], f"{path}.remove[{i}]")
    out = [x for x in base or [] if x not in remove]
    out += [x for x in (over.get("add") or []) if x not in out]
    return out


def _is_edit(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= set(TASK_OPS)


def merge(base: Any, over: Any, path: str = "") -> Any:
    """Deep-merge `over` onto `base`: mappings merge, `null` deletes a key,
    a `{add: [...], remove: [...]}` mapping edits a list, anything else replaces.

    A name in `remove` that the list does not hold is refused (a misspelt name
    is never silently ignored)."""
    if _is_edit(over) and isinstance(base, list):
        return _edit(base, over, path)
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            where = f"{path}.{key}" if path else str(key)
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value, where)
            else:
                out[key] = _strip_ops(value, where)
        return out
    return _strip_ops(over, path)


def _strip_ops(value: Any, path: str = "") -> Any:
    """An `{add: [...]}` edit with nothing beneath it becomes the plain list."""
    if _is_edit(value):
        return _edit(None, value, path)
    if isinstance(value, dict):
        return {
            k: _strip_ops(v, f"{path}.{k}" if path else str(k))
            for k, v in value.items()
            if v is not None
        }
    return value


SCENARIO_KEYS = frozenset([f.alias or n for n, f in Scenario.model_fields.items()] + ["extends"])
NEEDS = (("states", "name", "state"), ("veto_players", "name", "veto player"))
NEEDS += (("hosts", "name", "host"), ("kinds", "label", "contribution kind"))
"""Mappings of actors or kinds whose new entries need a field: a key that is new
in a variant and lacks it is most likely a misspelt existing one."""


def follow(name: Any, from_file: Path, field: str = "extends") -> Path:
    """The path a file names in `extends` (or a sweep's `base`), checked.

    Relative paths are taken from the naming file's folder. Only a regular file
    ending in .yaml or .yml is followed; its content is checked when read.
    """
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(
            f"expected a file name or a list of them, got {shown(name)}", field, str(from_file)
        )
    target = from_file.parent / name
    if target.suffix.lower() not in SUFFIXES:
        raise ScenarioError(
            f"{shown(name)} is not a scenario file; expected a .yaml or .yml file",
            field,
            str(from_file),
        )
    try:
        info = os.stat(target)
    except (OSError, ValueError):
        what = "extends a missing file" if field.startswith("extends") else "file not found:"
        if field == "base":
            what = "base scenario file not found:"
        raise ScenarioError(f"{what} {shown(name)}", field, str(from_file)) from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{shown(name)} is not a regular file", field, str(from_file))
    return target


def _scenario_mapping(data: dict, path: Path, named_by: Path, field: str) -> None:
    """Refuse a followed file that is not a scenario, without quoting its content."""
    keys = list(data)
    if keys and all(isinstance(k, str) and k in SCENARIO_KEYS for k in keys):
        return
    # A scenario with one misspelt top-level key gets the usual hint; anything
    # else is not a scenario, and none of its content is shown.
    strange = [k for k in keys if not (isinstance(k, str) and k in SCENARIO_KEYS)]
    if len(strange) == 1 and len(keys) > 1 and isinstance(strange[0], str):
        hint = suggest(strange[0], SCENARIO_KEYS)
        if hint:
            raise ScenarioError(f"unknown field {shown(strange[0])}{hint}", strange[0], str(path))
    raise ScenarioError(
        f"{shown(str(path.name))} is not a scenario file (its top-level keys are not "
        "scenario fields)",
        field,
        str(named_by),
    )


SWEEP_KEYS = frozenset({"base", "axes"})
"""The fields only a sweep file has (`sim.explore.sweep_file`)."""


def _not_a_sweep(data: dict, path: Path) -> None:
    """Refuse a sweep file given where a scenario file is expected, saying so (rather than
    listing the scenario fields it lacks) and which command reads it."""
    if set(data) >= SWEEP_KEYS:
        raise ScenarioError(
            "a sweep file (it has 'base' and 'axes'), not a scenario file: "
            "run it with 'forcegen sweep'",
            "",
            str(path),
        )


class _Resolver:
    """One `load`: follows `extends`, reads each file once, bounds the chain."""

    def __init__(self) -> None:
        self.cache: dict[str, dict] = {}

    def resolve(
        self,
        path: Path,
        chain: tuple[str, ...] = (),
        named_by: Path | None = None,
        field: str = "extends",
    ) -> dict:
        key = os.path.realpath(path)
        if key in chain:
            raise ScenarioError("'extends' forms a cycle", "extends", str(path))
        if len(chain) >= MAX_CHAIN:
            raise ScenarioError(
                f"a chain of more than {MAX_CHAIN} files through 'extends'", "extends", str(path)
            )
        if key in self.cache:
            return self.cache[key]
        if len(self.cache) >= MAX_FILES:
            raise ScenarioError(
                f"more than {MAX_FILES} files through 'extends'", "extends", str(path)
            )
        self.cache[key] = {}  # counted now; filled below
        if named_by is None:
            data = read_yaml(path, "scenario file")
            _not_a_sweep(data, path)
        else:
            data = read_yaml(path, "scenario file", echo=False)
            _scenario_mapping(data, path, named_by, field)
        data = dict(data)
        parents = data.pop("extends", None)
        if parents is not None:
            if isinstance(parents, str):
                parents = [parents]
            if not isinstance(parents, list) or not parents:
                raise ScenarioError(
                    f"expected a file name or a list of them, got {shown(parents)}",
                    "extends",
                    str(path),
                )
            merged: dict = {}
            for i, parent in enumerate(parents):
                where = "extends" if len(parents) == 1 else f"extends[{i}]"
                parent_path = follow(parent, path, where)
                parent_data = self.resolve(parent_path, (*chain, key), path, where)
                parent_data = {k: v for k, v in parent_data.items() if k != "name"}
                merged = merge(merged, parent_data)
            try:
                _check_new_entries(merged, data)
                data = merge(merged, data)
            except ScenarioError as exc:
                exc.file = exc.file or str(path)
                raise
        self.cache[key] = data
        return data


def _check_new_entries(parents: dict, child: dict) -> None:
    """A state (veto player, host, kind) new in a variant needs its name (label):
    without it, the key is most likely a misspelt existing one."""
    for section, needed, kind in NEEDS:
        old, new = parents.get(section), child.get(section)
        if not isinstance(old, dict) or not isinstance(new, dict):
            continue
        for key, value in new.items():
            if key in old or value is None or (isinstance(value, dict) and needed in value):
                continue
            err = unknown(kind, key, old, f"{section}.{key}")
            err.message += f"; a new {kind} needs a {needed}"
            raise err


def resolve(path: Path) -> dict:
    """The raw mapping of a file with its `extends` chain merged in."""
    return _Resolver().resolve(Path(path))


def default_name(path: Path) -> str:
    """A results-folder name from a file name: `My Scenario (v2).yaml` -> `my_scenario_v2`."""
    slug = re.sub(r"[^a-z0-9_-]+", "_", path.stem.lower()).strip("_-")
    if not slug:
        raise ScenarioError(
            f"the file name {shown(path.name)} cannot be a scenario name; add `name:` "
            "(lowercase letters, digits, _ and -)",
            "name",
            str(path),
        )
    return slug[:MAX_ID].rstrip("_-")


def load(path: str | Path, named_by: Path | None = None, field: str = "extends") -> Scenario:
    """Load, merge and validate a scenario; raise ScenarioError on bad input.

    `named_by` is the file that names this one (a sweep's `base`): then the file
    must be a scenario file, and nothing of it is quoted if it is not one.
    """
    path = Path(path)
    data = _Resolver().resolve(path, named_by=named_by, field=field)
    data = dict(data)
    if "name" not in data:
        data["name"] = default_name(path)
    return validate(data, str(path))


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters (C0, DEL, C1): printed raw, they move the cursor, clear the
screen or break a report's heading."""
LINE_BREAKS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than a tab and a line break."""
FREE_TEXT = frozenset({"description", "note", "judgement", "quote", "paraphrase"})
"""Fields of prose, which may run over several lines; any other text is one line."""


def check_text(data: Any, path: str = "", prose: bool = False) -> None:
    """Refuse a control character in any text of a raw mapping: a name, key, label or
    title holds none, prose (`FREE_TEXT`) only tabs and line breaks."""
    stack = [(data, path, prose)]
    while stack:
        node, where, free = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and CONTROL.search(key):
                    raise ScenarioError(_control(key, CONTROL, "a name"), _dotted((where,)))
                stack.append((value, here, free or key in FREE_TEXT))
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", free) for i, v in enumerate(node))
        elif isinstance(node, str):
            pattern = LINE_BREAKS if free else CONTROL
            if pattern.search(node):
                what = "prose" if free else "one line of text"
                raise ScenarioError(_control(node, pattern, what), where)


def _control(text: str, pattern: re.Pattern, what: str) -> str:
    found = pattern.search(text)
    assert found is not None
    allowed = " other than a tab or a line break" if pattern is LINE_BREAKS else ""
    return (
        f"expected {what} without control characters{allowed}, got {shown(text)} "
        f"(U+{ord(found.group()):04X} at character {found.start() + 1})"
    )


def validate(data: dict, file: str = "") -> Scenario:
    """Validate a raw mapping (already merged) into a Scenario."""
    try:
        check_text(data)
    except ScenarioError as exc:
        exc.file = file
        raise
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, file) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:  # pragma: no cover
        raise ScenarioError(
            f"cannot be read as a scenario ({exc.__class__.__name__})", "", file
        ) from None
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
            text = str(part)
            text = text if len(text) <= MAX_ID else shown(text, 20)
            out += ("." if out else "") + text
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
    is_key = "[key]" in loc
    loc = tuple(p for p in loc if p != "[key]")
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
    if is_key and err["type"] == "string_too_long":
        return ScenarioError(
            f"a name is at most {MAX_ID} characters, got {len(value):,}", path, file
        )
    if is_key:
        return ScenarioError(f"a name must be text, got {shown(value)}", path, file)
    if err["type"] == "string_too_long" and isinstance(value, str):
        limit = err.get("ctx", {}).get("max_length")
        return ScenarioError(f"expected at most {limit} characters, got {len(value):,}", path, file)
    if err["type"] == "too_long" and isinstance(value, dict | list):
        limit = err.get("ctx", {}).get("max_length")
        return ScenarioError(f"expected at most {limit} items, got {len(value):,}", path, file)
    if isinstance(value, datetime.date) and err["type"] == "string_type":
        return ScenarioError(f"expected text; quote the date ('{value}')", path, file)
    if err["type"] == "literal_error" and isinstance(value, str):
        expected = err.get("ctx", {}).get("expected", "")
        names = [s.strip().strip("'") for s in expected.replace(" or ", ",").split(",")]
        msg = f"unexpected value {shown(value)}{suggest(value, names)}; expected {expected}"
    elif isinstance(value, dict | list) and err["type"].endswith("_type") and "got" not in msg:
        msg = f"{msg}, got {'a mapping' if isinstance(value, dict) else 'a list'}"
    elif not isinstance(value, dict | list) and value is not None and "got" not in msg:
        msg = f"{msg}, got {shown(value)}"
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


def scenario_hash(sc: Scenario, settings: bool = True) -> str:
    """sha256 of the resolved scenario, canonical JSON: equal scenarios, equal hash.

    With `settings=False`, the run count and seed are left out: the hash of
    what is modelled, so a folder can say whether only those changed.
    """
    data = sc.model_dump(mode="json", by_alias=True)
    if not settings:
        data["run"] = {k: v for k, v in data["run"].items() if k not in ("runs", "seed")}
    blob = json.dumps(data, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def override(sc: Scenario, **run: Any) -> Scenario:
    """A copy with run settings (runs, seed, rounds) replaced and re-validated."""
    data = sc.model_dump(mode="python", by_alias=True)
    data["run"].update({k: v for k, v in run.items() if v is not None})
    return validate(data)


def load_all(files: list[Path], runs: int | None = None) -> list[Scenario]:
    """Load every scenario (run count overridden if given); refuse two with one name
    (`forcegen compare`: their results folders would collide)."""
    out: list[Scenario] = []
    for f in files:
        sc = load(f)
        if runs is not None:
            try:
                sc = override(sc, runs=runs)
            except ScenarioError as exc:
                exc.file = str(f)
                raise
        for other, of in zip(out, files, strict=False):
            if other.name == sc.name:
                raise ScenarioError(
                    f"two scenarios are named {sc.name!r} (also {of}); give one a distinct "
                    "'name:' so their results folders do not collide",
                    "name",
                    str(f),
                )
        out.append(sc)
    return out
