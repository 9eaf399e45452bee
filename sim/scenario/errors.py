"""One-line scenario errors: the file, the field path, what was expected, a hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ScenarioError(Exception):
    """Bad input: rendered as one line naming the file and the field path."""

    def __init__(self, message: str, path: str = "", file: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.file = file

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.path) if p)
        return f"{where}: {self.message}" if where else self.message


def suggest(name: str, known: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint for a misspelt name, or '' when none is close."""
    known = [str(k) for k in known]
    match = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    if not match:
        lowered = {k.lower(): k for k in known}
        if str(name).lower() in lowered:
            match = [lowered[str(name).lower()]]
    return f" (did you mean {match[0]!r}?)" if match else ""


def unknown(kind: str, name: str, known: Iterable[str], path: str) -> ScenarioError:
    """The error for a name that refers to nothing declared."""
    known = list(known)
    hint = suggest(name, known)
    if not hint:
        shown = ", ".join(sorted(map(str, known))[:12])
        hint = f"; expected one of: {shown}" if shown else ""
    return ScenarioError(f"unknown {kind} {name!r}{hint}", path)


def resolve_name(kind: str, text: str, known: Iterable[str], path: str) -> str:
    """The declared name that `text` means, matched case-insensitively.

    Used wherever a user names something on the command line or in a file
    (`--state pak`, `--as idn`): an exact or case-only match resolves, anything
    else is refused with the did-you-mean hint.
    """
    known = [str(k) for k in known]
    if text in known:
        return text
    folded = [k for k in known if k.casefold() == str(text).casefold()]
    if len(folded) == 1:
        return folded[0]
    raise unknown(kind, text, known, path)
