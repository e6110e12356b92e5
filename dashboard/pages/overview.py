"""Overblik: for politicians. One plain sentence, what the plan does for the children (fewer
placed, more years at home, help sooner), the money's headline figures and the savings per budget
year with the 5-95 % band, every amount in one price year; the budget view (per budget year,
undiscounted) beside the present value, each named plainly, and who carries the investment and who
receives the savings (MSB, MBU, the state's refusion); then how much of the assumed effect the plan needs (break-even) and
where the net effect comes from (a waterfall by lever and cost item, sim.levers). The second part
takes seconds for a new set of inputs (`dashboard.compute.explanation`), so it has its own callback
and spinner: the rest of the page is drawn without waiting for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Output, dcc, html

import sim

from .. import charts
from ..compute import Outcome, explanation, on_outcome
from ..i18n import percent, t
from ..outcome import budget, children, headline, payers, sentence, source

if TYPE_CHECKING:
    from ..services import Services

PATH = "/"
NAME = "overview"


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    return html.Div([
        html.H2(t("page.overview", lang)),
        dmc.Text(id="ov-sentence", size="lg", className="sentence"),
        html.H3(t("kpi.children", lang)),
        html.Div(id="ov-children", className="kpis"),
        html.H3(t("kpi.money", lang)),
        html.Div(id="ov-kpis", className="kpis"),
        charts.graph("ov-savings", t("chart.savings", lang)),
        dmc.Text(id="ov-source", size="sm", c="dimmed"),
        html.Div(id="ov-budget"),
        dcc.Loading([dmc.Text(id="ov-break-even", size="lg", className="sentence", mt="md"),
                     charts.graph("ov-waterfall", t("chart.waterfall", lang))], type="dot"),
    ])


def break_even_sentence(explanation: sim.Explanation, lang: str) -> str:
    fraction = explanation.break_even.fraction
    if fraction is None:
        return t("sentence.break_even_none", lang)
    if fraction == 0:
        return t("sentence.break_even_zero", lang)
    return t("sentence.break_even", lang, x=percent(fraction, lang))


def register(app: Dash, services: "Services") -> None:
    @on_outcome(app, services, Output("ov-children", "children"), Output("ov-kpis", "children"),
                Output("ov-sentence", "children"), Output("ov-savings", "figure"), Output("ov-source", "children"))
    def show(outcome: Outcome, values: dict[str, Any], lang: str):
        return (children(outcome, lang, "ov"), headline(outcome, lang, "ov", {"base": 1, "sm": 2, "lg": 4}),
                sentence(outcome, values, lang),
                charts.savings(outcome.comparison, lang, with_band=outcome.simulated), source(outcome, lang))

    @on_outcome(app, services, Output("ov-budget", "children"))
    def budget_view(outcome: Outcome, _values: dict[str, Any], lang: str):
        """The budget year by year beside the present value (sim.finance's budget view), then who
        pays and who saves (sim.payers)."""
        return [budget(outcome, lang), payers(outcome, lang)]

    @on_outcome(app, services, Output("ov-break-even", "children"), Output("ov-waterfall", "figure"))
    def explained(outcome: Outcome, _values: dict[str, Any], lang: str):
        split = explanation(outcome, services.cache, alone=False)  # each lever alone: in the export
        return (break_even_sentence(split, lang),
                charts.waterfall(split.npv_by_channel_dkk, lang, outcome.comparison.summary.price_year))
