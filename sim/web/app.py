"""The page `forcegen serve` serves: three views, Explore, Watch and Class.

`/` is Explore (`explore`), `/watch` is Watch (`watch`), `/class` is Class
(`classview`, over `classroom`). The scenario chosen in Explore is the one
Watch steps and a new class plays; it starts as the one `forcegen serve` was
given (or `?scenario=` in the address), which must be in the page's list: the
shipped files and the teacher's local ones (`sim.web.scenarios`).
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")  # the page draws figures to PNG; no window, whatever MPLBACKEND says

import solara

from sim.scenario.errors import ScenarioError
from sim.web import scenarios
from sim.web.classview import Class, query
from sim.web.explore import Explore
from sim.web.server import SCENARIO_ENV
from sim.web.text import Md
from sim.web.watch import Watch

DEFAULT = "scenarios/isf/res2803.yaml"
VIEWS = (("Explore", "/"), ("Watch", "/watch"), ("Class", "/class"))


def first_scenario() -> str:
    """The scenario the page opens with: the one `serve` was given, else the flagship."""
    given = os.environ.get(SCENARIO_ENV)
    if given:
        return scenarios.resolve(given)
    listed = scenarios.listed()
    return DEFAULT if DEFAULT in listed else listed[0]


@solara.component
def Page() -> None:
    router = solara.use_router()
    path = "/" + (router.path or "/").strip("/")
    current = solara.use_reactive(first_scenario())
    asked = query(router.search).get("scenario")
    refused = ""
    if asked:
        try:
            rel = scenarios.resolve(asked)
        except ScenarioError as exc:
            refused = str(exc)
        else:
            if rel != current.value and path == "/":
                current.set(rel)
    index = next((i for i, (_, p) in enumerate(VIEWS) if p == path), 0)
    solara.Title("forcegen")
    with solara.Column(style={"padding": "12px"}):
        with solara.Row():
            Md("### forcegen — which coalition forms, and why")
        with solara.lab.Tabs(
            value=index, on_value=lambda i: router.push(VIEWS[i][1]), align="left"
        ):
            for label, _ in VIEWS:
                solara.lab.Tab(label)
        if refused:
            solara.Error(refused, classes=["path-error"])
        if index == 0:
            Explore(current)
        elif index == 1:
            Watch(current)
        else:
            Class(current)


@solara.component
def Layout(children: list | None = None) -> None:
    """No frame around the views (solara's default layout would add its own tabs)."""
    solara.Column(children=children or [])


routes = [solara.Route(path="/", component=Page, layout=Layout)] + [
    solara.Route(path=p.strip("/"), component=Page) for _, p in VIEWS[1:]
]
