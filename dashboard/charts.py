"""The figures: savings per budget year with their band, the rollout Gantt, per-district results.

Colours are Okabe and Ito's colour-blind-safe palette; money is shown in millions of kroner with
the language's unit and separators (from the i18n table); the plotly modebar never offers its
cloud-share button.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc, html
from plotly.subplots import make_subplots

import sim

from .i18n import number, t

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CLASSIC_GREY = "#BBBBBB"
PILOT_COLOUR = "#7F7F7F"  # darker than the classic grey, apart from the waves' colours
MILLION = 1e6
# plotly_white with only what the figures here use: the cartesian layout and the trace types drawn.
# The whole template (defaults for every trace type and kind of axis plotly knows) takes some 30 ms
# to copy into each figure, a third of what a slider move may take.
_WHITE = pio.templates["plotly_white"]
TEMPLATE = go.layout.Template(
    layout={k: v for k, v in _WHITE.layout.to_plotly_json().items()
            if k not in ("coloraxis", "colorscale", "geo", "polar", "scene", "ternary")},
    data={k: _WHITE.data[k] for k in ("bar", "scatter", "waterfall")})
GRAPH_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def graph(id: str, label: str, figure: go.Figure | None = None) -> html.Figure:
    """A graph with the safe modebar, inside a figure element named for screen readers."""
    return html.Figure(dcc.Graph(id=id, config=GRAPH_CONFIG, figure=figure or empty()), **{"aria-label": label},
                       className="chart")


def empty() -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, height=120, xaxis_visible=False, yaxis_visible=False,
                      margin=dict(l=10, r=10, t=10, b=10))
    return fig


def _style(fig: go.Figure, lang: str, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE, title=dict(text=title, x=0, font_size=16), height=height,
        separators=t("format.separators", lang), colorway=OKABE_ITO, hovermode="x unified",
        legend=dict(orientation="h", y=-0.18, x=0), margin=dict(l=60, r=20, t=50, b=60),
        font=dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13),
    )
    return fig


def _by_statistic(yearly: pd.DataFrame, column: str) -> pd.DataFrame:
    return yearly.pivot(index="year", columns="statistic", values=column).sort_index() / MILLION


def savings(comparison: sim.Comparison, lang: str, with_band: bool) -> go.Figure:
    """Net effect per budget year (bars, with 5-95 % whiskers) and the cumulative net (line, band)."""
    net = _by_statistic(comparison.yearly, "net_dkk")
    cum = _by_statistic(comparison.yearly, "cumulative_net_dkk")
    years = net.index.to_list()
    unit = t("unit.million_dkk", lang, year=comparison.summary.price_year)
    hover = "%{y:,.1f} " + unit
    fig = go.Figure()
    fig.add_bar(x=years, y=net["mean"], name=t("chart.net", lang), marker_color=OKABE_ITO[0],
                hovertemplate=hover,
                error_y=dict(type="data", symmetric=False, array=net["p95"] - net["mean"],
                             arrayminus=net["mean"] - net["p05"], color="#555555", thickness=1.2)
                if with_band else None)
    if with_band:
        fig.add_scatter(x=years + years[::-1], y=list(cum["p95"]) + list(cum["p05"])[::-1], fill="toself",
                        fillcolor="rgba(230,159,0,0.22)", line=dict(width=0), name=t("chart.band", lang),
                        hoverinfo="skip")
    fig.add_scatter(x=years, y=cum["mean"], mode="lines+markers", name=t("chart.cumulative", lang),
                    line=dict(color=OKABE_ITO[5], width=3), marker=dict(symbol="diamond", size=8),
                    hovertemplate=hover)
    fig.add_hline(y=0, line_color="#333333", line_width=1)
    _style(fig, lang, t("chart.savings", lang))
    fig.update_xaxes(title=t("chart.year", lang), tickformat="d", dtick=1)
    fig.update_yaxes(title=unit, zeroline=False)
    return fig


def gantt(scenario: sim.Scenario, lang: str, switches: pd.DataFrame | None = None) -> go.Figure:
    """One row per district: its first team until it switched (grey: classic; a pilot colour: the pilot
    team working there since 2019 or 2021), relational from then (a colour per wave); a district's
    children, and its need index where it is not 1, beside its name. switches: when each district
    switched per replication (sim.Comparison.switches): the bars start at the median, and where the
    replications differ (a savings-gated rollout) a line spans their 5-95 % range; without, the
    scenario's calendar."""
    end = scenario.end
    if switches is None:
        dates = list(scenario.rollout_dates())
        low = high = dates
    else:
        stats = sim.switch_statistics(switches).reindex([d.name for d in scenario.districts])

        def column(name: str) -> list[dt.date | None]:
            return [None if pd.isna(v) else v.date() for v in stats[name]]

        dates, low, high = column("p50"), column("p05"), column("p95")
    spread = {d.name: (lo, hi) for d, lo, hi in zip(scenario.districts, low, high) if lo != hi}
    rows = sorted(zip(scenario.districts, dates), key=lambda x: (x[1] or dt.date.max, x[0].name), reverse=True)
    fig = go.Figure()

    def label(d) -> str:
        children = number(d.children, lang)
        if d.need == 1:
            return t("dist.label", lang, name=d.name, children=children)
        return t("dist.need", lang, name=d.name, children=children, need=number(d.need, lang, 1))

    ms = 86_400_000
    pilot_name = t("chart.pilot", lang, caseload=number(scenario.assumptions.caseload.pilot.value, lang))
    for pilots, colour, name in ((False, CLASSIC_GREY, t("chart.classic", lang)), (True, PILOT_COLOUR, pilot_name)):
        sel = [(d, date) for d, date in rows if (d.pilot_since is not None) == pilots]
        if not sel:
            continue
        starts = [min(date, end) if date else end for _, date in sel]
        fig.add_bar(y=[label(d) for d, _ in sel], x=[(s - scenario.start).days * ms for s in starts],
                    base=[scenario.start.isoformat()] * len(sel), orientation="h", marker_color=colour, name=name,
                    hoverinfo="y+name")
    for wave in sorted({d.wave for d, date in rows if date and date < end}):
        sel = [(d, date) for d, date in rows if d.wave == wave and date and date < end]
        fig.add_bar(y=[label(d) for d, _ in sel], x=[(end - date).days * ms for _, date in sel],
                    base=[date.isoformat() for _, date in sel], orientation="h",
                    marker_color=OKABE_ITO[(wave - 1) % len(OKABE_ITO)], name=t("chart.wave", lang, n=wave),
                    hovertemplate="%{y}: %{base|%Y-%m}<extra>" + t("chart.wave", lang, n=wave) + "</extra>")
    if spread:
        x: list[str | None] = []
        y: list[str | None] = []
        for d, _ in rows:
            if d.name in spread:
                lo, hi = spread[d.name]
                x += [(lo or end).isoformat(), (hi or end).isoformat(), None]
                y += [label(d), label(d), None]
        fig.add_scatter(x=x, y=y, mode="lines+markers", line=dict(color="#000000", width=1.2),
                        marker=dict(symbol="line-ns", size=9, line=dict(width=2, color="#000000")),
                        name=t("chart.switch_spread", lang), hoverinfo="skip")
    fig.update_yaxes(categoryorder="array", categoryarray=[label(d) for d, _ in rows])
    _style(fig, lang, t("chart.gantt", lang), height=max(360, 17 * len(rows) + 120))
    fig.update_layout(barmode="overlay", hovermode="closest", legend=dict(y=-0.03, yanchor="top", x=0),
                      margin=dict(b=90))
    fig.update_xaxes(type="date", range=[scenario.start.isoformat(), end.isoformat()], dtick="M12",
                     tickformat="%Y")
    fig.update_yaxes(tickfont_size=11)
    return fig


