"""Classroom mode (`forcegen play`): humans take seats at the table and play the model.

Each week the terminal shows the mandate as it stands, the veto players'
acceptance, the other states' stances and demands, and the pledged force
against this run's target; it then asks each human seat for a stance, a
contribution kind, a pledge and a demand. The Mesa model plays everyone else,
and the human answers replace the model's decision for the human seats before
the agents adopt it (`game`, `seat`). At the end a debrief sets each human
choice against what the model's own agent would have chosen (`debrief`), and a
transcript (`transcript`) and charts (`charts`) are saved.

Plain prompts only (`ask`), so it works in any terminal and with scripted
standard input. When input ends before the last week, the transcript so far is
saved, saying where the game stopped, and `Game.exit_status` is
`EXIT_INPUT_ENDED` (3): the command exits with that status
(docs/teaching/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

from sim.engine.trace import Trace
from sim.output.folder import atomic_folder
from sim.scenario.arrays import Compiled
from sim.teach.charts import draw_charts
from sim.teach.debrief import print_debrief
from sim.teach.game import EXIT_INPUT_ENDED, RUN, Game
from sim.teach.transcript import transcript

__all__ = ["EXIT_INPUT_ENDED", "Game", "play"]


def play(
    C: Compiled,
    seats: list[str],
    seed: int,
    out_dir: Path,
    console: Console,
    prompt: Callable[..., str] = typer.prompt,
) -> tuple[Game, Path]:
    """Play a game, then write the transcript (and, if finished, the debrief and charts).

    The folder is written atomically (`atomic_folder`), entered before the
    first week so that a folder it may not replace is refused before anyone
    plays. When input ends early the transcript so far is still saved, and
    `game.exit_status` is EXIT_INPUT_ENDED.
    """
    game = Game(C, seats, seed, console, prompt)
    out_dir = Path(out_dir)
    path = out_dir / "transcript.md"
    with atomic_folder(out_dir) as tmp:
        console.print(
            f"[bold]{C.scenario.title}[/bold] — you play "
            + ", ".join(f"{C.scenario.states[c].name} ({c})" for c in seats)
            + f"; the model plays everyone else (seed {seed}). Press Enter to keep the answer "
            "in brackets; answer with a name, its first letters, or its number.",
            highlight=False,
        )
        if not game.play():
            (tmp / path.name).write_text(transcript(game, None, []), encoding="utf-8")
            return game, path
        model_tables = Trace(C, seed, RUN).run_to_end().tables()
        charts = draw_charts(game, model_tables, tmp)
        (tmp / path.name).write_text(transcript(game, model_tables, charts), encoding="utf-8")
    print_debrief(console, game, model_tables)
    return game, path
