"""The Watch view's parts without a browser: Play's pace, the week sentences made once
each, and the force line's legend below its axes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sim.analysis import story
from sim.engine.trace import Trace
from sim.numbers import force
from sim.web import watch

FLAGSHIP = "scenarios/isf/res2803.yaml"


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_play_counts_the_time_a_week_takes_within_its_interval() -> None:
    clock = Clock()
    pace = watch.Pace(0.2, clock)
    assert pace.wait() == pytest.approx(0.2)  # the first week a whole interval after Play
    clock.now += 0.2 + 0.15  # waited, then the week took 0.15 s to step and show
    assert pace.wait() == pytest.approx(0.05)
    clock.now += 0.05 + 0.9  # a week that took four intervals: the next one at once,
    assert pace.wait() == 0.0
    clock.now += 0.1  # ... due an interval after it began, not three more at once
    assert pace.wait() == pytest.approx(0.1)


@pytest.fixture(scope="module")
def C():
    return watch.compiled(FLAGSHIP)


@pytest.mark.parametrize("run", [0, 6])
def test_week_sentences_are_made_once_and_read_as_made_afresh(C, monkeypatch, run) -> None:
    """Stepping a run to its end, the sentences kept from week to week are those made
    afresh from the tables each week, and each week's is made once."""
    made = []
    real = story.week_sentence

    def counted(C_, prev, cur, rnd, last):
        made.append(int(rnd.name))
        return real(C_, prev, cur, rnd, last)

    trace = Trace(C, C.scenario.run.seed, run)
    told: dict[int, str] = {}
    weeks = 0
    while trace.running:
        trace.step()
        weeks += 1
        tables = trace.tables()
        fresh = watch.week_lines(C, tables)
        monkeypatch.setattr(story, "week_sentence", counted)
        kept = watch.week_lines(C, tables, told)
        monkeypatch.setattr(story, "week_sentence", real)
        assert kept == fresh
        assert [w for w, _ in kept] == list(range(1, weeks + 1))
    assert sorted(made) == list(range(1, weeks + 1))  # each week's sentence made once
    assert weeks > 3


def test_the_force_line_names_every_line_in_one_legend_below_its_axes(C) -> None:
    trace = Trace(C, C.scenario.run.seed, 6).run_to_end()
    fig = watch.force_figure(C, trace)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    target = float(trace.params.broker.target[0])
    names = [f"{C.scenario.veto_players[v].name} (acceptance)" for v in C.veto_ids]
    assert labels == ["counted force", f"target {force(target)}", *names]  # as charts say it
    assert all(ax.get_legend() is None for ax in fig.axes)
    box = legend.get_window_extent(renderer)
    for ax in fig.axes:
        assert box.y1 <= ax.get_tightbbox(renderer).y0 + 1  # below the axes and their labels
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1


def test_the_page_loads_mesa_only_when_a_run_is_stepped() -> None:
    """Explore, the page a server opens on, never steps the Mesa model: importing the
    page leaves Mesa (0.6-0.9 s of its import) to the first `Trace`."""
    code = (
        "import sys, sim.web.app\n"
        "print('mesa' in sys.modules)\n"
        "from sim.engine.trace import Trace\n"
        "from sim.scenario.arrays import compile_scenario\n"
        "from sim.scenario.loader import load\n"
        f"t = Trace(compile_scenario(load({FLAGSHIP!r})), 7, 0)\n"
        "t.step()\n"
        "print('mesa' in sys.modules, t.model.t)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "1"]
