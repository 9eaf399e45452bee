"""A class in real browsers: a teacher and two students in their own browser
contexts play three weeks; a third browser cannot act for their seats; a pledge
above capacity is refused; the debrief matches `forcegen play`'s transcript for
the same choices; the replay with the model in every seat is the all-model run of
the engine; the teacher's timer ends a week nobody answered."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from typer.testing import CliRunner

from sim.analysis.story import OUTCOME_WORDS
from sim.cli import app
from sim.engine.trace import Trace
from sim.numbers import force
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load
from sim.teach.game import RUN

from .browser import ROOT, TIMEOUT, choose, shot

FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
SEATS = ("PAK", "IDN")  # in the scenario's order, as the class orders its seats


def pledge_top(page) -> int:
    label = page.locator(".pledge label").inner_text()
    return int(re.search(r"up to ([\d,]+)", label).group(1).replace(",", ""))


def send(page, week: int) -> None:
    """Send the form; wait until the choice is in (or the week moved on: it was the last)."""
    page.locator(".send").click()
    done = (
        page.get_by_text(f"Your choice for week {week}")
        .or_(page.get_by_text(f"Week {week + 1}", exact=True))
        .or_(page.locator(".debrief"))
    )
    done.first.wait_for(timeout=TIMEOUT)


def outcome_rows(text: str) -> list[tuple[str, ...]]:
    """The rows of the outcome table in a transcript's markdown."""
    part = text[text.index("### Outcome") :]
    part = part.split("## Charts")[0]
    rows = [
        tuple(c.strip() for c in line.strip().strip("|").split("|"))
        for line in part.splitlines()
        if line.startswith("| ") and not line.startswith("| |")
    ]
    return rows


def test_two_students_play_three_weeks_and_get_the_debrief(open_page, tmp_path) -> None:
    teacher = open_page("/class")
    t = teacher.page
    t.locator(".create").click()
    t.locator(".class-code").wait_for(timeout=TIMEOUT)
    code = t.locator(".class-code").inner_text().split(":")[1].strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)

    students = {}
    for state in SEATS:
        w = open_page("/class")
        p = w.page
        p.locator(".join-code input").fill(code.lower())  # typed in lower case: accepted
        p.locator(".join").click()
        p.locator(f".seat-{state}").click()
        p.get_by_text("Waiting for the teacher to start").wait_for(timeout=TIMEOUT)
        assert "seat=" in p.url
        students[state] = w
    t.get_by_text("Seats taken: Pakistan (PAK), Indonesia (IDN)").wait_for(timeout=TIMEOUT)

    # a reload keeps the seat (its token is in the page's address)
    students["IDN"].page.reload()
    students["IDN"].page.get_by_text("You are Indonesia (IDN)").wait_for(timeout=TIMEOUT)

    # a timer longer than the test: every week ends because every seat chose
    t.locator(".timer-input input").fill("600")
    t.locator(".set-timer").click()
    t.locator(".timer-state", has_text="Timer: 600 s a week").wait_for(timeout=TIMEOUT)
    t.locator(".start").click()
    for w in students.values():
        w.page.get_by_text("Week 1", exact=True).wait_for(timeout=TIMEOUT)
        w.page.get_by_text("The model's payoff for joining").wait_for(timeout=TIMEOUT)
        w.page.locator(".time-left").wait_for(timeout=TIMEOUT)

    # the teacher hides the payoff components: they disappear from the seats' pages
    t.locator(".v-input--switch").click()
    for w in students.values():
        w.page.get_by_text("The model's payoff for joining").wait_for(
            state="detached", timeout=TIMEOUT
        )

    # a third browser cannot take a seat now, nor act with a made-up token
    third = open_page(f"/class?code={code}")
    third.page.get_by_text("The game has started").wait_for(timeout=TIMEOUT)
    third.page.goto(f"{third.base}/class?code={code}&seat=not-a-token")
    third.page.get_by_text("This seat's address is not valid").wait_for(timeout=TIMEOUT)
    third.page.goto(f"{third.base}/class?code={code}&teacher=not-the-teacher")
    third.page.get_by_text("This is not the teacher's address").wait_for(timeout=TIMEOUT)

    # weeks 1 and 2: both seats consider, with no kind and no demand
    for week in (1, 2):
        for w in students.values():
            w.page.get_by_text(f"Week {week}", exact=True).wait_for(timeout=TIMEOUT)
            send(w.page, week)
    # week 3: both commit all they can; Pakistan first tries a pledge above its capacity
    pledges = {}
    for state, w in students.items():
        p = w.page
        p.get_by_text("Week 3", exact=True).wait_for(timeout=TIMEOUT)
        choose(p, "Stance", "committed")
        choose(p, "Contribution kind", "troops")
        top = pledge_top(p)
        if state == "PAK":
            p.locator(".pledge input").fill(str(top + 1000))
            p.locator(".send").click()
            error = p.locator(".choice-error")
            error.wait_for(timeout=TIMEOUT)
            assert "is not a valid pledge" in error.inner_text()
            assert p.get_by_text("Your choice for week 3").count() == 0  # nothing changed
            t.get_by_text("Week 3. Chosen: none yet").wait_for(timeout=TIMEOUT)
            shot(t, "web-class-teacher.png", height=1100)
        p.locator(".pledge input").fill(str(top))
        pledges[state] = top
        if state == "IDN":
            shot(p, "web-class-seat.png", top=p.get_by_text("You are Indonesia").first, height=1450)
        send(p, 3)

    t.locator(".debrief").wait_for(timeout=TIMEOUT)
    for w in students.values():
        w.page.locator(".debrief").wait_for(timeout=TIMEOUT)
    assert "Weeks the model chose for a seat" not in t.locator(".debrief").inner_text()
    web_rows = {
        tuple(c.strip() for c in row.split("\t"))
        for row in t.locator(".debrief tr").all_inner_texts()
    }

    # the replay with the model in every seat: the all-model run of the same seed,
    # beside the class's game, on every screen
    t.locator(".replay-button").click()
    t.locator(".replay").wait_for(timeout=TIMEOUT)
    for w in students.values():
        w.page.locator(".replay").wait_for(timeout=TIMEOUT)
    cells = [
        tuple(c.strip() for c in row.split("\t"))
        for row in t.locator(".replay tr").all_inner_texts()
    ]
    replay = {row[0]: row for row in cells}
    sc = load(FLAGSHIP)
    C = compile_scenario(sc)
    alone = Trace(C, sc.run.seed, RUN).run_to_end().tables()
    run = alone["runs"].iloc[0]
    assert replay["outcome"][2] == OUTCOME_WORDS[run["outcome"]]
    assert replay["weeks"][2] == str(run["rounds"])
    assert replay["counted force"][2] == force(run["force"])
    final = alone["states"][alone["states"]["round"] == run["rounds"]].set_index("state")
    for code in C.states:
        label = f"{C.scenario.states[code].name} at the end"
        label += f" (class seat {code})" if code in SEATS else ""
        assert replay[label][2].split(",")[0] == final.loc[code, "stance"]
    for state in SEATS:  # the class's column is the class's game
        label = f"{C.scenario.states[state].name} at the end (class seat {state})"
        assert replay[label][1] == f"committed, {pledges[state]:,} combat troops"
    assert replay["outcome"][1] != replay["outcome"][2]  # the class changed the outcome
    shot(t, "web-class-debrief.png", top=t.get_by_text("The game is over").first, height=1300)

    # the same choices in `forcegen play`
    script = ""
    for _week in (1, 2):
        script += "considering\nnone\nnone\n" * len(SEATS)
    for state in SEATS:
        script += f"committed\ntroops\n{pledges[state]}\nnone\n"
    out = tmp_path / "play"
    args = ["play", str(FLAGSHIP), "--out", str(out)]
    for state in SEATS:
        args += ["--as", state]
    result = CliRunner().invoke(app, args, input=script)
    assert result.exit_code == 0, result.output
    played = (out / "transcript.md").read_text(encoding="utf-8")
    rows = outcome_rows(played)
    assert len(rows) > 5
    for row in rows:
        assert row in web_rows, f"{row} not in the page's debrief"
    assert "Same stance as the model's agent in" in t.locator(".debrief").inner_text()
    for w in (teacher, third, *students.values()):
        w.assert_clean()


