"""The page in a browser: how fast Watch plays at "5 weeks a second", and how long
Explore takes to show a result (issues 12 and 13).

Starts `forcegen serve scenarios/isf/res2803.yaml` (as `python -m sim serve`, from
`--root`: this checkout, or an earlier commit's worktree to compare) and drives
Debian's chromium (`/usr/bin/chromium`, with Playwright: the test extra):

- `serve`: the seconds until it answers, then until Explore's page is ready;
- Watch: chooses the speed, presses Play and reads the week counter every 30 ms
  until the run is over; prints when the last week showed and the weeks per second
  from the first week to the last;
- Explore: runs the flagship as its file sets it with 1,001, 1,000, 999, 201 and
  200 runs (a new count each time, so the numbers shown change) and prints the
  seconds from pressing Run to the new P(formed) on the page (the first run loads
  the compiled loops: `sim.rules.jit`).

    .venv/bin/python bench/web.py
    .venv/bin/python bench/web.py --root /tmp/before --repeat 3
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from browser import ARGS, CHROMIUM, choose  # noqa: E402  (the browser tests' helpers)

SPEED = "5 weeks a second"


def serve(root: Path) -> tuple[subprocess.Popen, str]:
    """`python -m sim serve` of the flagship from `root`, once it answers (it prints
    the seconds that took)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "sim", "serve", "scenarios/isf/res2803.yaml"]
    proc = subprocess.Popen(
        [*argv, "--port", str(port)], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as resp:
                if resp.status == 200:
                    print(f"serve: answered after {time.perf_counter() - started:.2f} s")
                    return proc, url
        except OSError:
            time.sleep(0.1)


def play(browser, url: str) -> dict[int, float]:
    """Seconds from Play to each week's first showing, until the run is over."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + "/watch")
    button = page.locator(".play-button")
    button.wait_for(timeout=90_000)
    choose(page, "Speed", SPEED)
    start = time.perf_counter()
    button.click()
    shown: dict[int, float] = {}
    while time.perf_counter() - start < 120:
        week = int(page.locator(".week-counter").inner_text().split()[-1])
        shown.setdefault(week, time.perf_counter() - start)
        if page.get_by_text("The run is over").count():
            break
        time.sleep(0.03)
    page.close()
    return shown


EXPLORE_RUNS = (1001, 1000, 999, 201, 200)


def explore(browser, url: str) -> list[tuple[int, float]]:
    """(runs, seconds from Run to the new P(formed) shown) for each of EXPLORE_RUNS."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    start = time.perf_counter()
    page.goto(url + "/")
    page.get_by_text("Set the mandate and press Run.").wait_for(timeout=90_000)
    print(f"Explore: the page ready {time.perf_counter() - start:.2f} s after it was asked for")
    shown = []
    for runs in EXPLORE_RUNS:
        box = page.locator(".v-text-field", has_text="Runs").locator("input")
        box.fill(str(runs))
        box.press("Enter")
        start = time.perf_counter()
        page.locator(".run-button").click()
        numbers = page.locator(".p-formed")
        # read every 20 ms: Playwright's own waits look ever less often (up to 0.5 s)
        while not (numbers.count() and f"of {runs} runs" in numbers.first.inner_text()):
            if time.perf_counter() - start > 120:
                raise TimeoutError(f"Explore showed no result of {runs} runs in 120 s")
            time.sleep(0.02)
        shown.append((runs, time.perf_counter() - start))
    page.close()
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = serve(args.root)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for _ in range(args.repeat):  # Explore first: the server's first page
                times = ", ".join(f"{runs} runs {s:.2f} s" for runs, s in explore(browser, url))
                print(f"Explore, Run to P(formed): {times}")
                shown = play(browser, url)
                first, last = min(w for w in shown if w > 0), max(shown)
                rate = (last - first) / (shown[last] - shown[first])
                print(f"{SPEED}: week {last} after {shown[last]:.2f} s, {rate:.2f} weeks a second")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(15)


if __name__ == "__main__":
    main()
