"""Every Python example in the README and docs/ runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    """(where, code) of every ```python block."""
    out = []
    for doc in DOCS:
        for i, match in enumerate(BLOCK.finditer(doc.read_text(encoding="utf-8"))):
            out.append((f"{doc.relative_to(ROOT)}#{i + 1}", match.group(1)))
    return out


def test_the_readme_has_python_examples() -> None:
    assert any(where.startswith("README.md") for where, _ in blocks())


@pytest.mark.parametrize(("where", "code"), blocks(), ids=[w for w, _ in blocks()])
def test_example_runs(where: str, code: str, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__doc_example__"}
    exec(compile(code, where, "exec"), namespace)
    if where.startswith("README.md") and "weeks" in namespace:
        weeks = namespace["weeks"]
        assert set(weeks["run"]) == {0, 1, 2}
        assert {"stance", "force", "outcome"} <= set(weeks.columns)
