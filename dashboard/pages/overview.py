"""Overblik: for politicians. The headline figures, one plain sentence and the savings per budget
year with the 5-95 % band; filled by dashboard.outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import html

from ..charts import graph
from ..i18n import t

if TYPE_CHECKING:
    from ..factory import Services


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    return html.Div([
        html.H2(t("page.overview", lang)),
        dmc.Text(id="ov-sentence", size="lg", className="sentence"),
        html.Div(id="ov-kpis", className="kpis"),
        graph("ov-savings", t("chart.savings", lang)),
        dmc.Text(id="ov-source", size="sm", c="dimmed"),
    ])
