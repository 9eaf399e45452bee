"""The game's charts, beside the transcript: the force against the all-model run,
each seat's stance against the model's, every state's stance week by week."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.analysis.summary import meta as chart_meta
from sim.charts import play as play_charts
from sim.charts import style
from sim.scenario.arrays import OFFERED, STANCES

if TYPE_CHECKING:
    from sim.teach.game import Game


def draw_charts(game: Game, model_tables: dict, out_dir: Path) -> list[dict]:
    """The game's charts, beside the transcript; the target and minimum drawn are the
    run's own (the all-model run is the same run: it drew the same).

    Drawn in the current formats (`style.formats`); none (`--formats none`) draws
    nothing and returns []. Each chart's `png` is the file the transcript embeds:
    the PNG when written, else the SVG.
    """
    if not style.current_formats():
        return []
    tables = game.trace.tables()
    meta = chart_meta(game.C, tables)
    meta["target"] = float(game.trace.params.broker.target[0])
    meta["minimum_viable"] = float(game.trace.params.broker.minimum_viable[0])
    meta["seed"] = game.seed
    rows = []
    for t in game.turns:
        for who, ch in (("you", t.you), ("model", t.model)):
            in_ = STANCES.index(ch.stance) >= OFFERED
            rows.append(
                {
                    "state": t.code,
                    "who": who,
                    "round": t.week,
                    "stance": ch.stance,
                    "kind": ch.kind if in_ else "",
                }
            )
    charts = [
        play_charts.draw_force(tables, model_tables, meta, out_dir),
        play_charts.draw_seats(pd.DataFrame(rows), meta, out_dir),
        play_charts.draw_stances(tables["states"], meta, out_dir, game.seats),
    ]
    return [{**c, "png": style.link(c)} for c in charts]
