"""Atomic results folders that never touch what forcegen did not make.

Everything is written into a hidden sibling folder (`.NAME.partial-PID-XXXX`)
and renamed into place only when complete, so a failed or interrupted command
never leaves a folder that looks complete; a previous complete folder is
replaced only at the very end.

Only a folder forcegen itself wrote is ever replaced. Each folder gets a small
marker file, `.forcegen`, listing the files forcegen wrote into it, each with
its size and CRC-32; a folder is replaceable when it is empty, or
when it holds that marker (or, for folders written before the marker existed, a
forcegen `manifest.json`) and nothing but the files listed, as forcegen left
them. Anything else (a user's folder, a file, a link, a folder with files added
or edited by hand) is refused with one line before any work is done
(`check_target`) and again just before the rename.

Partial folders left by a killed command (their process is gone, or they are
older than an hour and carry no process id) are removed by the next command
that writes the same folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from sim import interrupt

MARKER = ".forcegen"
"""The file in every folder forcegen writes: what it wrote there."""
MARKER_HEAD = "# written by forcegen; a later forcegen command may replace this folder\n"
STALE_SECONDS = 3600
"""A partial folder without a process id is left alone for this long."""
LEGACY_FILES = {
    "manifest.json",
    "summary.json",
    "runs.csv",
    "rounds.csv",
    "states.csv",
    "commits.csv",
    "coalitions.csv",
    "bands.csv",
    "report.md",
    "comparison.csv",
    "diff.csv",
    "compare.md",
    "sweep.csv",
    "tipping.csv",
    "sweep.md",
}
"""What a results, compare or sweep folder held before the marker existed."""
BAD_NAMES = ("", ".", "..")

_failed: list[Path] = []
"""Scratch folders of failed commands, removed again once worker processes have stopped."""


class FolderError(Exception):
    """An output folder that cannot be used: one line for the user.

    `code` is the exit status: 2 for a bad option (the path is the user's own
    folder, a file, no name), 1 for a fault of the environment (read-only, full).
    """

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


STAMP = "#= "
"""A marker line giving a file's size and CRC-32 as forcegen wrote it, `#= SIZE CRC PATH`
(a comment to a marker reader that predates it). The contents, not the time, so the
marker is the same bytes whenever the files are."""


UNSTAMPED = ("manifest.json",)
"""Files written with no stamp: the manifest records the command (its --out, its
workers), so folders of the same tables have the same marker."""


def _marker(folder: Path) -> str | None:
    try:
        return (folder / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _listed(folder: Path) -> set[str] | None:
    """The files the marker lists, or None when there is no readable marker."""
    text = _marker(folder)
    if text is None:
        return None
    return {ln for ln in text.splitlines() if ln and not ln.startswith("#")}


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each listed file's (size, CRC-32) as forcegen wrote it; empty for a marker
    written before the stamps existed."""
    stamps = {}
    for line in (_marker(folder) or "").splitlines():
        if line.startswith(STAMP):
            size, crc, name = [*line[len(STAMP) :].split(" ", 2), "", ""][:3]
            if size.isdigit() and crc.isdigit() and name:
                stamps[name] = (int(size), int(crc))
    return stamps


