"""The teacher's local scenario files in a real browser: `forcegen serve` given a file
of the teacher's (in a folder of its own, run from that folder) lists it and the
working folder's `scenarios/` beside the shipped files; an invalid one shows its
one-line validation error in the page; a file not in the list is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import sim
from sim.scenario.errors import ScenarioError

from .browser import ROOT, TIMEOUT, choose
from .conftest import opening, serving

FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
LABEL = "Scenario (shipped and local files)"


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    """The teacher's folder, and `forcegen serve class/week3.yaml` run in it."""
    base = tmp_path_factory.mktemp("teacher")
    (base / "class").mkdir()
    (base / "class" / "week3.yaml").write_text(
        f"extends: {FLAGSHIP}\ntitle: Our class, week 3\n", encoding="utf-8"
    )
    (base / "scenarios").mkdir()
    (base / "scenarios" / "bad.yaml").write_text(
        f"extends: {FLAGSHIP}\nmandate:\n  use_of_force: sometimes\n", encoding="utf-8"
    )
    (base / "elsewhere").mkdir()
    (base / "elsewhere" / "other.yaml").write_text(f"extends: {FLAGSHIP}\n", encoding="utf-8")
    with serving(["class/week3.yaml"], base, base / "serve.log") as srv:
        yield srv, base


def test_local_files_are_listed_and_an_invalid_one_shows_its_error(browser, teacher) -> None:
    srv, base = teacher
    with pytest.raises(ScenarioError) as direct:
        sim.load(base / "scenarios" / "bad.yaml")
    with opening(browser, srv.url) as open_page:
        w = open_page("/")
        page = w.page
        page.get_by_text("Our class, week 3").first.wait_for(timeout=TIMEOUT)  # the given file
        select = page.locator(".v-select", has_text=LABEL).first
        assert "class/week3.yaml" in select.inner_text()
        select.locator(".v-select__slot").click()
        menu = page.locator(".menuable__content__active")
        options = menu.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        menu.wait_for(state="hidden", timeout=TIMEOUT)
        assert "scenarios/isf/res2803.yaml" in options  # the shipped files stay
        assert {"class/week3.yaml", "scenarios/bad.yaml"} <= set(options)
        assert not [o for o in options if "other.yaml" in o]  # not in a listed folder

        choose(page, LABEL, "scenarios/bad.yaml", taken=page.locator(".scenario-error"))
        error = page.locator(".scenario-error")
        error.wait_for(timeout=TIMEOUT)
        text = error.inner_text()
        assert direct.value.message in text and "bad.yaml" in text
        assert "\n" not in text.strip()
        assert page.locator(".run-button").count() == 0  # no mandate to run
        page.get_by_role("tab", name="Watch").click()
        page.locator(".scenario-error").wait_for(timeout=TIMEOUT)  # Watch says it too
        assert direct.value.message in page.locator(".scenario-error").inner_text()
        page.get_by_role("tab", name="Explore").click()
        choose(page, LABEL, "scenarios/isf/res2803.yaml", taken=page.locator(".run-button"))
        page.locator(".run-button").wait_for(timeout=TIMEOUT)
        expect(page.locator(".scenario-error")).to_have_count(0, timeout=TIMEOUT)

        # a valid scenario file not in the list is refused, by name and by full path
        for raw in ("elsewhere/other.yaml", str(base / "elsewhere" / "other.yaml")):
            box = page.locator(".path-input input")
            box.fill(raw)
            box.press("Enter")
            page.get_by_text(f"{raw!r} is not one of the shipped scenarios").wait_for(
                timeout=TIMEOUT
            )
        assert "scenarios/isf/res2803.yaml" in select.inner_text()  # nothing changed
        w.assert_clean()
