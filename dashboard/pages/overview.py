"""Overblik: for politicians. The headline figures, one plain sentence and the savings per budget
year with the 5-95 % band."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, html

from .. import charts, i18n
from ..compute import best
from ..i18n import t
from ..inputs import checked
from ..outcome import headline, sentence, source

if TYPE_CHECKING:
    from ..factory import Services

PATH = "/"
NAME = "overview"


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    return html.Div([
        html.H2(t("page.overview", lang)),
        dmc.Text(id="ov-sentence", size="lg", className="sentence"),
        html.Div(id="ov-kpis", className="kpis"),
        charts.graph("ov-savings", t("chart.savings", lang)),
        dmc.Text(id="ov-source", size="sm", c="dimmed"),
    ])


def register(app: Dash, services: "Services") -> None:
    @app.callback(
        Output("ov-kpis", "children"), Output("ov-sentence", "children"), Output("ov-savings", "figure"),
        Output("ov-source", "children"),
        Input("inputs", "data"), Input("run-finished", "data"), State("lang", "value"),
    )
    def show(values: Any, _finished: Any, lang: Any):
        lang = i18n.language(lang)
        values = checked(values, services.limits)
        outcome = best(values, services.seed, services.cache)
        return (headline(outcome, lang, "ov", {"base": 1, "sm": 2, "lg": 5}), sentence(outcome, values, lang),
                charts.savings(outcome.comparison, lang, with_band=outcome.simulated), source(outcome, lang))