def _stamp(path: Path, size: int | None = None) -> tuple[int, int] | None:
    """(size, CRC-32) of a file (about 2 GB/s), None when it is gone or not a file;
    when its size is not `size` (given), the CRC is not computed (-1)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        length = path.stat().st_size
        if size is not None and length != size:
            return (length, -1)
        crc = 0
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                crc = zlib.crc32(chunk, crc)
    except OSError:
        return None
    return (length, crc)


def _changed(folder: Path) -> list[str]:
    """The files forcegen wrote here that have been edited since (their size or
    contents differ from the marker's stamp), so replacing the folder would lose the
    edit. A file deleted by hand holds nothing to lose."""
    stamps = _stamps(folder)
    return sorted(f for f, st in stamps.items() if _stamp(folder / f, st[0]) not in (None, st))


def intact(folder: Path, names: list[str]) -> bool:
    """Whether each of `names` is in `folder` as forcegen wrote it: listed in the
    marker with its size and CRC-32, and unchanged since. A file edited by hand
    (a table cut short, a number made a word), or one forcegen cannot vouch for
    (no stamp), is not: a command reusing a folder's tables reads them only then."""
    stamps = _stamps(folder)
    return all(n in stamps and _stamp(folder / n, stamps[n][0]) == stamps[n] for n in names)


def _legacy(folder: Path) -> bool:
    """A folder written by an earlier forcegen: its manifest names a forcegen command."""
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(m, dict) and list(m.get("command") or [])[:1] == ["forcegen"]


def _contents(folder: Path) -> tuple[list[str], list[str]]:
    """(files, folders) below `folder`, as relative POSIX paths; links count as files."""
    files: list[str] = []
    dirs: list[str] = []
    for root, subdirs, names in os.walk(folder):
        base = Path(root).relative_to(folder)
        for d in list(subdirs):
            if (Path(root) / d).is_symlink():
                subdirs.remove(d)
                names.append(d)
            else:
                dirs.append((base / d).as_posix())
        files += [(base / n).as_posix() for n in names]
    return files, dirs


def foreign(folder: Path) -> str | None:
    """Why forcegen may not replace the existing folder `folder` (None: it may)."""
    try:
        if not any(folder.iterdir()):
            return None
    except OSError as exc:
        return f"it cannot be read ({_why(exc)})"
    listed = _listed(folder)
    if listed is None and not _legacy(folder):
        return "it was not written by forcegen"  # said before walking a large folder
    files, dirs = _contents(folder)
    if listed is not None:
        allowed = listed | {MARKER}
    else:
        allowed = {f for f in files if f in LEGACY_FILES or _legacy_chart(f)}
    extra = sorted(f for f in files if f not in allowed)
    parents = {p.as_posix() for f in allowed for p in Path(f).parents}
    extra += sorted(d for d in dirs if d not in parents)
    if extra:
        more = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
        return f"it holds {extra[0]!r}{more}, which forcegen did not write"
    edited = _changed(folder)
    if edited:
        more = f" and {len(edited) - 1} more" if len(edited) > 1 else ""
        return f"its {edited[0]!r}{more} changed since forcegen wrote it"
    return None


def _legacy_chart(name: str) -> bool:
    p = Path(name)
    return len(p.parts) == 2 and p.parts[0] == "charts" and p.suffix in (".png", ".svg")


def check_target(final: Path, option: str = "--out") -> None:
    """Refuse, before any work, an output path forcegen may not write (FolderError)."""
    final = Path(final)
    shown = f"{option} {str(final)!r}" if option else f"{str(final)!r}"
    if final.name in BAD_NAMES:
        raise FolderError(f"{shown}: expected a folder name, e.g. results/mine")
    if final.is_symlink():
        raise FolderError(f"{shown}: is a link; forcegen writes only to a folder of its own")
    if final.exists():
        if not final.is_dir():
            raise FolderError(
                f"{shown}: a file of that name exists; forcegen does not replace files "
                "(choose another folder name)"
            )
        why = foreign(final)
        if why:
            raise FolderError(
                f"{shown}: the folder exists and {why}; forcegen replaces only its own "
                "results folders (choose a new folder name, or empty this one)"
            )
        return
    for parent in final.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise FolderError(f"{shown}: {str(parent)!r} is a file, not a folder")
            break


def _umask() -> int:
    """The process umask (read without changing it where the system allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def _stale(path: Path, tag: str) -> bool:
    """Whether a hidden sibling `.NAME.<tag>-...` was left by a command that is gone."""
    rest = path.name.rsplit(f".{tag}-", 1)[-1]
    pid, _, token = rest.partition("-")
    if pid.isdigit() and token:
        return not _alive(int(pid))
    if tag != "partial":
        return False  # an old-style `.NAME.old-XXXX` may hide a user's file: leave it
    try:
        return time.time() - path.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def remove_stale(final: Path) -> None:
    """Remove partial (and set-aside) folders of `final` whose command is gone."""
    final = Path(final)
    prefixes = {f".{final.name}.{tag}-": tag for tag in ("partial", "old")}
    try:
        siblings = list(final.parent.iterdir())
    except OSError:
        return
    for path in siblings:
        tag = next((t for p, t in prefixes.items() if path.name.startswith(p)), None)
        if tag is None or path.is_symlink() or not path.is_dir():
            continue
        if tag == "old" and _listed(path) is None and not _legacy(path):
            continue
        if _stale(path, tag):
            shutil.rmtree(path, ignore_errors=True)


def _scratch(final: Path) -> Path:
    """A fresh hidden sibling folder, with the permissions the umask gives (not 0700)."""
    mode = 0o777 & ~_umask()
    for _ in range(100):
        path = final.parent / f".{final.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        path.chmod(mode)  # mkdir already applies the umask; this also undoes a sticky default
        return path
    raise FileExistsError(errno.EEXIST, "no free name for a partial folder", str(final.parent))


def _mark(folder: Path) -> None:
    """Write the marker: the sorted list of every file forcegen put in `folder`."""
    files = sorted(f for f in _contents(folder)[0] if f != MARKER)
    body = "".join(f"{f}\n" for f in files)
    stamps = ((f, _stamp(folder / f)) for f in files if f not in UNSTAMPED)
    body += "".join(f"{STAMP}{st[0]} {st[1]} {f}\n" for f, st in stamps if st is not None)
    (folder / MARKER).write_text(MARKER_HEAD + body, encoding="utf-8")


def _set_aside(final: Path) -> Path | None:
    """Move the previous forcegen folder out of the way (None if there is nothing to move)."""
    if not final.exists():
        return None
    if final.is_dir() and not any(final.iterdir()):
        return None  # an empty folder: the rename replaces it
    old = final.parent / f".{final.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.rename(final, old)
    except FileNotFoundError:
        return None  # another command moved it meanwhile
    return old


def _install(scratch: Path, final: Path) -> None:
    """Rename `scratch` to `final`, replacing only a folder forcegen wrote.

    Two commands finishing the same folder at the same instant both succeed:
    the one that renames last wins, and neither fails with ENOTEMPTY.
    """
    for _ in range(50):
        check_target(final, option="")
        old = _set_aside(final)
        try:
            os.rename(scratch, final)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):  # someone else finished first
                if old is not None:
                    shutil.rmtree(old, ignore_errors=True)
                time.sleep(0.01)
                continue
            if old is not None:
                with contextlib.suppress(OSError):
                    os.rename(old, final)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    raise FolderError(f"{str(final)!r}: other commands kept writing this folder; try again", 1)


def remove_failed() -> None:
    """Remove again the scratch folders of failed commands (after workers have stopped)."""
    while _failed:
        shutil.rmtree(_failed.pop(), ignore_errors=True)


@contextlib.contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a scratch folder; on success it becomes `final`, on failure it vanishes.

    Raises FolderError when `final` may not be written (code 2: it is not
    forcegen's; code 1: the environment refused, e.g. a read-only or full disk).
    """
    final = Path(final)
    check_target(final, option="")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(final)
        scratch = _scratch(final)
    except OSError as exc:
        raise FolderError(f"cannot create {str(final)!r}: {_why(exc)}", 1) from None
    try:
        try:
            yield scratch
            interrupt.check()  # nothing is put in place after Ctrl-C, even a swallowed one
            _mark(scratch)
            _install(scratch, final)
        except OSError as exc:
            raise FolderError(f"cannot write {str(final)!r}: {_why(exc)}", 1) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        _failed.append(scratch)
        raise
