"""The `forcegen` script and `python -m sim`: the command line, then a quick exit.

A command that made 10,000 runs holds hundreds of MB of tables, arrays and
compiled code when it ends. Python's orderly shutdown then tears every module down
and frees those objects one by one: 0.35-0.6 s after `forcegen run ... --runs 10000`
had written its folder, work nobody waits for (docs/performance.md, "The end of a
command"). So once `sim.cli.main` has ended, its output is flushed and the atexit
handlers have run as at any exit, the process ends at once (`os._exit`) with the
same status.

The orderly exit is kept wherever the quick one could lose something: another
thread still alive (Python would wait for it), output that cannot be flushed (a
closed pipe: Python reports it as it always does), a profiler or debugger watching
(`python -m cProfile -m sim ...` writes its report after the command returns), a
status that is not a number, or an exception other than `SystemExit`.
`sim.cli.main` itself ends with `sys.exit`, so a test or a notebook that calls it
keeps its process.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

from sim.cli import main


def entry() -> None:
    """Run `sim.cli.main`, then end the process at once where nothing is lost."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    status = 0 if code is None else code
    if not isinstance(status, int) or not quick_exit_is_safe():
        raise SystemExit(code)
    atexit._run_exitfuncs()  # what an orderly exit runs first (coverage, loggers, pools)
    os._exit(status)


def quick_exit_is_safe() -> bool:
    """No other thread is alive, no profiler or debugger watches, and everything
    written so far is flushed."""
    if threading.active_count() > 1 or watched():
        return False
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: the orderly exit reports it
        return False
    return True


def watched() -> bool:
    """A profiler, debugger or coverage tool watches this process: through
    `sys.setprofile` or `sys.settrace`, or, from Python 3.12, `sys.monitoring`
    (where cProfile registers itself)."""
    if sys.getprofile() or sys.gettrace():
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(i) for i in range(6))
