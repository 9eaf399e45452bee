"""Helpers of the browser tests: where chromium is, how to pick in a select, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "teaching"
SHOTS = os.environ.get("FORCEGEN_SCREENSHOTS") == "1"
TIMEOUT = 90_000
"""How long (ms) a test waits for what it expects on a page before it fails. Generous:
`make test` runs the suite on every core, so the server, chromium and other tests'
work share a (possibly busy) machine. No test measures speed with it."""
RETRY = 15_000
"""How long (ms) `choose` waits for an option in an open menu before it opens it again."""


def local(url: str, base: str) -> bool:
    host = base.split("//", 1)[1]
    return url.startswith(("data:", "blob:", "about:")) or url.split("//", 1)[-1].startswith(host)


def shot(page, name: str, top=None, height: int = 900) -> None:
    """Save a screenshot for the docs when FORCEGEN_SCREENSHOTS=1: `height` pixels of the
    page from its top, or from the element `top` (a locator), whatever is scrolled."""
    if not SHOTS:
        return
    y = 0.0
    if top is not None:
        box = top.bounding_box()
        y = max(box["y"] + page.evaluate("window.scrollY") - 8, 0.0)
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": y, "width": width, "height": height}
    page.screenshot(path=str(DOCS / name), full_page=True, clip=clip)


def choose(page, label: str, option: str, scope=None, taken=None) -> None:
    """Pick `option` in the Vuetify select labelled `label`.

    The server may re-render the select while its menu opens (a tab switch, a busy
    machine), which closes that menu; so a menu that shows no such option within a
    short wait is closed and opened again, until TIMEOUT. A pick made on a select the
    server has just replaced shows for a moment and never reaches it: where `taken`
    (a locator) is given, what the page shows once the server has the pick, the
    pick is made again until that shows."""
    from playwright.sync_api import TimeoutError as Slow

    where = scope or page
    menu = page.locator(".menuable__content__active")
    select = where.locator(".v-select", has_text=label).first
    for _ in range(TIMEOUT // RETRY):
        select.locator(".v-select__slot").click()
        try:
            menu.get_by_role("option", name=option, exact=True).click(timeout=RETRY)
        except Slow:
            page.keyboard.press("Escape")
            continue
        menu.wait_for(state="hidden", timeout=TIMEOUT)
        if _shows(select, option) and _shows_taken(taken):  # else the click was lost
            return
    raise AssertionError(f"no option {option!r} in the select {label!r}")


def _shows_taken(taken) -> bool:
    """`taken` (a locator, or None for no check) is visible within a short wait."""
    from playwright.sync_api import TimeoutError as Slow

    if taken is None:
        return True
    try:
        taken.first.wait_for(timeout=RETRY)
    except Slow:
        return False
    return True


def _shows(select, option: str) -> bool:
    """The select shows `option` as its value within a short wait."""
    from playwright.sync_api import TimeoutError as Slow

    try:
        select.locator(".v-select__selections", has_text=option).wait_for(timeout=RETRY)
    except Slow:
        return False
    return True
