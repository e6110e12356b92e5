"""Distrikter: the rollout timeline (a Gantt chart of waves) and results per district; filled by
dashboard.outcome."""

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
        html.H2(t("page.districts", lang)),
        dmc.Text(t("dist.intro", lang)),
        dmc.SimpleGrid([graph("dist-gantt", t("chart.gantt", lang)),
                        graph("dist-results", t("chart.districts", lang))],
                       cols={"base": 1, "lg": 2}),
    ])
