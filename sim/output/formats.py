"""Which chart files a command writes (`--formats`): PNG by default, SVG on request.

Kept apart from `sim.charts.style` (which loads matplotlib) so the command line
can check the option before anything heavy is imported. Commands set the
formats once around their work (`formats`); `sim.charts.style.save` writes
what `current_formats()` says, and `sim.charts.draw_all` hands it to worker
processes with each chart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar

FORMATS: tuple[str, ...] = ("png", "svg")
"""The file formats a chart can be written in, in writing order."""
DEFAULT_FORMATS: tuple[str, ...] = ("png",)
"""What every command writes unless asked otherwise."""
NONE = "none"
"""`--formats none`: no chart files (the reports say the charts were not drawn)."""

NOT_DRAWN = "Charts were not drawn (`--formats none`): this folder holds no chart files."
"""The line a page carries instead of its charts when no chart file was written."""

_formats: ContextVar[tuple[str, ...]] = ContextVar("formats", default=DEFAULT_FORMATS)


def current_formats() -> tuple[str, ...]:
    """The formats charts are written in here; () writes no chart files."""
    return _formats.get()


@contextlib.contextmanager
def formats(names: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """Write charts in these formats inside the block (png, svg; none: no files)."""
    chosen = tuple(f for f in FORMATS if f in names)
    token = _formats.set(chosen)
    try:
        yield chosen
    finally:
        _formats.reset(token)


def parse(text: str, option: str = "--formats") -> tuple[str, ...]:
    """'png', 'svg', 'png,svg' (any order) or 'none' as formats; raise ValueError
    with a one-line message (naming `option`, and the likely name of a misspelling),
    also for a format given twice ('png,png')."""
    from sim.scenario.errors import shown, suggest

    if not isinstance(text, str):  # None is not 'none': no charts only when asked for
        raise ValueError(
            f"{option}: expected png, svg, both as 'png,svg', or 'none', got {shown(text)}"
        )
    parts = [p.strip().lower() for p in text.split(",")]
    if parts == [NONE]:
        return ()
    twice = next((p for i, p in enumerate(parts) if p and p in parts[:i]), None)
    if twice is not None:  # 'png,png': a slip, not a request for something else
        raise ValueError(
            f"{option}: expected png, svg, both as 'png,svg', or 'none', each once, "
            f"got {shown(text)}: {shown(twice)} is given twice"
        )
    for part in parts:
        if part not in FORMATS:
            many = len(parts) > 1
            if part == NONE:
                which, hint = ": 'none' cannot be combined with a format", ""
            else:
                which = f": {part!r} is not a chart format" if many else ""
                hint = suggest(part, FORMATS if many else (*FORMATS, NONE)) if part else ""
            if ";" in part or " " in part.strip():
                hint = " (separate formats with a comma: 'png,svg')"
            raise ValueError(
                f"{option}: expected png, svg, both as 'png,svg', or 'none', "
                f"got {text!r}{which}{hint}"
            )
    return tuple(f for f in FORMATS if f in parts)


def link(files: Mapping[str, str]) -> str | None:
    """The file a page embeds for a chart: its PNG if written, else its SVG, else None."""
    return next((files[f] for f in FORMATS if files.get(f)), None)
