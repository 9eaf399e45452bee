"""Why one state did what it did in one run, week by week (`forcegen explain`).

For each week: its stance and contribution; the red lines that bind it, with
the evidence behind them (quote or paraphrase, speaker, date, source); its
payoff for joining split into components (also drawn as a waterfall); the pull
of the blocs it follows; the demand it sent the broker; and the concession
that would flip it.

- `compute`: the explanation, from a replay of the run (`sim.engine.trace`)
  and the rules' own evaluation of the week (`sim.rules.demands`);
- `text`: its sentences and sections, shared by the page and the terminal;
- `page`: explain_<ID>.md;
- `terminal`: the same on the terminal;
- `folder`: the folder with the page and the waterfall, written atomically.
"""

from __future__ import annotations

from sim.analysis.explain.compute import Explanation, Flip, Week, explain
from sim.analysis.explain.folder import write
from sim.analysis.explain.terminal import print_explanation
from sim.analysis.explain.text import describe, evidence_for

__all__ = [
    "Explanation",
    "Flip",
    "Week",
    "describe",
    "evidence_for",
    "explain",
    "print_explanation",
    "write",
]
