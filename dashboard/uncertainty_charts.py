"""The uncertainty page's figure: a tornado of the expected NPV, one assumption at a time.

Same conventions as `dashboard.charts`: Okabe and Ito's palette, millions of kroner with the
language's unit and separators, the safe modebar (`charts.graph`).
"""

from __future__ import annotations

import plotly.graph_objects as go

from sim.sensitivity import Tornado

from .charts import MILLION, OKABE_ITO, _style
from .i18n import number, t

LOW_COLOUR = OKABE_ITO[0]  # blue
HIGH_COLOUR = OKABE_ITO[1]  # orange


def parameter_name(key: str, lang: str) -> str:
    """An assumption in plain words (its dotted key if the table has no words for it yet)."""
    try:
        return t(f"param.{key}", lang)
    except KeyError:
        return key


def tornado(result: Tornado, lang: str, years: int, top: int = 12) -> go.Figure:
    """For each of the `top` parameters with the largest swing (largest at the top): a bar from the
    NPV with every assumption at its value to the NPV at the parameter's low value, and one to the
    NPV at its high value."""
    rows = result.table.head(top).iloc[::-1]  # plotly draws the first category at the bottom
    base = result.base_npv_dkk / MILLION
    names = [parameter_name(k, lang) for k in rows["parameter"]]
    unit = t("unit.million_dkk", lang, year=result.price_year)
    fig = go.Figure()
    for column, bound, colour, label in (("npv_low_dkk", "low", LOW_COLOUR, "chart.tornado_low"),
                                         ("npv_high_dkk", "high", HIGH_COLOUR, "chart.tornado_high")):
        npv = rows[column] / MILLION
        fig.add_bar(y=names, x=npv - base, base=base, orientation="h", name=t(label, lang), marker_color=colour,
                    customdata=list(zip(npv, rows[bound])),
                    hovertemplate="%{y}<br>" + t(label, lang) + " (%{customdata[1]:,.4~g}): "
                                  "%{customdata[0]:,.1f} " + unit + "<extra></extra>")
    fig.add_vline(x=base, line_color="#222222", line_width=2)
    fig.add_annotation(x=base, y=1, yref="paper", yanchor="bottom", showarrow=False, font_size=12,
                       text=f"{t('chart.tornado_base', lang)}: {number(base, lang, 1)} {unit}")
    _style(fig, lang, t("chart.tornado", lang), height=max(320, 34 * len(rows) + 170))
    fig.update_layout(barmode="overlay", hovermode="closest", bargap=0.3, margin=dict(l=20, t=80),
                      legend=dict(orientation="h", y=-0.12, yanchor="top", x=0))
    fig.update_xaxes(title=t("chart.tornado_axis", lang, years=years, unit=unit), tickformat=",.0f",
                     zeroline=True, zerolinecolor="#BBBBBB", zerolinewidth=1)
    fig.update_yaxes(automargin=True, tickfont_size=13)
    return fig