def test_the_timer_ends_a_week_nobody_answered(open_page) -> None:
    teacher = open_page("/class")
    t = teacher.page
    t.locator(".create").click()
    t.locator(".class-code").wait_for(timeout=TIMEOUT)
    code = t.locator(".class-code").inner_text().split(":")[1].strip()
    student = open_page(f"/class?code={code}")
    p = student.page
    p.locator(".seat-PAK").click()
    p.get_by_text("Waiting for the teacher to start").wait_for(timeout=TIMEOUT)

    box = t.locator(".timer-input input")
    for bad in ("5", "ten"):  # refused with a message; nothing changes
        box.fill(bad)
        t.locator(".set-timer").click()
        t.locator(".timer-error").wait_for(timeout=TIMEOUT)
        assert "from 10 to 600" in t.locator(".timer-error").inner_text()
        assert "No timer" in t.locator(".timer-state").inner_text()
    box.fill("10")
    t.locator(".set-timer").click()
    t.locator(".timer-state", has_text="Timer: 10 s a week").wait_for(timeout=TIMEOUT)
    expect(t.locator(".timer-error")).to_have_count(0, timeout=TIMEOUT)

    t.locator(".start").click()
    p.get_by_text("Week 1", exact=True).wait_for(timeout=TIMEOUT)
    left = p.locator(".time-left")
    left.wait_for(timeout=TIMEOUT)
    seconds = int(re.search(r"(\d+) s", left.inner_text()).group(1))
    assert 0 < seconds <= 10
    # nobody answers, nobody presses Advance: the timer ends week 1
    p.get_by_text("Week 2", exact=True).wait_for(timeout=TIMEOUT)
    note = t.locator(".model-weeks")
    note.wait_for(timeout=TIMEOUT)
    assert "week 1: Pakistan (PAK), timed out" in note.inner_text()
    for w in (teacher, student):
        w.assert_clean()
