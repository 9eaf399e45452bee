"""Atomic results folders.

Everything is written into a hidden sibling folder (`.NAME.partial-XXXX`) and
renamed into place only when complete, so a failed or interrupted run never
leaves a folder that looks complete; a previous complete folder is replaced
only at the very end.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a scratch folder; on success it becomes `final`, on failure it vanishes."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.old-{scratch.name.rsplit('-', 1)[-1]}"
        final.rename(old)
    scratch.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
