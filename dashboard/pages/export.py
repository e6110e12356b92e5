"""Eksport: the latest simulation of the current inputs as CSV for Danish Excel, plain CSV, the budget
view as CSV for Danish Excel, and xlsx (summary, budget, explained, yearly, monthly, assumptions with
sources, manifest), through dcc.Download. Every table states its price year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

import sim

from .. import i18n
from ..compute import Outcome, explanation, finished, on_outcome, prepare_workbook
from ..i18n import t
from ..inputs import checked
from ..shell import refusal

if TYPE_CHECKING:
    from ..services import Services

PATH = "/eksport"
NAME = "export"
# button id -> end of the file name
FORMATS = {"exp-csv-da": "-dansk-excel.csv", "exp-csv": ".csv", "exp-budget-da": "-budget-dansk-excel.csv",
           "exp-xlsx": ".xlsx"}


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    return html.Div([
        html.H2(t("page.export", lang)),
        dmc.Text(t("exp.intro", lang)),
        dmc.Text(id="exp-status", my="sm", fw=500),
        dmc.Group([
            dmc.Button(t("exp.csv_da", lang), id="exp-csv-da", n_clicks=0, disabled=True),
            dmc.Button(t("exp.csv", lang), id="exp-csv", n_clicks=0, disabled=True, variant="outline"),
            dmc.Button(t("exp.budget", lang), id="exp-budget-da", n_clicks=0, disabled=True, variant="outline"),
            dmc.Button(t("exp.xlsx", lang), id="exp-xlsx", n_clicks=0, disabled=True, variant="outline"),
        ]),
        dcc.Download(id="exp-download"),
        html.Div(id="exp-error", role="alert"),
    ])


def register(app: Dash, services: "Services") -> None:
    @on_outcome(app, services, Output("exp-status", "children"), *(Output(button, "disabled") for button in FORMATS))
    def status(outcome: Outcome, _values: dict[str, Any], lang: str):
        """Ready once the current inputs have been simulated (the export needs the uncertainty)."""
        if not outcome.simulated:
            return (html.Span(t("exp.need_run", lang)), *(True for _ in FORMATS))
        prepare_workbook(outcome, services.cache)
        return (html.Span(t("exp.ready", lang, n=outcome.replications, name=outcome.scenario.name)),
                *(False for _ in FORMATS))

    @app.callback(
        Output("exp-download", "data"), Output("exp-error", "children"),
        *(Input(button, "n_clicks") for button in FORMATS), State("inputs", "data"), State("lang", "value"),
        # the workbook may wait for each lever's break-even alone (`prepare_workbook`, begun when shown)
        running=[(Output("exp-xlsx", "loading"), True, False)],
        prevent_initial_call=True,
    )
    def download(*args: Any):
        *_clicks, values, lang = args
        lang = i18n.language(lang)
        button = callback_context.triggered_id
        if button not in FORMATS or not callback_context.triggered[0]["value"]:
            raise PreventUpdate
        outcome = finished(checked(values, services.limits), services.seed, services.cache, months=button == "exp-xlsx")
        if outcome is None:
            return None, refusal(t("exp.need_run", lang), lang)
        comparison, scenario = outcome.comparison, outcome.scenario
        if button == "exp-xlsx":
            split = explanation(outcome, services.cache, alone=True)  # the split: in the cache once Overblik has shown it
            data = sim.xlsx_bytes(sim.comparison_workbook(comparison, scenario, split))
        elif button == "exp-budget-da":
            data = sim.csv_bytes(sim.budget_frame(comparison.summary), "da")
        else:
            data = sim.csv_bytes(sim.yearly_frame(comparison), "da" if button == "exp-csv-da" else "plain")
        return dcc.send_bytes(data, f"relationel-velfaerd-{scenario.id}{FORMATS[button]}"), None
