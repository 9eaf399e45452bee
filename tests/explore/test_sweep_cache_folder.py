"""`forcegen sweep --cache DIR` adds files only to a folder forcegen made for its cache:
a user's folder (or a file) is refused in one line before any point is run; an empty
folder becomes a cache, with a marker; a cache written before the marker existed is
still served, and marked. Each sweep is two points of three runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from in_process import refused

from sim.explore import cache as cache_mod
from sim.explore.cache import MARKER, PointCache
from sim.output.folder import FolderError


@pytest.fixture
def sweep_file(tmp_path: Path, scenario_spec) -> Path:
    """A sweep of two points (the broker's target) over a small one-state scenario."""
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump(scenario_spec(), sort_keys=False), encoding="utf-8")
    spec = {
        "base": str(base),
        "runs": 3,
        "axes": [{"path": "broker.target", "values": [800, 1000]}],
    }
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def sweep(forcegen, sweep_file: Path, tmp_path: Path):
    """Run the two-point sweep with `--cache cache`; (exit status, stdout, stderr)."""

    def call(cache: Path, out: str = "out") -> tuple[int, str, str]:
        argv = ["sweep", sweep_file, "--workers", "1", "--out", tmp_path / out]
        return forcegen(*argv, "--cache", cache)

    return call


def points(folder: Path) -> list[str]:
    """The point files in a cache folder."""
    return sorted(p.name for p in folder.iterdir() if cache_mod.POINT_FILE.fullmatch(p.name))


def test_a_users_folder_is_refused_and_left_as_it_was(sweep, tmp_path: Path) -> None:
    """A folder holding the user's own file: exit 2, one line naming --cache, the path
    and what is expected; nothing added to it, the file untouched, no sweep folder."""
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    line = refused(sweep(folder), "--cache", str(folder), "'notes.txt'", "expected an empty")
    assert "choose another folder" in line
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "out").exists()


def test_a_folder_with_a_subfolder_is_refused(sweep, tmp_path: Path) -> None:
    """A subfolder is not the cache's, even beside point files."""
    folder = tmp_path / "cache"
    (folder / "drafts").mkdir(parents=True)
    (folder / ("a" * 40 + ".json")).write_text("{}", encoding="utf-8")
    refused(sweep(folder), "--cache", "'drafts'")
    assert sorted(p.name for p in folder.iterdir()) == ["a" * 40 + ".json", "drafts"]


def test_an_empty_folder_becomes_a_marked_cache(sweep, tmp_path: Path) -> None:
    """An empty folder is used: the points are stored, with the marker beside them; the
    same command again serves both points from the cache."""
    folder = tmp_path / "empty"
    folder.mkdir()
    code, out, err = sweep(folder)
    assert code == 0, err
    assert "computed 2, from the cache 0" in out
    assert len(points(folder)) == 2
    assert sorted(p.name for p in folder.iterdir()) == [MARKER, *points(folder)]
    assert (folder / MARKER).read_text(encoding="utf-8") == cache_mod.MARKER_TEXT
    code, out, err = sweep(folder, out="again")
    assert code == 0, err
    assert "computed 0, from the cache 2" in out


def test_an_old_cache_without_the_marker_is_served_and_marked(sweep, tmp_path: Path) -> None:
    """A cache written before the marker existed (point files, a point a killed sweep
    left half-written) is accepted: its points are served, and it is marked."""
    folder = tmp_path / "cache"
    code, _, err = sweep(folder)
    assert code == 0, err
    (folder / MARKER).unlink()  # as an earlier forcegen left it
    (folder / ".point-k1ll3d.tmp").write_text('{"key"', encoding="utf-8")
    code, out, err = sweep(folder, out="again")
    assert code == 0, err
    assert "computed 0, from the cache 2" in out
    assert (folder / MARKER).read_text(encoding="utf-8") == cache_mod.MARKER_TEXT


def test_a_file_for_the_cache_is_refused(sweep, tmp_path: Path) -> None:
    """A path that is a file: refused in one line, the file untouched."""
    path = tmp_path / "points.json"
    path.write_text("[]", encoding="utf-8")
    refused(sweep(path), "--cache", str(path))
    assert path.read_text(encoding="utf-8") == "[]"
    assert not (tmp_path / "out").exists()


def test_a_users_marker_named_file_does_not_make_a_cache(tmp_path: Path) -> None:
    """A file of the marker's name that forcegen did not write is the user's."""
    (tmp_path / MARKER).write_text("my notes\n", encoding="utf-8")
    with pytest.raises(FolderError, match=r"holds '\.forcegen-cache'"):
        PointCache(tmp_path)


WHY = {"file": ": is a file;", "under a file": "is a file, not a folder", "dangling link": "link"}


@pytest.mark.parametrize("kind", list(WHY))
def test_the_library_refuses_what_the_command_line_does(tmp_path: Path, kind: str) -> None:
    """`PointCache` (what `run_sweep` is given) checks its folder when made, so a caller
    other than the command line is refused too: FolderError, exit status 2."""
    target = tmp_path / "f"
    if kind == "dangling link":
        target.symlink_to(tmp_path / "gone")
    else:
        target.write_text("x", encoding="utf-8")
    folder = target / "cache" if kind == "under a file" else target
    with pytest.raises(FolderError) as caught:
        PointCache(folder)
    assert caught.value.code == 2
    assert str(caught.value).startswith(f"--cache {str(folder)!r}: ")
    assert WHY[kind] in str(caught.value) and "expected an empty folder" in str(caught.value)
    assert target.is_symlink() or target.read_text(encoding="utf-8") == "x"


def test_a_link_to_a_users_folder_is_refused(tmp_path: Path) -> None:
    """A link is judged by the folder it leads to: the user's, so refused."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "mine")
    with pytest.raises(FolderError, match=r"holds 'a\.txt'"):
        PointCache(tmp_path / "link")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["a.txt"]


@pytest.mark.parametrize(
    ("cache", "out"), [("same", "same"), ("same/points", "same"), ("top", "top/sweep")]
)
def test_a_cache_in_or_around_the_sweeps_folder_is_refused_before_any_point(
    sweep, tmp_path: Path, cache: str, out: str
) -> None:
    """The points would go into the folder the sweep replaces at its end (or the sweep
    into the cache): one line naming --cache and both paths, before any point runs."""
    line = refused(sweep(tmp_path / cache, out=out), "--cache", str(tmp_path / out), "apart")
    assert str(tmp_path / cache) in line
    assert not (tmp_path / cache).exists() and not (tmp_path / out).exists()
