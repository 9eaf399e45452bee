"""Shared helpers for the explore tests: paths, a small what-if scenario, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
ISF = ROOT / "scenarios" / "isf"
SWEEPS = ROOT / "scenarios" / "sweeps"
FLAGSHIP = ISF / "res2803.yaml"

runner = CliRunner()


def whatif_states() -> dict[str, dict]:
    """PAK is out only because of decommissioning; EGY also objects to enforcement."""
    return {
        "PAK": {
            "red_lines": [
                {"id": "no_disarmament", "term": "tasks", "excludes": "weapons_decommissioning"}
            ]
        },
        "EGY": {
            "red_lines": [
                {"id": "no_disarmament", "term": "tasks", "excludes": "weapons_decommissioning"},
                {"id": "peacekeeping", "term": "use_of_force", "at_most": "defence_of_mandate"},
            ]
        },
        "IDN": {},
    }


@pytest.fixture
def whatif_file(tmp_path: Path, scenario_spec) -> Path:
    """A small scenario file: a mandate with decommissioning and enforcement, Israel a
    veto player that wants decommissioning, no concessions on the broker's menu."""
    spec = scenario_spec(
        whatif_states(),
        mandate={
            "use_of_force": "enforcement",
            "tasks": ["ceasefire_monitoring", "weapons_decommissioning"],
        },
        veto_players={
            "ISR": {
                "name": "Israel",
                "base": 0.35,
                "threshold": 0.5,
                "effects": {"tasks": {"weapons_decommissioning": 0.3}},
            }
        },
        broker={"target": 2000, "minimum_viable": 1000},
    )
    spec["name"] = "whatif_case"
    path = tmp_path / "whatif_case.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def one_line(text: str) -> str:
    """The single line of a refusal (asserting there is exactly one)."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]
