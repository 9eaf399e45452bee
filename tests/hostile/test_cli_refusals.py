"""Command-line options a hostile-input sweep found accepted, crashing or misdiagnosed.

Each refusal is one line on stderr naming the option and what it expects, exit
status 2, no traceback, nothing written; each option's valid values still work.
The commands run in this process through `sim.cli.main` (as `forcegen` runs
them, usage errors included), with no scheduler connected to and no server left.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from in_process import refused

from sim import parallel

from .helpers import FLAGSHIP, ROOT

SWEEP = ROOT / "scenarios" / "sweeps" / "target_x_deadline.yaml"
ROBUST = ROOT / "scenarios" / "sweeps" / "robust_mandates.yaml"
HUGE = str(2**64)  # 18446744073709551616: beyond int64


# ---------------------------------------------------------------- --scheduler

SCHEDULER_COMMANDS = {
    "run": ["run", FLAGSHIP, "--runs", "5", "--formats", "none", "--quiet"],
    "compare": ["compare", FLAGSHIP, FLAGSHIP, "--runs", "5", "--formats", "none"],
    "sweep": ["sweep", SWEEP, "--runs", "2", "--formats", "none"],
    "whatif": ["whatif", FLAGSHIP, "--state", "PAK", "--runs", "2"],
    "robust": ["robust", ROBUST, "--worlds", "2", "--runs-per-world", "1"],
}
EXPECTED_SCHEDULER = "expected 'local' or a Dask scheduler address tcp://HOST:PORT"


@pytest.mark.parametrize("command", sorted(SCHEDULER_COMMANDS))
@pytest.mark.parametrize(
    "address, why",
    [
        ("bogus", "(no port)"),
        ("ftp://x:1", "'ftp://' is not a scheme"),
        ("", "(an empty address)"),
        ("lokal", "did you mean 'local'?"),
        ("tcp://host:99999", "the port is a whole number from 1 to 65535"),
    ],
)
def test_a_malformed_scheduler_is_refused_before_any_work(
    forcegen, monkeypatch, tmp_path: Path, command: str, address: str, why: str
) -> None:
    def no_work(*_a, **_k):
        raise AssertionError("work started")

    monkeypatch.setattr(parallel, "Dask", no_work)
    monkeypatch.setattr(parallel, "make_executor", no_work)
    argv = [*SCHEDULER_COMMANDS[command], "--scheduler", address, "--out", tmp_path / "o"]
    refused(forcegen(*argv), f"--scheduler {address!r}", EXPECTED_SCHEDULER, why)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["local", "tcp://127.0.0.1:8786", "[::1]:8786", "h-1.x:1"])
def test_a_well_formed_scheduler_is_handed_to_dask(forcegen, monkeypatch, tmp_path, address):
    asked = []

    def dask(given: str, workers: int = 0) -> parallel.Executor:  # connects to nothing
        asked.append(given)
        return parallel.Serial()

    monkeypatch.setattr(parallel, "Dask", dask)
    code, _out, err = forcegen(
        *SCHEDULER_COMMANDS["run"], "--scheduler", address, "--out", tmp_path / "o"
    )
    assert code == 0, err
    assert asked == [address]
    assert (tmp_path / "o" / "runs.csv").is_file()


def test_the_dask_executor_checks_the_address_itself() -> None:
    with pytest.raises(parallel.ExecutorError, match="--scheduler 'bogus': expected"):
        parallel.Dask("bogus")
    with pytest.raises(parallel.ExecutorError, match="an empty address"):
        parallel.make_executor(1, "")


# ---------------------------------------------------------------- explain --run


def flagship_runs() -> int:
    from sim.scenario.loader import load

    return load(FLAGSHIP).run.runs


@pytest.mark.parametrize("beyond", [-1, 0, 2**64, 2**63])  # 0: the run count itself
def test_explain_refuses_a_run_outside_the_scenarios_runs(forcegen, tmp_path, beyond) -> None:
    runs = flagship_runs()
    run = beyond or runs
    result = forcegen("explain", FLAGSHIP, "--state", "PAK", "--run", run, "--out", tmp_path / "o")
    refused(result, f"--run: expected a run number from 0 to {runs - 1}", f"got {run}")
    assert list(tmp_path.iterdir()) == []


def test_explain_takes_the_last_run(forcegen, tmp_path) -> None:
    last = flagship_runs() - 1
    code, out, err = forcegen(
        "explain", FLAGSHIP, "--state", "PAK", "--run", last, "--formats", "none", "--out", tmp_path
    )
    assert code == 0, err
    assert "explanation:" in out


# ---------------------------------------------------------------- integer options

PLAY = ["play", FLAGSHIP, "--as", "PAK"]


@pytest.mark.parametrize(
    "argv, value, says",
    [
        (["run", FLAGSHIP, "--runs", "5", "--detail-runs"], HUGE, "--detail-runs: expected"),
        (["run", FLAGSHIP, "--runs", "5", "--detail-runs"], "0", "--detail-runs: expected"),
        (["run", FLAGSHIP, "--runs", "5", "--detail-runs"], "-1", "--detail-runs: expected"),
        (["run", FLAGSHIP, "--runs", "5", "--detail-runs"], "1000001", "at most 1,000,000"),
        (["run", FLAGSHIP, "--runs", "5", "--workers"], HUGE, "--workers: expected"),
        (["sweep", SWEEP, "--workers"], "-1", "--workers: expected a whole number >= 0"),
        (["sweep", SWEEP, "--steps"], "1001", "--steps: expected a whole number >= 2"),
        (["sweep", SWEEP, "--steps"], "1", "--steps: expected a whole number >= 2"),
        (["sweep", SWEEP, "--steps"], HUGE, "at most 1,000, got"),
        (["whatif", FLAGSHIP, "--state", "PAK", "--top"], HUGE, "--top: expected"),
        (["whatif", FLAGSHIP, "--state", "PAK", "--top"], "0", "--top: expected"),
        (["sensitivity", FLAGSHIP, "--top"], HUGE, "--top: expected"),
        (["robust", ROBUST, "--runs-per-world"], HUGE, "--runs-per-world: expected"),
        (["compare", FLAGSHIP, FLAGSHIP, "--workers"], HUGE, "--workers: expected"),
        (["robust", ROBUST, "--workers"], HUGE, "--workers: expected"),
        (["sensitivity", FLAGSHIP, "--workers"], HUGE, "--workers: expected"),
    ],
)
def test_an_integer_option_out_of_its_range_is_one_line(forcegen, tmp_path, argv, value, says):
    line = refused(
        forcegen(*argv, value, "--out", tmp_path / "o"), says, "expected", f"got {value}"
    )
    assert "9,223,372,036,854,775,807" in line or "1,000" in line  # the bound is named
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv, says",
    [  # refused where the scenario or sweep file is checked: still one line, exit 2
        (["run", FLAGSHIP, "--runs", HUGE], "run.runs"),
        (["run", FLAGSHIP, "--seed", HUGE], "run.seed"),
        ([*PLAY, "--seed", HUGE], "run.seed"),
        (["compare", FLAGSHIP, FLAGSHIP, "--runs", HUGE], "run.runs"),
        (["sweep", SWEEP, "--runs", HUGE], "runs"),
        (["whatif", FLAGSHIP, "--state", "PAK", "--runs", HUGE], "--runs"),
        (["discover", FLAGSHIP, "--outcome", "formed", "--runs", HUGE], "run.runs"),
        (["sensitivity", FLAGSHIP, "--seed", HUGE], "run.seed"),
        (["robust", ROBUST, "--worlds", HUGE], "--worlds"),
        (["robust", ROBUST, "--seed", HUGE], "--seed"),
        (["serve", "--port", HUGE], "--port"),
    ],
)
def test_every_other_integer_option_refuses_a_value_beyond_int64(forcegen, tmp_path, argv, says):
    refused(
        forcegen(*argv, "--out", tmp_path / "o") if argv[0] != "serve" else forcegen(*argv), says
    )
    assert list(tmp_path.iterdir()) == []


def test_the_bounds_are_those_of_the_files(forcegen) -> None:
    from sim import cli
    from sim.explore.sweep_file import MAX_STEPS
    from sim.scenario.schema import MAX_RUNS

    assert (cli.MAX_RUNS, cli.MAX_STEPS) == (MAX_RUNS, MAX_STEPS)


def test_the_largest_counts_still_run(forcegen, monkeypatch, tmp_path) -> None:
    """--detail-runs above the run count keeps every run's detail and is recorded as
    given (the manifest's command runs again); --workers above the cores is capped
    (the capped count is asked of the executor; the runs are made here, no pool spawned)."""
    asked = []

    def serial(workers: int, *_a, **_k) -> parallel.Executor:
        asked.append(workers)
        return parallel.Serial()

    monkeypatch.setattr(parallel, "make_executor", serial)
    out = tmp_path / "o"
    code, _out, err = forcegen(
        *SCHEDULER_COMMANDS["run"], "--detail-runs", "1000000", "--workers", 2**63 - 1, "--out", out
    )
    assert code == 0, err
    assert asked == [parallel.cores()]
    assert "note: --workers 9223372036854775807: this machine has" in err
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert manifest["detail_runs"] == 1_000_000
    rounds = (out / "rounds.csv").read_text().splitlines()
    assert {line.split(",")[0] for line in rounds[1:]} == {str(i) for i in range(5)}


# ---------------------------------------------------------------- --formats


@pytest.mark.parametrize(
    "argv",
    [
        ["run", FLAGSHIP, "--runs", "5", "--quiet"],
        ["explain", FLAGSHIP, "--state", "PAK"],
        ["sweep", SWEEP, "--runs", "2"],
        ["discover", FLAGSHIP, "--outcome", "formed"],
    ],
)
@pytest.mark.parametrize(
    "value, twice", [("png,png", "png"), ("svg, SVG", "svg"), ("png,svg,png", "png")]
)
def test_a_chart_format_given_twice_is_refused(forcegen, tmp_path, argv, value, twice) -> None:
    result = forcegen(*argv, "--formats", value, "--out", tmp_path / "o")
    refused(result, "--formats: expected png, svg", "each once", f"{twice!r} is given twice")
    assert list(tmp_path.iterdir()) == []


def test_formats_in_any_order_each_once_are_taken_and_others_refused() -> None:
    from sim.output import formats

    assert formats.parse("svg,png") == ("png", "svg")
    assert formats.parse(" SVG ") == ("svg",)
    assert formats.parse("none") == ()
    for bad, says in [("jpg", "got 'jpg'"), ("png,none", "'none' cannot be combined")]:
        with pytest.raises(ValueError, match=says):
            formats.parse(bad)


# ---------------------------------------------------------------- serve --host, --port

HOSTS = "expected an address or name of this machine (127.0.0.1: this machine only"


@pytest.fixture
def no_server(monkeypatch) -> list[tuple]:
    """`serve` checked but never started: what it would have served on."""
    pytest.importorskip("solara")
    from sim.web import server

    started: list[tuple] = []
    monkeypatch.setattr(server, "serve", lambda *args: started.append(args))
    return started


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "host, why",
    [
        ("no.such.host.invalid", "it is no address and no name that resolves"),
        ("999.1.1.1", "it is no address and no name that resolves"),
        ("192.0.2.1", "192.0.2.1 is not an address of this machine"),  # TEST-NET-1
        ("", "not an empty address"),
        ("  ", "not an empty address"),
    ],
)
def test_serve_says_what_is_wrong_with_the_host(forcegen, no_server, host, why) -> None:
    line = refused(forcegen("serve", "--host", host, "--port", free_port()), HOSTS, why)
    assert line.startswith(f"error: --host {host!r}: ")
    assert "in use" not in line
    assert no_server == []


def test_serve_says_a_port_in_use_is_in_use(forcegen, no_server) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused(forcegen("serve", "--port", port), f"--port {port}: the port is in use")
    assert "on 127.0.0.1; choose another with --port" in line
    assert no_server == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_serve_takes_an_address_of_this_machine(forcegen, no_server, host) -> None:
    port = free_port()
    code, out, err = forcegen("serve", "--host", host, "--port", port)
    assert code == 0, err
    assert no_server == [(host, port, None)]
    assert f"http://{host}:{port}/" in out


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "option, value, says",
    [
        ("--seed", "-1", "run.seed: Input should be greater than or equal to 0, got -1"),
        ("--seed", HUGE, "run.seed: Input should be less than or equal to"),
        ("--runs", "0", "run.runs: Input should be greater than or equal to 1, got 0"),
    ],
)
def test_discover_names_the_file_as_run_does(forcegen, tmp_path, option, value, says) -> None:
    argv = ["--outcome", "formed", option, value, "--out", tmp_path / "o"]
    line = refused(forcegen("discover", FLAGSHIP, *argv), f"error: {FLAGSHIP}: {says}")
    assert line == refused(forcegen("run", FLAGSHIP, option, value, "--out", tmp_path / "o"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("under", ["afile/x.json", "afile/deeper/x.json"])
def test_schema_out_under_a_file_says_it_is_a_file(forcegen, tmp_path, under) -> None:
    (tmp_path / "afile").write_text("mine\n", encoding="utf-8")
    out = tmp_path / under
    line = refused(
        forcegen("schema", "--out", out), f"--out {str(out)!r}: expected a file in a folder"
    )
    assert line.endswith(f"{str(tmp_path / 'afile')!r} is a file")
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine\n"
    refused(forcegen("schema", "--out", tmp_path / "nodir" / "x.json"), "no folder")
    code, _out, err = forcegen("schema", "sweep", "--out", tmp_path / "x.json")
    assert code == 0, err
    assert (tmp_path / "x.json").is_file()
