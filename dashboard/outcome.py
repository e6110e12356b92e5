"""How an outcome reads: the headline figures, the plain sentence, where the numbers come from.

An outcome is the instant preview (analytic twin) or, once it has been run for exactly these
inputs, the full simulation with its uncertainty (dashboard.compute); Overblik and Scenarier show
it with these pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_mantine_components as dmc
from dash import html

import sim

from . import i18n
from .compute import Outcome
from .i18n import money, money_short, number, percent, signed, t


def _kpi(id: str, label: str, value: str, detail: str | None = None) -> dmc.Paper:
    return dmc.Paper([
        dmc.Text(label, size="sm", c="dimmed"),
        dmc.Text(value, id=id, fw=700, size="xl", className="kpi-value"),
        dmc.Text(detail, size="xs", c="dimmed") if detail else None,
    ], withBorder=True, p="md", radius="md", className="kpi")


def _payback(outcome: Outcome, lang: str) -> tuple[str, str | None]:
    summary = outcome.comparison.summary
    last = summary.horizon.last_year
    year = summary.payback_year
    value = str(year) if year is not None else t("kpi.payback_never", lang, year=last)
    detail = None
    if outcome.simulated:
        detail = t("kpi.payback_p", lang, p=percent(summary.p_payback_by_year[last], lang), year=last)
    return value, detail


def _range(stat: sim.Interval, lang: str, fmt: Callable[[float], str]) -> str | None:
    if stat.p05 is None:
        return None
    return t("kpi.range", lang, lo=fmt(stat.p05), hi=fmt(stat.p95))


def headline(outcome: Outcome, lang: str, prefix: str, cols: dict[str, int]) -> dmc.SimpleGrid:
    """The money and flow figures a politician asks for, with their 90 % intervals once simulated
    (the children's figures are `children`)."""
    s = outcome.comparison.summary
    band = outcome.simulated
    years = s.horizon.years
    payback, payback_detail = _payback(outcome, lang)
    days = lambda x: t("kpi.days", lang, x=signed(x, lang, 1))  # noqa: E731
    short = lambda x: money_short(x, lang)  # noqa: E731
    count = lambda x: number(x, lang)  # noqa: E731
    return dmc.SimpleGrid([
        _kpi(f"{prefix}-npv", t("kpi.npv", lang, years=years), short(s.npv_dkk.mean),
             _range(s.npv_dkk, lang, short) if band else money(s.npv_dkk.mean, lang)),
        _kpi(f"{prefix}-payback", t("kpi.payback", lang), payback, payback_detail),
        _kpi(f"{prefix}-placements", t("kpi.placements", lang), count(s.placements_avoided.mean),
             _range(s.placements_avoided, lang, count) if band else None),
        _kpi(f"{prefix}-wait", t("kpi.wait", lang), days(s.mean_wait_days_change.mean),
             _range(s.mean_wait_days_change, lang, days) if band else None),
    ], cols=cols, spacing="md")


def children(outcome: Outcome, lang: str, prefix: str) -> dmc.SimpleGrid:
    """What the plan does for the children it reaches (the same notified children in both arms,
    sim.cohort): fewer placed, more years at home, help sooner; with their 90 % intervals. The
    analytic preview follows no children, so it asks for a simulation instead."""
    s = outcome.comparison.summary
    count = lambda x: number(x, lang)  # noqa: E731
    sooner = lambda x: t("kpi.days_sooner" if x <= 0 else "kpi.days_later", lang,  # noqa: E731
                         x=number(abs(x), lang, 1))
    figures = ((f"{prefix}-children-placed", "kpi.children_placed", s.children_placed_avoided, count),
               (f"{prefix}-children-home", "kpi.children_home", s.child_years_at_home_gained, count),
               (f"{prefix}-children-help", "kpi.children_help", s.days_to_help_change, sooner))
    return dmc.SimpleGrid([
        _kpi(id, t(label, lang), fmt(stat.mean) if stat.mean is not None else "–",
             _range(stat, lang, fmt) if stat.mean is not None else t("kpi.children_need_run", lang))
        for id, label, stat, fmt in figures
    ], cols={"base": 1, "sm": 3}, spacing="md")


def sentence(outcome: Outcome, values: dict[str, Any], lang: str) -> str:
    """What the scenario does and what it gives, in one plain sentence (two, strictly)."""
    scenario, s = outcome.scenario, outcome.comparison.summary
    switched = sim.switch_statistics(outcome.comparison.switches)["p50"].dropna()  # the median (gated rollouts)
    dates = sorted(d for d in (v.date() for v in switched) if d < scenario.end)
    if dates:
        what = t("sentence.rollout", lang, n=len(dates), total=len(scenario.districts),
                 first=i18n.month(dates[0].isoformat(), lang), last=i18n.month(dates[-1].isoformat(), lang),
                 caseload=number(values["caseload.relational"], lang),
                 classic=number(values["caseload.classic"], lang))
    else:
        what = t("sentence.none", lang)
    last = s.horizon.last_year
    paid = (t("sentence.paid", lang, year=s.payback_year) if s.payback_year is not None
            else t("sentence.unpaid", lang, year=last))
    return t("sentence", lang, what=what, years=s.horizon.years, net=money_short(s.npv_dkk.mean, lang),
             payback=paid)


def prices(outcome: Outcome, lang: str) -> str:
    """The price level of every amount, and what the index's value for that year is."""
    year = outcome.comparison.summary.price_year
    return t(f"prices.{sim.load_price_index().years[year].status}", lang, year=year)


def source(outcome: Outcome, lang: str) -> str:
    """Where the figures come from, which uncertainty the band shows, and the price level."""
    s = outcome.comparison.summary
    if not outcome.simulated:
        return f"{t('source.preview', lang)} {prices(outcome, lang)}"
    return (f"{t(f'source.{s.uncertainty}', lang, n=outcome.replications, se=money_short(s.npv_dkk_mc_se, lang))} "
            f"{prices(outcome, lang)}")


def budget(outcome: Outcome, lang: str) -> dmc.Grid:
    """The budget view (sim.finance: per budget year, undiscounted, in the price year) as a table in
    the language's number format, beside the present value and what tells the two apart."""
    s = outcome.comparison.summary
    m = lambda x: number(x / 1e6, lang, 1)  # noqa: E731
    what = (t("budget.what_run", lang, n=outcome.replications) if outcome.simulated
            else t("budget.what_preview", lang))
    head = [t(k, lang) for k in ("budget.year", "budget.investment", "budget.savings", "budget.net", "budget.cumulative")]
    rows = [[str(b.year), m(b.investment_dkk), m(b.gross_savings_dkk), m(b.net_dkk), m(b.cumulative_net_dkk)]
            for b in s.budget]
    first, last = s.horizon.first_year, s.horizon.last_year
    table = dmc.Table([
        dmc.TableThead(dmc.TableTr([dmc.TableTh(h, style={"textAlign": "left" if i == 0 else "right"})
                                    for i, h in enumerate(head)])),
        dmc.TableTbody([dmc.TableTr([dmc.TableTd(c, style={"textAlign": "left" if i == 0 else "right"})
                                     for i, c in enumerate(row)]) for row in rows]),
    ], striped=True, highlightOnHover=True, id="ov-budget-table", fz="sm")
    npv = dmc.Paper([
        dmc.Text(t("budget.npv_title", lang), size="sm", c="dimmed"),
        dmc.Text(money_short(s.npv_dkk.mean, lang), id="ov-budget-npv", fw=700, size="xl", className="kpi-value"),
        dmc.Text(t("budget.npv_text", lang, first=first, last=last, rate=percent(s.discounting.rate, lang, 1)),
                 size="sm"),
    ], withBorder=True, p="md", radius="md", className="kpi")
    return dmc.Grid([
        dmc.GridCol([html.H4(t("budget.title", lang, year=s.price_year)), dmc.Text(t("budget.intro", lang, what=what),
                                                                                   size="sm", c="dimmed"), table],
                    span={"base": 12, "md": 8}),
        dmc.GridCol(npv, span={"base": 12, "md": 4}),
    ], gutter="md", mt="md")


def payers(outcome: Outcome, lang: str) -> html.Div:
    """Who carries the investment and who receives the savings (sim.payers: MSB, MBU, the state's
    refusion), over the horizon, undiscounted: a sentence and a table. The analytic preview has no
    refusion (it follows no child), so its savings wait for the simulation."""
    s = outcome.comparison.summary
    m = lambda x: number(x / 1e6, lang, 1) if x is not None else "–"  # noqa: E731
    short = lambda x: money_short(x, lang)  # noqa: E731
    inv, sav, net = s.investment_by_payer_dkk, s.savings_by_payer_dkk, s.net_by_payer_dkk
    text = t("payers.invest", lang, msb=short(inv["MSB"].mean), mbu=short(inv["MBU"].mean))
    known = s.municipality_net_dkk.mean is not None
    text += " " + (t("payers.save", lang, msb=short(sav["MSB"].mean), state=short(sav["state"].mean),
                     municipality=short(s.municipality_net_dkk.mean)) if known else t("payers.need_run", lang))
    head = [t(k, lang) for k in ("payers.payer", "budget.investment", "payers.savings", "budget.net")]
    rows = [[t(f"payers.{p}", lang), m(inv[p].mean), m(sav[p].mean), m(net[p].mean)] for p in sim.PAYERS]
    rows.append([t("payers.municipality", lang), m(inv["MSB"].mean + inv["MBU"].mean),
                 m(sav["MSB"].mean + sav["MBU"].mean) if known else "–", m(s.municipality_net_dkk.mean)])
    align = lambda i: {"textAlign": "left" if i == 0 else "right"}  # noqa: E731
    table = dmc.Table([
        dmc.TableThead(dmc.TableTr([dmc.TableTh(h, style=align(i)) for i, h in enumerate(head)])),
        dmc.TableTbody([dmc.TableTr([dmc.TableTd(c, style=align(i)) for i, c in enumerate(row)]) for row in rows]),
    ], striped=True, id="ov-payers-table", fz="sm")
    return html.Div([
        html.H4(t("payers.title", lang, first=s.horizon.first_year, last=s.horizon.last_year, year=s.price_year)),
        dmc.Text(text, id="ov-payers-sentence", size="md", mb="sm"),
        table,
    ], id="ov-payers")


def extra_caseworkers(outcome: Outcome, lang: str) -> str:
    """The last year's staff investment in caseworker FTE: read from the investment (not recomputed
    here), so it counts the extra team leaders and leaves out the vacant posts (docs/model.md §2.5)."""
    yearly = outcome.comparison.yearly
    last = yearly[(yearly["statistic"] == "mean")].sort_values("year").iloc[-1]
    a = outcome.scenario.assumptions
    per_fte = a.staff.salary_dkk_per_year.value * (1 + a.staff.overhead_share.value)
    return t("scn.staff", lang, x=number(last["investment_staff_dkk"] / per_fte, lang, 1))
