"""Every ```yaml example in docs/explore.md and docs/scenario-format.md loads, validates
and, where it is a whole file, runs on tiny settings.

An example a reader copies must work: the documented range axis (`values:
[[0.2, 0.4], [0.6, 0.8]]`) once crashed the sweep after every point had run.
Fragments are put where they belong in the flagship scenario (a red line on a
state, a concession on the broker's menu, effects on a veto player) and the
whole is validated with its cross-references.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.engine.ensemble import run_ensemble
from sim.explore.cache import PointCache
from sim.explore.sweep import load_sweep, run_sweep, write_sweep
from sim.parallel import Serial
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load, merge, validate
from sim.scenario.schema import TermSpec

from .conftest import FLAGSHIP, ISF, ROOT, SWEEPS

DOCS = [ROOT / "docs" / "explore.md", ROOT / "docs" / "scenario-format.md"]
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)


def examples() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            out.append((f"{doc.name}:{line}", match.group(1)))
    return out


EXAMPLES = examples()


def test_the_docs_have_yaml_examples() -> None:
    names = [n for n, _ in EXAMPLES]
    assert sum(n.startswith("explore.md") for n in names) >= 2
    assert sum(n.startswith("scenario-format.md") for n in names) >= 7


def flagship() -> dict:
    """The flagship scenario, resolved, as a plain mapping to put fragments into."""
    return load(FLAGSHIP).model_dump(mode="json", by_alias=True, exclude_defaults=False)


def run_tiny(sc) -> None:
    tables = run_ensemble(compile_scenario(sc), runs=2, detail=2)
    assert len(tables["runs"]) == 2


def check_sweep(data: dict, tmp_path: Path) -> None:
    """A sweep file (or its `axes:` alone, on the flagship) loads, runs every point on
    tiny settings, and writes its folder with a tipping table."""
    data = copy.deepcopy(data)
    base = data.get("base")
    data["base"] = str((SWEEPS / base).resolve()) if base else str(FLAGSHIP)
    file = tmp_path / "example_sweep.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    sw = load_sweep(file, runs=2, steps=2)
    result = run_sweep(sw, Serial(), PointCache(tmp_path / "cache"))
    out = tmp_path / "out"
    write_sweep(sw, result, out, ["forcegen", "sweep", str(file)])
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == len(sw.points)
    if sw.design == "grid":
        assert (out / "tipping.csv").is_file()
    assert (out / "sweep.md").read_text(encoding="utf-8").startswith("# Sweep:")


FRAGMENTS = {
    # top-level key of a fragment -> where it goes in the flagship
    "red_lines": ("states", "PAK", "red_lines"),
    "concessions": ("broker", "concessions"),
    "effects": ("veto_players", "ISR", "effects"),
    "peer_influence": ("peer_influence",),
    "world": ("world",),
}


@pytest.mark.parametrize(("where", "text"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_every_yaml_example_in_the_docs_works(where: str, text: str, tmp_path: Path) -> None:
    data = yaml.safe_load(text)
    assert isinstance(data, dict), f"{where}: an example is a mapping"
    if "axes" in data:
        check_sweep(data, tmp_path)
    elif "extends" in data:
        data["extends"] = str((ISF / data["extends"]).resolve())
        file = tmp_path / "variant.yaml"
        file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        run_tiny(load(file))
    elif "states" in data and "broker" in data:
        file = tmp_path / "scenario.yaml"
        file.write_text(text, encoding="utf-8")
        run_tiny(load(file))
    elif set(data) == {"vocabulary"}:
        for spec in data["vocabulary"].values():
            assert TermSpec.model_validate(spec).kind == spec["kind"]
    elif set(data) <= set(FRAGMENTS) | {"environment"}:
        spec = flagship()
        for key, value in data.items():
            if key == "environment":
                spec["environment"] = merge(spec.get("environment") or {}, value)
                continue
            *path, last = FRAGMENTS[key]
            node = spec
            for p in path:
                node = node[p]
            node[last] = value
        run_tiny(validate(spec))
    else:
        pytest.fail(f"{where}: no rule to check an example with keys {sorted(data)}")
