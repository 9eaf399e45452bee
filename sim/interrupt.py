"""Ctrl-C that is never lost.

Python's default SIGINT handler raises KeyboardInterrupt wherever the interpreter
happens to be. When that is Python code called back from a compiled library,
the library may catch it: pydantic's serializer calls the scenario's union
discriminators in Python, and turns an exception raised there into a warning
and a fallback. The interrupt is gone, and the command would finish and write
its folder after the user pressed Ctrl-C.

So a command's handler (`watching`) also remembers the interrupt, and `check`
raises it again at the points that commit work: before a results folder is put
in place (`sim.output.folder`) and before a sweep point is cached. The warning
the swallowed interrupt causes is an artefact of the interrupt, so it is
silenced from then on.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import warnings
from collections.abc import Iterator

_seen = False


@contextlib.contextmanager
def watching() -> Iterator[None]:
    """While a command runs in the main thread, Ctrl-C is remembered and raised as
    Python raises it; the previous handler is restored after."""
    global _seen
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _seen = False
    before = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _handler(signum, frame) -> None:
    global _seen
    _seen = True
    warnings.filterwarnings("ignore", message="Pydantic serializer warnings")
    raise KeyboardInterrupt


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if something swallowed it."""
    if _seen:
        raise KeyboardInterrupt


def handled() -> None:
    """Forget a Ctrl-C the command has answered itself: `forcegen play` ends the game
    at a prompt's Ctrl-C and saves the transcript so far (exit status 3, as documented),
    which `check` would otherwise stop before the folder is put in place."""
    global _seen
    _seen = False