def per_district(comparison: sim.Comparison, lang: str) -> go.Figure:
    """By district over the horizon: costs saved minus investment, placements avoided, and the
    children of the district's cohorts placed within two years avoided (sim.cohort; empty until
    simulated: the analytic preview follows no children)."""
    cols = ["cost_total_dkk", "intrusive_starts", "cohort_placed_24m"]
    s = comparison.scenario_yearly.groupby(["replication", "district"])[cols].sum(min_count=1).groupby("district").mean()
    b = comparison.baseline_yearly.groupby(["replication", "district"])[cols].sum(min_count=1).groupby("district").mean()
    diff = (b - s).reindex(s.index).sort_values("cost_total_dkk")
    unit = t("unit.million_dkk", lang, year=comparison.summary.price_year)
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.04, column_widths=[0.44, 0.28, 0.28],
                        subplot_titles=(t("chart.district_net", lang) + f" ({unit})",
                                        t("chart.district_placements", lang), t("chart.district_children", lang)))
    fig.update_annotations(font_size=13)
    net = diff["cost_total_dkk"] / MILLION
    fig.add_bar(y=diff.index, x=net, orientation="h", row=1, col=1, showlegend=False,
                marker_color=[OKABE_ITO[0] if v >= 0 else OKABE_ITO[5] for v in net],
                hovertemplate="%{y}: %{x:,.1f} " + unit + "<extra></extra>")
    for col, column in ((2, "intrusive_starts"), (3, "cohort_placed_24m")):
        fig.add_bar(y=diff.index, x=diff[column], orientation="h", row=1, col=col, showlegend=False,
                    marker_color=OKABE_ITO[2 if col == 2 else 3], hovertemplate="%{y}: %{x:,.1f}<extra></extra>")
    _style(fig, lang, t("chart.districts", lang), height=max(360, 17 * len(diff) + 140))
    fig.update_layout(hovermode="closest", margin=dict(t=110))
    fig.update_yaxes(tickfont_size=11)
    return fig


