"""Starting the page (`forcegen serve`): solara's app on uvicorn, offline, on one port.

The settings that keep the page offline (`assets`) and the scenario to open
are put in the environment before solara is imported; then uvicorn serves
solara's Starlette app with this package's page (`sim.web.app`) on `host:port`,
127.0.0.1 unless `--host` says otherwise.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import socket
from pathlib import Path

from sim.web import assets

APP = "sim.web.app"
LOOPBACK = "127.0.0.1"
SCENARIO_ENV = "FORCEGEN_WEB_SCENARIO"
"""The scenario the page opens with (a path from the list of shipped scenarios)."""


def port_free(host: str, port: int) -> bool:
    """Whether `port` can be bound on `host` now."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def prepare(scenario: Path | None = None) -> None:
    """Set this process's environment for the page: offline assets, the app, the scenario."""
    assets.apply()
    os.environ["SOLARA_APP"] = APP
    if scenario is not None:
        os.environ[SCENARIO_ENV] = str(scenario)


def serve(host: str = LOOPBACK, port: int = 8765, scenario: Path | None = None) -> None:
    """Serve the page until interrupted (Ctrl-C)."""
    prepare(scenario)
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 PID` prints every thread's stack
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    import uvicorn

    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    config = uvicorn.Config(
        "solara.server.starlette:app",
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        ws_ping_interval=20,
    )
    uvicorn.Server(config).run()
