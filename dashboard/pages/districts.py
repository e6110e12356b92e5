"""Distrikter: the rollout timeline (a Gantt chart of waves) and results per district."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Output, html

from .. import charts
from ..compute import Outcome, on_outcome
from ..i18n import t

if TYPE_CHECKING:
    from ..services import Services

PATH = "/distrikter"
NAME = "districts"


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    return html.Div([
        html.H2(t("page.districts", lang)),
        dmc.Text(t("dist.intro", lang)),
        dmc.SimpleGrid([charts.graph("dist-gantt", t("chart.gantt", lang)),
                        charts.graph("dist-results", t("chart.districts", lang))],
                       cols={"base": 1, "lg": 2}),
    ])


def register(app: Dash, services: "Services") -> None:
    @on_outcome(app, services, Output("dist-gantt", "figure"), Output("dist-results", "figure"))
    def show(outcome: Outcome, _values: dict[str, Any], lang: str):
        return (charts.gantt(outcome.scenario, lang, outcome.comparison.switches),
                charts.per_district(outcome.comparison, lang))
