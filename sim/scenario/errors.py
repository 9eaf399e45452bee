"""One-line scenario errors: the file, the field path, what was expected, a hint."""

from __future__ import annotations

import difflib
import re
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
        text = f"{where}: {self.message}" if where else self.message
        text = " ".join(text.splitlines())  # one line, whatever a file name holds
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)  # ESC shown as \x1b


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters, shown escaped in a message (a key or file name may hold one)."""


SHOWN = 60
"""Characters of a value echoed in a message; a longer value is cut."""


def shown(value: object, limit: int = SHOWN) -> str:
    """`repr(value)`, cut to `limit` characters so a message stays one short line."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    if isinstance(value, dict | list | tuple) and len(value) > 20:
        return f"a {type(value).__name__} of {len(value):,} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        # Python refuses to print an integer of more than 4,300 digits (ValueError)
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


def suggest(name: str, known: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint for a misspelt name, or '' when none is close."""
    known = [str(k) for k in known]
    if len(str(name)) > 2 * SHOWN or len(known) > 10_000:
        return ""  # nothing long is a misspelling; difflib on it would be slow
    match = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    if not match:  # a typo in another case: 'pakk' for 'PAK'
        folded = {k.casefold(): k for k in known}
        close = difflib.get_close_matches(str(name).casefold(), list(folded), n=1, cutoff=0.6)
        match = [folded[close[0]]] if close else []
    return f" (did you mean {match[0]!r}?)" if match else ""


def unknown(kind: str, name: str, known: Iterable[str], path: str) -> ScenarioError:
    """The error for a name that refers to nothing declared."""
    known = list(known)
    hint = suggest(name, known)
    if not hint:
        listed = ", ".join(sorted(map(str, known))[:12])
        hint = f"; expected one of: {listed}" if listed else ""
    return ScenarioError(f"unknown {kind} {shown(name)}{hint}", path)


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
