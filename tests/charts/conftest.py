"""Small synthetic result tables, shaped exactly like the engine's tidy output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

STATES = {
    "PAK": "Pakistan",
    "IDN": "Indonesia",
    "EGY": "Egypt",
    "ITA": "Italy",
    "GBR": "United Kingdom",
}
KINDS = {"troops": "Troops", "trainers": "Police trainers", "money": "Funding"}
MEASURE = {"troops": "personnel", "trainers": "personnel", "money": "USD million"}
UNIT = {"troops": 500.0, "trainers": 20.0, "money": 5.0}
VETO = {"ISR": "Israel", "UNSC": "UN Security Council"}
CONCESSIONS = {
    "allow_caveats": "Allow national caveats",
    "drop_decommissioning": "Drop weapons decommissioning from the tasks",
    "un_command": "Place the force under UN command",
}
STANCES = ("declined", "considering", "conditional", "offered", "committed")


def _state_rows(rng, run, n_rounds, states, kinds, vetoed_state):
    """Stances that climb (or not) round by round, with a kind once offered."""
    rows, final = [], {}
    for code in states:
        ceiling = int(rng.choice(5, p=[0.15, 0.1, 0.15, 0.2, 0.4]))
        start = int(rng.integers(1, max(2, n_rounds)))
        kind = kinds[int(rng.integers(0, len(kinds)))]
        for rnd in range(1, n_rounds + 1):
            level = 1 if rnd < start else min(ceiling, 1 + (rnd - start))
            level = 0 if ceiling == 0 and rnd >= start else level
            stance = STANCES[level]
            has_kind = stance in ("offered", "committed")
            vetoed = code == vetoed_state and rnd >= 2
            pledge = UNIT[kind] * (1 + rnd // 2) if has_kind else 0.0
            rows.append(
                {
                    "run": run,
                    "round": rnd,
                    "state": code,
                    "stance": stance,
                    "kind": kind if has_kind else "",
                    "pledge": pledge,
                    "counted": has_kind and kind == "troops" and not vetoed,
                    "payoff": float(rng.normal()),
                    **{c: float(rng.normal(0, 0.1)) for c in COMPONENTS},
                    "binding_red_line": "no_decommissioning" if level == 2 else "",
                    "demand": "drop_decommissioning" if level == 2 else "",
                    "vetoed": vetoed,
                }
            )
        final[code] = (rows[-1]["stance"], kind)
    return rows, final


COMPONENTS = ("incentives", "distance", "risk", "domestic", "conformity", "bandwagon")
COMPONENTS += ("side_payment", "noise")


def _round_rows(states_df, run, n_rounds, rng):
    rows = []
    by_round = dict(list(states_df.groupby("round")))
    for rnd in range(1, n_rounds + 1):
        now = by_round[rnd]
        row = {
            "run": run,
            "round": rnd,
            "clarity": rnd / n_rounds,
            "force": float(now.loc[now["counted"], "pledge"].sum()),
            "committed": int((now["stance"] == "committed").sum()),
        }
        pledged = now.groupby("kind")["pledge"].sum()
        for kind in KINDS:
            row[f"pledged.{kind}"] = float(pledged.get(kind, 0.0))
        row["term.use_of_force"] = "defence_of_mandate"
        row["term.tasks"] = "ceasefire_monitoring;border_security"
        row["term.national_caveats"] = rnd > 3
        for player in VETO:
            accept = float(np.clip(0.4 + 0.05 * rnd + rng.normal(0, 0.05), 0, 1))
            row[f"accept.{player}"] = accept
            row[f"accepts.{player}"] = accept >= 0.5
        row["consent.HAM"] = 0.3
        row["incidents"] = int(rng.integers(0, 3))
        row["incident_level"] = float(rng.uniform())
        row["concession"] = ""
        rows.append(row)
    return rows


def _bands(rounds_df):
    rows = []
    series = ["force", *[f"accept.{p}" for p in VETO]]
    for rnd, group in rounds_df.groupby("round"):
        for name in series:
            values = group[name].to_numpy(dtype=float)
            rows.append(
                {
                    "round": int(rnd),
                    "series": name,
                    "median": float(np.median(values)),
                    "p05": float(np.quantile(values, 0.05)),
                    "p95": float(np.quantile(values, 0.95)),
                }
            )
    return pd.DataFrame(rows)


def build(n_runs=3, n_rounds=6, states=None, seed=7, concessions=True):
    """(tables, meta) for a synthetic scenario; deterministic for a given seed."""
    states = dict(states or STATES)
    codes = list(states)
    rng = np.random.default_rng(seed)
    state_rows, round_rows, run_rows, finals = [], [], [], []
    made_options = ["allow_caveats@3", "allow_caveats@2;drop_decommissioning@5", ""]
    for run in range(n_runs):
        rows, final = _state_rows(rng, run, n_rounds, codes, list(KINDS), codes[-1])
        state_rows += rows
        finals.append(final)
        df = pd.DataFrame(rows)
        round_rows += _round_rows(df, run, n_rounds, rng)
        members = sorted(c for c, (s, _) in final.items() if s == "committed")
        force = float(df[(df["round"] == n_rounds) & df["counted"]]["pledge"].sum())
        run_rows.append(
            {
                "run": run,
                "outcome": ["formed", "undersized", "stalled"][run % 3],
                "rounds": n_rounds,
                "force": force,
                "coalition": ";".join(members),
                "concessions": made_options[run % 3] if concessions else "",
                "side_payments": 0.1 * run,
            }
        )
    runs = pd.DataFrame(run_rows)
    rounds = pd.DataFrame(round_rows)
    commits = pd.DataFrame(
        [
            {
                "state": code,
                "kind": kind,
                "p_commit": sum(f[code] == ("committed", kind) for f in finals) / n_runs,
            }
            for code in codes
            for kind in KINDS
        ]
    )
    shares = runs["coalition"].value_counts(normalize=True, sort=True)
    coalitions = pd.DataFrame({"members": shares.index, "share": shares.to_numpy()})
    tables = {
        "runs": runs,
        "rounds": rounds,
        "states": pd.DataFrame(state_rows),
        "commits": commits,
        "coalitions": coalitions,
        "bands": _bands(rounds),
    }
    meta = {
        "title": "Synthetic stabilization force",
        "scenario": "synthetic",
        "target": 4000.0,
        "minimum_viable": 2000.0,
        "deadline": max(1, n_rounds - 1),
        "rounds": n_rounds,
        "runs": n_runs,
        "states": states,
        "kinds": dict(KINDS),
        "kind_measure": dict(MEASURE),
        "counted_kinds": ["troops"],
        "veto_players": dict(VETO),
        "veto_thresholds": {"ISR": 0.5, "UNSC": 0.6},
        "hosts": {"HAM": "Hamas"},
        "concessions": dict(CONCESSIONS),
        "representative_run": 1,
    }
    return tables, meta


@pytest.fixture
def synthetic():
    """3 runs, 6 rounds, 5 states, 3 kinds, 2 veto players."""
    return build()


@pytest.fixture(scope="session")
def make_tables():
    """The builder itself, for tests that need other sizes or seeds."""
    return build


@pytest.fixture
def figures(monkeypatch):
    """Every Figure a chart saves, kept open for inspection after it is written."""
    from sim.charts import style

    kept = []
    real = style.save

    def keep(fig, out_dir, name):
        kept.append(fig)
        return real(fig, out_dir, name)

    monkeypatch.setattr(style, "save", keep)
    return kept
