"""Browser tests of `forcegen serve`: a real server, Debian's chromium, Playwright.

The server is started once per test module with the command the docs show
(`forcegen serve scenarios/isf/res2803.yaml --port N`, as docs/teaching/classroom.md shows
it; here `python -m sim serve`) on a free port of
127.0.0.1, and stopped (and waited for) at the module's end. Chromium is
Debian's (`/usr/bin/chromium`; `make test` installs it when missing): Playwright's
own browser download needs the internet. Every page a test opens records its
console errors, its failed requests and any request to a host other than this
server, and the test ends by asserting there were none (`Watched.assert_clean`).

Screenshots for docs/teaching/ are written only with FORCEGEN_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .browser import ARGS, CHROMIUM, ROOT, TIMEOUT, local

pytest.importorskip("solara", reason="the web extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    started_in: float


@contextmanager
def serving(args: list[str], cwd: Path, log: Path):
    """`python -m sim serve ARGS --port N` run in `cwd`, until the block ends."""
    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}  # the server's own stderr, not the tests'
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "serve", *args, "--port", str(port)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"forcegen serve stopped: {log.read_text()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - start > 60:
                raise RuntimeError(f"forcegen serve did not answer in 60 s: {log.read_text()}")
            time.sleep(0.2)
        yield Server(url, proc, time.perf_counter() - start)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`forcegen serve scenarios/isf/res2803.yaml --port N`; stopped at the end of the module."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with serving(["scenarios/isf/res2803.yaml"], ROOT, log) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (make test does)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


REPLACED_WIDGET = frozenset(
    {
        "Syncing error: no comm channel defined",
        "Cannot set properties of undefined (setting 'scrollTop')",
    }
)
"""What the widget libraries in the browser log when a pick lands on a select the server
has just replaced (a tab switch on a busy machine): ipywidgets has no channel left for
the old select, and Vuetify's closing menu has no content left to scroll. The pick
never reaches the server, so nothing on the page changes; `browser.choose` makes it
again (its `taken`), and the tests check what the page then shows."""


@dataclass
class Watched:
    """A page with what went wrong on it recorded."""

    page: object
    base: str
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        errors = [e for e in self.errors if e not in REPLACED_WIDGET]
        assert not errors, f"console errors: {errors}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.foreign, f"requests beyond this server: {self.foreign}"


def failed(w: Watched, request) -> None:
    """Record a failed request; one the browser cancelled itself because the page was
    left (a reload or goto: solara's goodbye beacon, a font still loading) is not a
    failure of the page."""
    if request.failure != "net::ERR_ABORTED":
        w.failed.append(f"{request.url} {request.failure}")


@contextmanager
def opening(browser, base: str):
    """`opener(path="/")` -> a Watched page of the server at `base`, in a fresh context."""
    contexts = []

    def opener(path: str = "/", context=None) -> Watched:
        ctx = context or browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(TIMEOUT)  # also for waits that name no timeout
        contexts.append(ctx)
        page = ctx.new_page()
        w = Watched(page, base)
        page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: w.errors.append(str(e)))
        page.on("requestfailed", lambda r: failed(w, r))
        page.on(
            "response",
            lambda r: w.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None,
        )
        page.on("request", lambda r: None if local(r.url, base) else w.foreign.append(r.url))
        page.goto(base + path)
        return w

    try:
        yield opener
    finally:
        for ctx in contexts:
            ctx.close()


@pytest.fixture
def open_page(browser, server):
    """`open_page(path="/")` -> a Watched page in a fresh browser context."""
    with opening(browser, server.url) as opener:
        yield opener
