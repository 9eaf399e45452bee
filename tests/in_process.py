"""The command line run in this process, and what a refusal of it looks like."""

from __future__ import annotations


def refused(result: tuple[int, str, str], *fragments: str) -> str:
    """Exit 2, one line `error: ...` holding every fragment, no traceback."""
    code, _out, err = result
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