def compared(series: list[tuple[str, sim.Comparison]], lang: str) -> go.Figure:
    """The cumulative net of several scenarios on one axis."""
    fig = go.Figure()
    unit = t("unit.million_dkk", lang, year=series[0][1].summary.price_year)
    dashes = ["solid", "dash", "dot", "dashdot", "longdash"]
    for i, (name, comparison) in enumerate(series):
        cum = _by_statistic(comparison.yearly, "cumulative_net_dkk")
        fig.add_scatter(x=cum.index, y=cum["mean"], mode="lines+markers", name=name,
                        line=dict(color=OKABE_ITO[i % len(OKABE_ITO)], width=3, dash=dashes[i % len(dashes)]),
                        hovertemplate="%{y:,.1f} " + unit)
    fig.add_hline(y=0, line_color="#333333", line_width=1)
    _style(fig, lang, t("chart.compare", lang), height=380)
    fig.update_xaxes(title=t("chart.year", lang), tickformat="d", dtick=1)
    fig.update_yaxes(title=unit)
    return fig


def waterfall(channels: dict[str, float], lang: str, price_year: int) -> go.Figure:
    """The net effect's present value built up channel by channel (sim.levers: each lever's
    Shapley value, the case slots, then the investment), ending in the total."""
    unit = t("unit.million_dkk", lang, year=price_year)
    shown = {k: v / MILLION for k, v in channels.items() if abs(v) >= 0.05 * MILLION}
    names = [t(f"channel.{k}", lang) for k in shown] + [t("chart.waterfall_total", lang)]
    values = list(shown.values())
    fig = go.Figure(go.Waterfall(
        orientation="v", x=names, y=values + [sum(channels.values()) / MILLION],
        measure=["relative"] * len(values) + ["total"],
        increasing=dict(marker_color=OKABE_ITO[2]), decreasing=dict(marker_color=OKABE_ITO[5]),
        totals=dict(marker_color=OKABE_ITO[0]), connector=dict(line_color="#999999"),
        hovertemplate="%{x}: %{y:,.1f} " + unit + "<extra></extra>",
        texttemplate="%{y:,.0f}", textposition="outside"))
    _style(fig, lang, t("chart.waterfall", lang), height=440)
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(b=120))
    fig.update_yaxes(title=unit)
    fig.update_xaxes(tickangle=-30)
    return fig
