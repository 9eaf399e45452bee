"""Every evidence item cites a source a reader can check, listed in docs/sources.md.

A source is written "Outlet, 'Headline', date, URL" (a title in [brackets] is a
description where the headline could not be checked; the URL may be missing).
The shipped scenario files are the ones git tracks; without git, the files on
disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from shipped import tracked

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load, resolve
from sim.scenario.schema import Evidence, Scenario

ROOT = Path(__file__).resolve().parents[2]
SOURCES_MD = ROOT / "docs" / "sources.md"
FORBIDDEN = ("seed 0", "seeds 0", "../shared", "shared/facts", "shared/seeds")

CITATION = re.compile(
    r"^(?P<outlet>[^,]+?), "
    r"(?P<title>'[^\n]+'|\[[^\n]+\]), "
    r"(?P<date>\d{4}-\d{2}(?:-\d{2})?|n\.d\.)"
    r"(?:, (?P<url>https?://\S+))?$"
)

# Which section of docs/sources.md a scenario folder's sources belong to.
SECTION_OF_FOLDER = {
    "isf": "ISF 2025",
    "teaching": "ISF 2025",
    "unifil2006": "UNIFIL 2006",
    "haiti2023": "Haiti 2023",
}


def shipped_files() -> list[Path]:
    """Scenario files tracked by git (sweep files are not scenarios)."""
    paths = tracked(ROOT / "scenarios") or list((ROOT / "scenarios").rglob("*"))
    return sorted(p for p in paths if p.suffix == ".yaml" and "sweeps" not in p.parts)


def parse_citation(text: str) -> dict[str, str] | None:
    """The parts of a citation, or None when it is not in the house format."""
    m = CITATION.match(text.strip())
    if not m:
        return None
    parts = m.groupdict()
    if not parts["outlet"].strip() or len(parts["title"]) < 3:
        return None
    return parts


def parse_sources_md(text: str) -> dict[str, str]:
    """Citation -> section heading, from the `- ` entries under `## ` headings."""
    entries: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].split("(")[0].strip()
        elif line.startswith("- "):
            citation = line[2:].strip()
            assert citation not in entries, f"listed twice in docs/sources.md: {citation}"
            entries[citation] = section
    return entries


def _evidence_of(sc: Scenario) -> Iterator[tuple[str, Evidence]]:
    for code, st in sc.states.items():
        for ev in st.evidence:
            yield f"states.{code}", ev
        for rl in st.red_lines:
            for ev in rl.evidence:
                yield f"states.{code}.red_lines.{rl.id}", ev
    for ev in sc.broker.evidence:
        yield "broker", ev
    for vid, vp in sc.veto_players.items():
        for ev in vp.evidence:
            yield f"veto_players.{vid}", ev
        for rl in vp.requires:
            for ev in rl.evidence:
                yield f"veto_players.{vid}.requires.{rl.id}", ev
    for hid, host in sc.hosts.items():
        for ev in host.evidence:
            yield f"hosts.{hid}", ev


def _raw_evidence(node: object, where: str = "") -> Iterator[tuple[str, Evidence]]:
    """Evidence anywhere in a raw mapping (for partial files that do not load)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key == "evidence" and isinstance(value, list):
                for item in value:
                    yield here, Evidence(**item)
            else:
                yield from _raw_evidence(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _raw_evidence(item, f"{where}[{i}]")


def cited_sources(path: Path) -> list[tuple[str, str]]:
    """(where, source) for every evidence item and `sources` entry of a file."""
    try:
        sc = load(path)
    except ScenarioError as exc:
        assert "mandate" in str(exc), str(exc)  # a partial file others extend
        raw = resolve(path)
        items = list(_raw_evidence(raw))
        listed = raw.get("sources", [])
    else:
        items = list(_evidence_of(sc))
        listed = sc.sources
    out = [(where, ev.source or "") for where, ev in items]
    out += [("sources", s) for s in listed]
    return out


FILES = shipped_files()
ENTRIES = parse_sources_md(SOURCES_MD.read_text(encoding="utf-8"))
CITED = {path: cited_sources(path) for path in FILES}


def test_there_is_something_to_check() -> None:
    assert any("isf" in p.parts for p in FILES)
    assert sum(len(v) for v in CITED.values()) > 50
    assert {"ISF 2025", "UNIFIL 2006", "Haiti 2023"} <= set(ENTRIES.values())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_every_source_is_checkable_and_listed(path: Path) -> None:
    section = SECTION_OF_FOLDER.get(path.relative_to(ROOT / "scenarios").parts[0])
    problems = []
    for where, source in CITED[path]:
        if any(bad in source for bad in FORBIDDEN):
            problems.append(f"{where}: cites a file a reader does not have: {source!r}")
        if parse_citation(source) is None:
            problems.append(f"{where}: not 'Outlet, 'Title', date, URL': {source!r}")
        if source not in ENTRIES:
            problems.append(f"{where}: not listed in docs/sources.md: {source!r}")
        elif section and ENTRIES[source] != section:
            problems.append(f"{where}: listed under {ENTRIES[source]!r}, not {section!r}")
    assert not problems, "\n".join(problems)


def test_every_listed_source_is_well_formed_and_cited() -> None:
    used = {source for items in CITED.values() for _, source in items}
    evidence_used = {
        source for items in CITED.values() for where, source in items if where != "sources"
    }
    bad = [c for c in ENTRIES if parse_citation(c) is None]
    stale = [c for c in ENTRIES if c not in evidence_used]
    assert not bad, f"entries of docs/sources.md not in the house format: {bad}"
    assert not stale, f"entries of docs/sources.md that no evidence item cites: {stale}"
    assert used <= set(ENTRIES)


def test_no_scenario_text_points_outside_the_repository() -> None:
    paths = [*FILES, ROOT / "scenarios" / "README.md"]
    hits = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in paths
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if any(bad in line.lower() for bad in FORBIDDEN)
    ]
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize(
    "source",
    [
        "seed 003",
        "https://www.dawn.com/news/1951387",
        "Dawn, 2025-10-26, https://www.dawn.com/news/1951387",
        "'Netanyahu says Israel will decide', 2025-10-26, https://www.dawn.com/news/1951387",
        "Dawn, 'Netanyahu says Israel will decide', https://www.dawn.com/news/1951387",
        "Dawn, 'Netanyahu says Israel will decide', October 2025",
        "Dawn, 'Netanyahu says Israel will decide', 2025-10-26, see ../shared/facts",
    ],
)
def test_the_parser_rejects_an_incomplete_citation(source: str) -> None:
    assert parse_citation(source) is None


def test_the_parser_reads_a_full_citation() -> None:
    parts = parse_citation(
        "Gulf News, 'UAE ‘probably’ won’t join Gaza stabilisation force because it lacks "
        "a clear framework: Gargash', 2025-11-10, https://gulfnews.com/x"
    )
    assert parts is not None
    assert parts["outlet"] == "Gulf News" and parts["date"] == "2025-11-10"
    assert parts["url"] == "https://gulfnews.com/x"
    no_url = parse_citation("UNIFIL, [the mandate page], n.d.")
    assert no_url is not None and no_url["url"] is None


def test_a_bad_item_would_fail() -> None:
    """The checks above catch a seed citation and an unlisted source."""
    for source in ("seed 002", "Reuters, 'Not a real headline', 2025-11-14"):
        assert any(bad in source for bad in FORBIDDEN) or source not in ENTRIES
    made_up = "Reuters, 'Not a real headline', 2025-11-14"
    assert parse_citation(made_up) is not None and made_up not in ENTRIES
    entries = parse_sources_md("## ISF 2025 (x)\n\n- " + made_up + "\n  Checked: no.\n")
    assert entries == {made_up: "ISF 2025"}
