"""Usikkerhed: which assumptions move the net effect most, as a tornado of expected values.

Each varied assumption (`sim.sensitivity.varied_parameters`) goes to its low and to its high value
on its own, through the baseline rule, and the analytic twin gives the expected NPV at each end
(`sim.sensitivity.tornado`). About eighty evaluations, most with the Herning saving solved again,
take several seconds, so it is computed at lower priority and kept for every server process
(`dashboard.compute.swings`); a table below the chart links each assumption to its row on
Antagelser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from sim.sensitivity import Tornado

from .. import charts, i18n
from ..compute import swings
from ..i18n import t
from ..inputs import YEARS, InputError, checked, money_keys, to_experiment, to_query
from ..shell import table
from ..uncertainty_charts import parameter_name
from ..uncertainty_charts import tornado as tornado_chart

if TYPE_CHECKING:
    from ..services import Services

PATH = "/usikkerhed"
NAME = "uncertainty"
TOP = 12
ASSUMPTIONS_PATH = "/antagelser"


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    computing = dmc.Group([dmc.Loader(size="sm"), dmc.Text(t("unc.computing", lang))], id="unc-computing",
                          justify="center", py="xl")
    return html.Div([
        html.H2(t("page.uncertainty", lang)),
        dmc.Text(t("unc.intro", lang), className="sentence"),
        dcc.Loading(html.Div([
            charts.graph("unc-tornado", t("chart.tornado", lang)),
            dmc.Text(id="unc-explain", className="sentence", size="sm"),
            html.Div(id="unc-table"),
        ]), custom_spinner=computing, overlay_style={"visibility": "visible", "opacity": 0.35}),
    ])


def _table(result: Tornado, values: dict[str, Any], lang: str) -> html.Div:
    query = to_query(values)
    unit = t("unit.million_dkk", lang, year=result.price_year)

    def bound(x: float, parameter: str) -> str:  # money in whole kroner, else as few decimals as it has (at most 3)
        if parameter in money_keys():
            return i18n.money(x, lang)
        return i18n.number(x, lang, next((d for d in range(3) if round(x, d) == x), 3))

    def npv(x: float) -> str:
        return f"{i18n.number(x / charts.MILLION, lang, 1)} {unit}"

    rows = [[dcc.Link(parameter_name(r.parameter, lang), href=f"{ASSUMPTIONS_PATH}{query}#param-{r.parameter}",
                      className="unc-link", title=r.parameter),
             bound(r.low, r.parameter), bound(r.high, r.parameter), npv(r.npv_low_dkk), npv(r.npv_high_dkk), npv(r.swing_dkk)]
            for r in result.table.head(TOP).itertuples()]
    head = [t(k, lang) for k in ("unc.param", "unc.low", "unc.high", "unc.npv_low", "unc.npv_high", "unc.swing")]
    return html.Div([html.H3(t("unc.table", lang)), table(head, rows, fz="sm", id="unc-links")],
                    className="assumptions-table")


def register(app: Dash, services: "Services") -> None:
    @app.callback(
        Output("unc-tornado", "figure"), Output("unc-explain", "children"), Output("unc-table", "children"),
        Input("inputs", "data"), State("lang", "value"),
    )
    def show(values: Any, lang: Any):
        lang = i18n.language(lang)
        values = checked(values, services.limits)
        try:
            experiment = to_experiment(values, services.seed)
        except InputError:  # the inputs' own callback shows the refusal
            raise PreventUpdate from None
        result = swings(experiment, services.cache)
        years = values[YEARS]
        shown = min(TOP, len(result.table))
        explain = t("unc.explain", lang, years=years, n=shown, total=len(result.table),
                    npv=f"{i18n.number(result.base_npv_dkk / charts.MILLION, lang, 1)} {t('unit.million_dkk', lang, year=result.price_year)}")
        return tornado_chart(result, lang, years, TOP), explain, _table(result, values, lang)

    # A link from the table opens Antagelser at the assumption's row (once the table is there). The
    # link's #param-KEY is read from the location component: the shell rewrites the address bar
    # with the inputs' query string (without the fragment) as the page opens.
    app.clientside_callback(
        """function(children, hash) {
            hash = decodeURIComponent(hash || "");
            if (children && hash.startsWith("#param-")) {
                const mark = (tries) => {  // the table reaches the page a moment after this callback
                    const target = document.getElementById(hash.slice(1));
                    if (!target) { if (tries > 0) { setTimeout(() => mark(tries - 1), 50); } return; }
                    const row = target.closest("tr") || target;
                    row.style.background = "#fff3bf";
                    row.scrollIntoView({block: "center"});
                };
                mark(40);
            }
            return window.dash_clientside.no_update;
        }""",
        Output("ass-table", "className"), Input("ass-table", "children"), State("url", "hash"),
    )
