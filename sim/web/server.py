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


HOSTS = (
    "an address or name of this machine (127.0.0.1: this machine only; 0.0.0.0: every interface)"
)
"""What `--host` takes, as its refusals say it."""


def port_free(host: str, port: int) -> bool:
    """Whether `port` can be bound on `host` now."""
    return bind_problem(host, port) is None


def bind_problem(host: str, port: int) -> str | None:
    """None if `port` can be bound now on every address `host` resolves to (as uvicorn
    binds them), else one line naming the option at fault and why: an empty host, a
    name that does not resolve or an address not of this machine (--host), a port in
    use or not allowed to this user (--port). Nothing is left bound."""
    import errno

    from sim.scenario.errors import shown

    if not host.strip():
        return f"--host {shown(host)}: expected {HOSTS}, not an empty address"
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError, ValueError):
        return f"--host {shown(host)}: expected {HOSTS}; it is no address and no name that resolves"
    for family, kind, proto, _name, address in dict.fromkeys(found):
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            if family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                where = address[0]
                if exc.errno == errno.EADDRINUSE:
                    return (
                        f"--port {port}: the port is in use on {where}; choose another with --port"
                    )
                if exc.errno == errno.EADDRNOTAVAIL:
                    return f"--host {shown(host)}: expected {HOSTS}; {where} is not an address of this machine"
                if exc.errno in (errno.EACCES, errno.EPERM):
                    return (
                        f"--port {port}: expected a port this user may open on {where} "
                        f"(from 1024 without privileges); permission denied"
                    )
                return f"--host {shown(host)} --port {port}: cannot serve there ({exc.strerror or exc})"
    return None


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
