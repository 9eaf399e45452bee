"""Start-up: `forcegen --help` loads nothing heavy; commands still get real consoles."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
HEAVY = ("numpy", "pandas", "matplotlib", "rich", "yaml", "concurrent.futures", "sim.parallel")
"""What a request for help must not load (typer itself may load pydantic for its types)."""

LOADED = """
import sys
sys.argv = ["forcegen", *sys.argv[1:]]
from sim.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] if not m.startswith(("concurrent.", "sim.")) else m
                for m in sys.modules} & set(HEAVY))
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], []], ids=str)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    code = f"HEAVY = {HEAVY!r}\n" + LOADED
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage: forcegen" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "HEAVY:", proc.stderr


def _heavy_after(args: list[str]) -> subprocess.CompletedProcess:
    """Run the command line in a fresh interpreter; stderr ends with what heavy it loaded."""
    code = f"HEAVY = {('pandas', 'matplotlib')!r}\n" + LOADED
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=False
    )


def _refused_light(proc: subprocess.CompletedProcess, first: str, *absent: Path) -> None:
    """Refused in one line starting `first`, exit 2, before pandas or matplotlib loaded,
    and none of `absent` written."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert lines[0].startswith(first), lines
    assert lines[-1] == "HEAVY:", proc.stderr
    assert not any(path.exists() for path in absent)


@pytest.mark.parametrize(
    "body", ["runz: 3\n", "run: {runs: -1}\n", "states: {PAK: {risk_tolerance: nan}}\n"]
)
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_refused_scenario_is_refused_before_pandas_or_matplotlib_load(tmp_path, body, command):
    """A wrong scenario is refused in the time it takes to read it: `run` and `compare`
    import the tables' and charts' stack only once their input is checked."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {FLAGSHIP}\n{body}", encoding="utf-8")
    files = [bad] if command == "run" else [FLAGSHIP, bad]
    proc = _heavy_after([command, *files, "--out", tmp_path / "o"])
    _refused_light(proc, f"error: {bad}", tmp_path / "o")


@pytest.mark.parametrize(
    ("command", "args", "body", "says"),
    [
        ("explain", ["--state", "PAKK"], "", "--state: unknown state 'PAKK'"),
        ("play", ["--as", "PAKK"], "", "--as: unknown state 'PAKK'"),
        ("explain", ["--state", "PAK", "--run", "-1"], "", "--run: expected a run number"),
        ("explain", ["--state", "PAK"], "runz: 3\n", "{scenario}: runz"),
        ("play", ["--as", "PAK"], "runz: 3\n", "{scenario}: runz"),
        ("whatif", ["--state", "PAKK"], "", "--state: unknown state 'PAKK'"),
        ("whatif", ["--state", "PAK"], "runz: 3\n", "{scenario}: runz"),
    ],
)
def test_explain_play_and_whatif_refuse_before_pandas_or_matplotlib_load(
    tmp_path, command, args, body, says
):
    """A misspelt state or seat, a negative run or a wrong scenario file is refused
    before the engine, the tables and the charts are imported (explain and play took
    1.6-3.4 s to say so)."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {FLAGSHIP}\n{body}", encoding="utf-8")
    proc = _heavy_after([command, scenario, *args, "--out", tmp_path / "o"])
    _refused_light(proc, "error: " + says.format(scenario=scenario), tmp_path / "o")


ROBUST = ROOT / "scenarios" / "sweeps" / "robust_mandates.yaml"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["discover", FLAGSHIP, "--outcome", "fromed"], "--outcome: unknown outcome 'fromed'"),
        (["discover", FLAGSHIP, "--outcome", "commit.PAKK"], "--outcome: unknown state 'PAKK'"),
        (["discover", FLAGSHIP, "--outcome", "Force"], "--outcome: force is a number"),
        (["sensitivity", FLAGSHIP, "--method", "sobbol"], "--method: unknown method 'sobbol'"),
        (["sensitivity", FLAGSHIP, "--groups", "actr"], "--groups: unknown grouping 'actr'"),
        (["sensitivity", FLAGSHIP, "--outcome", "formd"], "--outcome: unknown outcome 'formd'"),
        (["robust", ROBUST, "--criterion", "regrett"], "--criterion: unknown criterion"),
    ],
)
def test_studies_refuse_a_misspelt_name_before_pandas_or_matplotlib_load(tmp_path, args, says):
    """A misspelt method, grouping, outcome or criterion is refused, with its likely
    name, before the study's stack is imported (0.6 s to say so before)."""
    proc = _heavy_after([*args, "--out", tmp_path / "o"])
    _refused_light(proc, f"error: {says}", tmp_path / "o")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["discover", "--outcome", "commit.PAKK", "--threshold", "2"], "--threshold: expected"),
        (["sensitivity", "--outcome", "formd", "--top", "0"], "--top: expected"),
    ],
)
def test_a_study_checks_the_outcome_after_what_it_checked_first(tmp_path, args, says):
    """The outcome is checked against the file's states only once the file loads; a
    file the loader refuses is left to the study, which refuses its options first, as
    before (a wrong threshold or --top, then the file)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {FLAGSHIP}\nrunz: 3\n", encoding="utf-8")
    proc = _heavy_after([args[0], bad, *args[1:], "--out", tmp_path / "o"])
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {says}"), proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "axis", ["mandate.use_of_forse", "states.XXX.risk_tolerance", "mandate.clarity"]
)
def test_a_refused_sweep_file_is_refused_before_pandas_or_matplotlib_load(tmp_path, axis):
    sweep = tmp_path / "bad.yaml"
    values = "[0.5, 7.0]" if axis == "mandate.clarity" else "[1]"
    sweep.write_text(f"base: {FLAGSHIP}\naxes:\n  - path: {axis}\n    values: {values}\n")
    proc = _heavy_after(["sweep", sweep, "--out", tmp_path / "o", "--cache", tmp_path / "c"])
    _refused_light(proc, f"error: {sweep}: axes[0]", tmp_path / "o", tmp_path / "c")


def test_a_run_on_a_terminal_shows_its_progress_and_finishes(tmp_path: Path) -> None:
    """On a terminal the progress bar enters the console as a context manager:
    the command hands it a real rich Console, not the stand-in of start-up."""
    out = tmp_path / "res"
    argv = [sys.executable, "-m", "sim", "run", str(FLAGSHIP), "--runs", "30"]
    argv += ["--out", str(out), "--formats", "none"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on a pseudo-terminal
        os.chdir(tmp_path)
        os.execv(sys.executable, argv)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Traceback" not in text and "TypeError" not in text
    assert f"results: {out}" in text.replace("\r", "").replace("\n", "")
    assert (out / "report.md").is_file()
