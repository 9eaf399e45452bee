"""The Explore view: pick a scenario from the list, set the mandate, run the ensemble.

The list is the shipped scenarios and the teacher's local scenario files
(`sim.web.scenarios`); a local file that is no valid scenario shows its
one-line validation error instead of the mandate.

Every mandate term is a widget built from the scenario's vocabulary (levels: a
dropdown; a task set: checkboxes; a boolean: a switch; a number: a slider).
Run builds the variant (`scenarios.variant`) and runs it with `sim.run`, with
the scenario's own seed, so the numbers shown are those `forcegen run` gives
for the same mandate, runs and seed. A result can be pinned and set beside the
next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import solara

import sim
from sim.numbers import force, pct, share_ci
from sim.scenario.errors import ScenarioError
from sim.web import scenarios
from sim.web.text import Md

MAX_RUNS = 20_000


@dataclass
class Outcome:
    """One run of the Explore view: what was run and the numbers shown."""

    scenario: str
    changes: str
    runs: int
    seed: int
    formed: int  # runs that formed
    p_formed: float
    p_deployed: float | None
    force_formed: str
    commits: list[tuple[str, float, str]]  # (state name, p_commit, text), highest first
    results: Any  # sim.Results (for the charts)

    @property
    def p_formed_text(self) -> str:
        return share_ci(self.p_formed, self.runs)


def outcome(rel: str, values: dict[str, Any], runs: int, progress=None) -> Outcome:
    """Run the scenario `rel` with the mandate `values` (`runs` runs, its own seed)."""
    sc = scenarios.load(rel)
    res = sim.run(scenarios.variant(sc, values), runs=runs, progress=progress)
    s = res.summary
    n = int(s["runs"])
    p = float(s["outcome"]["formed"])
    dep = s.get("deployment") or {}
    ff = s["force_formed"]
    commits = sorted(
        (
            (v["name"], float(v["p_commit"]), share_ci(float(v["p_commit"]), n))
            for v in s["states"].values()
        ),
        key=lambda row: -row[1],
    )
    return Outcome(
        scenario=rel,
        changes=scenarios.changes_text(sc, values),
        runs=n,
        seed=int(res.scenario.run.seed),
        formed=int((res.runs["outcome"] == "formed").sum()),
        p_formed=p,
        p_deployed=float(dep["p_deployed"]) if dep.get("staged") else None,
        force_formed=(
            f"{force(ff['median'])} (5–95%: {force(ff['p05'])}–{force(ff['p95'])})"
            if ff.get("runs")
            else "no run formed"
        ),
        commits=commits,
        results=res,
    )


@solara.component
def Numbers(out: Outcome, title: str) -> None:
    """The key numbers of one result."""
    with solara.Card(title, subtitle=f"{out.scenario}: {out.changes}"):
        solara.Text(
            f"P(formed): {out.p_formed_text} — {out.formed} of {out.runs} runs (seed {out.seed})",
            classes=["p-formed"],
        )
        solara.HTML(tag="br")
        if out.p_deployed is not None:
            solara.Text(
                f"P(deployed): {share_ci(out.p_deployed, out.runs)}", classes=["p-deployed"]
            )
            solara.HTML(tag="br")
        solara.Text(f"Counted force where formed: {out.force_formed}", classes=["force-formed"])
        rows = [f"| {name} | {text} |" for name, p, text in out.commits if p > 0]
        rest = [name for name, p, _ in out.commits if p <= 0]
        Md(
            "| state | P(commit) |\n|---|---|\n"
            + "\n".join(rows or ["| none | 0% |"])
            + (f"\n\nNever committed: {', '.join(rest)}." if rest else "")
        )


@solara.component
def TermWidget(term: str, label: str, kind: str, levels: list, value, on_value) -> None:
    """One mandate term as a widget."""
    if kind in ("ordinal", "categorical"):
        solara.Select(label=label, values=levels, value=value, on_value=on_value)
    elif kind == "boolean":
        solara.Switch(label=label, value=bool(value), on_value=on_value)
    elif kind == "task_set":
        solara.Text(label)
        with solara.Row(style={"flex-wrap": "wrap"}):
            for task in levels:

                def toggle(on: bool, task=task) -> None:
                    chosen = set(value) | {task} if on else set(value) - {task}
                    on_value([t for t in levels if t in chosen])

                solara.Checkbox(label=task.replace("_", " "), value=task in value, on_value=toggle)
    else:
        solara.SliderFloat(
            label, value=float(value), min=0.0, max=1.0, step=0.01, on_value=on_value
        )


@solara.component
def Mandate(rel: str, on_run) -> None:
    """The mandate widgets of scenario `rel`, the runs, and the Run button."""
    sc = scenarios.load(rel)
    terms = scenarios.widgets(sc)
    values, set_values = solara.use_state({t: v for t, _, _, _, v in terms})
    runs, set_runs = solara.use_state(int(sc.run.runs))
    error, set_error = solara.use_state("")
    Md(f"**{sc.title}** — {len(sc.states)} states; seed {sc.run.seed}.")
    for term, label, kind, levels, _ in terms:

        def change(v, term=term) -> None:
            set_values({**values, term: v})

        TermWidget(term, label, kind, levels, values[term], change)

    def run() -> None:
        if not 1 <= int(runs or 0) <= MAX_RUNS:
            set_error(f"Runs: expected a whole number from 1 to {MAX_RUNS:,}, got {runs}.")
            return
        try:  # a value a browser sent outside the vocabulary: one line, not a run's traceback
            scenarios.variant(sc, values)
        except (ScenarioError, TypeError) as exc:
            set_error(f"The mandate cannot be run: {exc}")
            return
        set_error("")
        on_run(dict(values), int(runs))

    with solara.Row():
        solara.InputInt("Runs", value=runs, on_value=set_runs, style={"max-width": "12em"})
        solara.Button("Run", on_click=run, color="primary", classes=["run-button"])
        solara.Button(
            "Reset the mandate",
            on_click=lambda: set_values({t: v for t, _, _, _, v in terms}),
            text=True,
        )
    if error:
        solara.Error(error, classes=["explore-error"])


@solara.component
def Explore(current: solara.Reactive[str]) -> None:
    """The whole view: the list, the mandate, the run, the numbers, the charts, the pin."""
    typed, set_typed = solara.use_state("")
    refused, set_refused = solara.use_state("")
    request, set_request = solara.use_state(None)
    progress, set_progress = solara.use_state(0.0)
    pinned, set_pinned = solara.use_state(None)
    chart, set_chart = solara.use_state("force_bands")

    def work():
        if request is None:
            return None
        rel, values, runs, _n = request
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            set_progress(min(done[0] / runs, 1.0))

        return outcome(rel, values, runs, tick)

    result = solara.use_thread(work, dependencies=[request], intrusive_cancel=False)

    def open_typed(text: str) -> None:
        set_typed(text)
        if not text.strip():
            return
        try:
            rel = scenarios.resolve(text)
        except ScenarioError as exc:
            set_refused(str(exc))
            return
        set_refused("")
        current.set(rel)

    def start(values: dict, runs: int) -> None:
        set_progress(0.0)
        set_request((current.value, values, runs, (request or (0, 0, 0, 0))[3] + 1))

    with solara.Columns([1, 2]):
        with solara.Column():
            solara.Select(
                label="Scenario (shipped and local files)",
                values=list(scenarios.listed()),
                value=current.value,
                on_value=current.set,
                classes=["scenario-select"],
            )
            solara.InputText(
                "Or type a scenario path", value=typed, on_value=open_typed, classes=["path-input"]
            )
            if refused:
                solara.Error(refused, classes=["path-error"])
            try:
                scenarios.load(current.value)
            except ScenarioError as exc:
                solara.Error(f"This scenario cannot be opened: {exc}", classes=["scenario-error"])
            else:
                Mandate(current.value, start).key(current.value)
        with solara.Column():
            if result.state == solara.ResultState.RUNNING:
                solara.Text(f"Running… {pct(progress)}", classes=["running"])
                solara.ProgressLinear(value=progress * 100)
            elif result.state == solara.ResultState.ERROR:
                solara.Error(f"The run failed: {result.error}")
            out = result.value if result.state == solara.ResultState.FINISHED else None
            if out is None and request is None:
                solara.Info("Set the mandate and press Run.")
            if out is not None:
                with solara.Row():
                    solara.Button(
                        "Pin this result", on_click=lambda: set_pinned(out), classes=["pin"]
                    )
                    if pinned is not None:
                        solara.Button("Unpin", on_click=lambda: set_pinned(None), text=True)
                with solara.Columns([1, 1] if pinned is not None else [1]):
                    Numbers(out, "This result")
                    if pinned is not None:
                        Numbers(pinned, "Pinned")
                names = out.results.names
                name = chart if chart in names else names[0]
                solara.Select(label="Chart", values=names, value=name, on_value=set_chart)
                Chart(out, name)


@solara.component
def Chart(out: Outcome, name: str) -> None:
    """One chart of a result, as the results folder draws it (built once per result)."""
    fig = solara.use_memo(lambda: out.results.figure(name), [id(out), name])
    solara.FigureMatplotlib(fig, dependencies=[id(out), name], format="png", dpi=80)
