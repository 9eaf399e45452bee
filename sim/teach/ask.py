"""Asking a seat: plain prompts that take a number, a name or its first letters.

A wrong answer is asked again with the valid choices shown. End of input (or
Ctrl-D / Ctrl-C at a prompt) raises `InputEndedError`, which ends the game.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import typer
from rich.console import Console

from sim import interrupt
from sim.scenario.errors import shown
from sim.teach.options import valid_amount

NUMBER_DIGITS = 6
"""The longest number an answer picks an option by (no list is that long)."""


class InputEndedError(Exception):
    """Standard input ended (or the player interrupted): stop the game cleanly."""


@dataclass
class Asker:
    """Questions on a console, answered through `prompt` (`typer.prompt` by default)."""

    console: Console
    prompt: Callable[..., str] = typer.prompt

    def ask(self, question: str, default: str) -> str:
        """One answer, the default when left blank."""
        try:
            return str(self.prompt(question, default=default, show_default=True))
        except (typer.Abort, EOFError, KeyboardInterrupt):
            interrupt.handled()  # a Ctrl-C here ends the game; its transcript is saved
            raise InputEndedError from None

    def choose(
        self, question: str, options: list[str], default: str, labels: dict | None = None
    ) -> str:
        """One of `options`, listed (with their labels, one a line, if given)."""
        out = self.console
        if labels:
            out.print(f"{question}:", highlight=False, markup=False, style="dim")
            for n, o in enumerate(options, 1):
                text = f"  {n} {o}" + (f": {labels[o]}" if o in labels else "")
                out.print(text, highlight=False, markup=False, style="dim")
        else:
            listed = ", ".join(f"{n} {o}" for n, o in enumerate(options, 1))
            out.print(f"{question}: {listed}", highlight=False, markup=False, style="dim")
        while True:
            raw = self.ask(question, default)
            got = resolve(raw, options)
            if got is not None:
                return got
            out.print(
                f"  {shown(raw.strip())} is not a valid answer. Choose one of: "
                + ", ".join(options)
                + f" (or its number, 1–{len(options)}).",
                highlight=False,
                markup=False,
            )

    def amount(
        self, question: str, default: float, low: float, top: float, unit: float, measure: str
    ) -> float:
        """A multiple of `unit` from `low` to `top`."""
        while True:
            raw = self.ask(question, f"{default:,.0f}".replace(",", ""))
            value = number(raw)
            if value is not None and valid_amount(value, low, top, unit):
                return float(value)
            self.console.print(
                f"  {shown(raw.strip())} is not a valid pledge. Enter a multiple of {unit:,.0f} "
                f"from {low:,.0f} to {top:,.0f} ({measure}).",
                highlight=False,
                markup=False,
            )


def resolve(raw: str, options: list[str]) -> str | None:
    """An answer to one of the options: its number, its name, or a unique prefix.

    A number is decimal digits (any script's: '٣' is 3), at most NUMBER_DIGITS of
    them: '²' or '①' pass `str.isdigit` but not `int`, and int() refuses 4,300
    digits; either would end the class's game on a traceback."""
    text = raw.strip().lower().replace(" ", "_")
    if not text:
        return None
    if text.isdigit():
        n = int(text) if text.isdecimal() and len(text) <= NUMBER_DIGITS else 0
        return options[n - 1] if 1 <= n <= len(options) else None
    lowered = {o.lower(): o for o in options}
    if text in lowered:
        return lowered[text]
    hits = [o for o in options if o.lower().startswith(text)]
    return hits[0] if len(hits) == 1 else None


def number(raw: str) -> float | None:
    """'3,000' -> 3000.0; None when not a number."""
    try:
        value = float(raw.strip().replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if np.isfinite(value) else None
