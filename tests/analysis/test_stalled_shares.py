"""Why stalled runs stalled: short of the minimum, or rejected by a veto player."""

from __future__ import annotations

import pandas as pd

from sim.analysis.summary import stalled_shares


def test_each_veto_player_counts_the_stalled_runs_it_rejected() -> None:
    """A run rejected by two players counts for each; a name is matched whole ("ISRX" is
    not "ISR"); formed runs and runs short of the minimum are not rejections."""
    runs = pd.DataFrame(
        {
            "outcome": ["stalled", "stalled", "stalled", "stalled", "formed", "stalled"],
            "rejected_by": ["ISR", "ISR;USA", "ISRX", "", "ISR", None],
            "force": [5000.0, 5000.0, 5000.0, 1000.0, 9000.0, 5000.0],
        }
    )
    shares = stalled_shares(runs, 4000.0, ["ISR", "USA"])
    assert shares["rejected_by"] == {"ISR": round(2 / 6, 6), "USA": round(1 / 6, 6)}
    assert shares["short_of_minimum"] == round(1 / 6, 6)
    assert shares["mandate_rejected"] == round(3 / 6, 6)
