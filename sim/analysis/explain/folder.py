"""The explanation's folder: explain_<ID>.md and its waterfall, written atomically."""

from __future__ import annotations

from pathlib import Path

from sim.analysis import words as wd
from sim.analysis.explain import page
from sim.analysis.explain.compute import Explanation
from sim.charts import style, waterfall
from sim.output.folder import atomic_folder
from sim.output.formats import NOT_DRAWN

PAYOFF = "## Payoff components\n\n"


def draw_waterfall(ex: Explanation, out_dir: Path) -> dict:
    """The final week's payoff as a waterfall: waterfall_<ID>.png (and .svg, as
    `style.formats` says) in out_dir. The page embeds `png`: the PNG when written,
    else the SVG."""
    last = ex.weeks[-1]
    kind = ex.C.scenario.kinds[last.considered].label.lower()
    note = None
    if last.binding:
        lines = last.bindings or [last.binding]
        s = "s" if len(lines) > 1 else ""
        verb = "bind" if len(lines) > 1 else "binds"
        note = (
            f"Red line{s} {wd.join([wd.red_line(ex.C, r) for r in lines])} {verb}: "
            "the stance is capped whatever the payoff."
        )
    elif not last.gate_open:
        note = "Clarity below its threshold: the stance is held whatever the payoff."
    meta = {"title": ex.C.scenario.title, "thresholds": ex.thresholds, "note": note}
    context = f"run {ex.run}, week {last.week}, as {kind}, stance {last.stance}"
    title = f"{ex.name} ({ex.code}): payoff for joining, component by component"
    chart = waterfall.draw(ex.row, meta, out_dir, f"waterfall_{ex.code}", title, context)
    if style.link(chart):
        ex.charts["waterfall"] = {**chart, "png": style.link(chart)}
    return chart


def write(ex: Explanation, out_dir: Path) -> Path:
    """Write explain_<ID>.md and its waterfall into out_dir; return the markdown path.

    The folder is written atomically, as `forcegen run` writes its own: it is
    assembled under a hidden name and renamed into place when complete.
    """
    out_dir = Path(out_dir)
    name = f"explain_{ex.code}.md"
    with atomic_folder(out_dir) as tmp:
        if style.current_formats():
            draw_waterfall(ex, tmp)
            text = page.markdown(ex)
        else:
            text = page.markdown(ex)
            text = text.replace(PAYOFF, f"{PAYOFF}{NOT_DRAWN}\n\n", 1)
        (tmp / name).write_text(text, encoding="utf-8")
    return out_dir / name
