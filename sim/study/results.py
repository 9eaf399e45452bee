"""What `sim.sensitivity`, `sim.discover` and `sim.robust` return (docs/api.md).

Each holds one study in memory, as its command computes it: the table its
folder writes as CSV (`table`), the words (`text`, what the command prints or
its report says), the chart as a matplotlib Figure (`figure()`), and
`save(folder)` writes the folder the command writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.study.discover import Discovered
    from sim.study.robust import Result
    from sim.study.sensitivity import Request, Study


def _captured(draw) -> Figure:
    """The figure `draw(out_dir)` would save, kept instead of written (not left open in pyplot)."""
    from sim.charts import style

    with style.capture() as figures:
        draw(Path("."))
    return figures[-1]


class Sensitivity:
    """Which judgement calls drive the outcome (`forcegen sensitivity`), in memory.

    Attributes:
        table: every index, as `sensitivity.csv` holds it (outcome, method,
            parameter, actor, index, value, conf_low, conf_high, low, high,
            zero_level, distinguishable, rank).
        runs: runs read per method ("given" for delta, PAWN and RBD-FAST).
        outcomes: the outcomes analysed; skipped: those not analysed, and why.
    """

    def __init__(self, study: Study, request: Request) -> None:
        self.study = study
        self.request = request
        self.table: pd.DataFrame = study.table
        self.runs: dict[str, int] = dict(study.runs)
        self.outcomes: list[str] = list(study.outcomes)
        self.skipped: dict[str, str] = dict(study.skipped)

    def __repr__(self) -> str:
        methods = ", ".join(dict.fromkeys(self.table["method"]))
        return (
            f"<Sensitivity {self.study.C.scenario.name}: {methods} on {', '.join(self.outcomes)}>"
        )

    def top(self, outcome: str | None = None, method: str | None = None, n: int = 10):
        """The `n` ranges ranked first by the method's main index (no reference columns).

        `outcome` and `method` default to the first analysed.
        """
        from sim.study.methods import MAIN_INDEX
        from sim.study.problem import is_reference

        t = self.table
        outcome = outcome or t["outcome"].iloc[0]
        method = method or t["method"].iloc[0]
        part = t[(t["outcome"] == outcome) & (t["method"] == method)]
        part = part[(part["index"] == MAIN_INDEX[method]) & ~is_reference(part["parameter"])]
        return part.sort_values("rank").head(n).reset_index(drop=True)

    @property
    def text(self) -> str:
        """The study in words: `sensitivity.md` (top 10 per outcome and method)."""
        from sim.study.report import markdown

        return markdown(self.study, 10)

    def figure(self) -> Figure:
        """The chart `sensitivity.png`: top 8 per outcome and method, with intervals."""
        from sim.charts.sensitivity import draw

        return _captured(lambda out: draw(self.study, out))

    def save(self, folder: str | Path) -> Path:
        """Write the folder `forcegen sensitivity ... --out folder` writes; return its path."""
        from sim.study.report import write_study
        from sim.study.sensitivity import command

        final = Path(folder)
        write_study(self.study, final, command(self.request, final, self.study.C))
        return final


class Discovery:
    """The boxes of `forcegen discover` (PRIM), in memory.

    Attributes:
        table: `boxes.csv`, one row per box, stage (peeled, kept) and limit.
        trajectory: `trajectory.csv`, every box along the peeling and the
            shuffled peelings.
        found: the boxes as objects (`sim.study.discover.Found`).
        base_rate: the share of all runs with the outcome.
    """

    def __init__(self, discovered: Discovered, argv) -> None:
        from sim.study.discover_report import boxes_table

        self.discovered = discovered
        self.found = discovered.found
        self.outcome: str = discovered.info["outcome"]
        self.table: pd.DataFrame = boxes_table(self.found, discovered.x)
        self.trajectory: pd.DataFrame = pd.concat(
            [f.trajectory for f in self.found], ignore_index=True
        )
        self.base_rate: float = self.found[0].base_rate
        self._argv = argv

    def __repr__(self) -> str:
        return f"<Discovery {self.discovered.info['scenario']}: {self.outcome}, {len(self.found)} box(es)>"

    @property
    def kept(self) -> pd.DataFrame:
        """The limits kept after the qp test (an empty parameter: no limit kept)."""
        return self.table[self.table["stage"] == "kept"].reset_index(drop=True)

    @property
    def text(self) -> str:
        """The base rate and each box in words (the lines `forcegen discover` prints)."""
        from sim.study.discover_report import summary_lines

        return "\n".join(summary_lines(self.found, self.outcome))

    def describe(self) -> str:
        """The boxes in words (as `text`)."""
        return self.text

    def figure(self) -> Figure:
        """The coverage/density trade-off chart (`charts/tradeoff.png`)."""
        from sim.charts.discover import draw
        from sim.study.discover_report import marks

        d = self.discovered
        return _captured(
            lambda out: draw(self.trajectory, marks(d.found), self.base_rate, d.info, out)
        )

    def save(self, folder: str | Path) -> Path:
        """Write the folder `forcegen discover ... --out folder` writes; return its path."""
        from sim.study.discover import write

        final = Path(folder)
        d = self.discovered
        write(final, d.found, d.x, {**d.info, "command": self._argv(final)})
        return final


class Robustness:
    """Candidate mandates ranked across sampled worlds (`forcegen robust`), in memory.

    Attributes:
        table: `robust.csv`, one row per candidate, best first by the criterion.
        worlds: `worlds.csv`, one row per candidate and world.
        result: the numbers (`sim.study.robust.Result`: scores, intervals,
            the separation of the first two).
    """

    def __init__(self, result: Result, file: str | Path) -> None:
        from sim.study.robust import robust_table, worlds_table

        self.result = result
        self.file = file
        self.criterion: str = result.study.criterion
        self.table: pd.DataFrame = robust_table(result)
        self.worlds: pd.DataFrame = worlds_table(result)

    def __repr__(self) -> str:
        st = self.result.study
        return (
            f"<Robustness {st.sweep.name}: {st.candidates} candidates, {len(st.worlds)} worlds "
            f"× {st.runs_per_world} runs, by {self.criterion}>"
        )

    @property
    def separated(self) -> bool:
        """Whether the first two candidates' 95% intervals of mean P(formed) do not overlap."""
        return self.result.sep.separated

    @property
    def text(self) -> str:
        """The ranking in words (the lines `forcegen robust` prints)."""
        from sim.study.robust import ranking_lines

        return "\n".join(ranking_lines(self.result, self.table))

    def figure(self) -> Figure:
        """The chart `robust.png`: each candidate's P(formed) across the worlds."""
        from sim.charts.robust import draw
        from sim.study.robust import chart_meta

        meta = chart_meta(self.result.study)
        return _captured(lambda out: draw(self.table, self.worlds, meta, out))

    def save(self, folder: str | Path) -> Path:
        """Write the folder `forcegen robust ... --out folder` writes; return its path."""
        from sim.study.robust import argv_of, write_robust

        final = Path(folder)
        write_robust(self.result, final, argv_of(self.file, self.result.study, final))
        return final
