"""Scenarier: for analysts. The inputs (every change gives an instant preview), the full simulation
as a background job with progress and cancel, saved scenarios and a side-by-side comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import ALL, Dash, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

import sim

from .. import charts, i18n
from ..compute import Outcome, on_outcome, preview, simulate
from ..i18n import money_short, number, percent, t
from ..inputs import (BASE, CONTROLLED, GETTING_THERE, GATE_BASIS, GATE_CEILING, GATE_ENABLED, GATE_FLOOR, GATE_KEYS, GATE_THRESHOLD,
                      PRICE_YEAR, REPLICATIONS, UNCERTAINTY, WAVE_PREFIX, YEARS, InputError, checked, districts,
                      from_query, gate_of, goal, money_keys, month_options, params_at, price_year_of, reprice,
                      scenario_file, to_experiment, to_query, to_scenario, validate, waves_of)
from ..outcome import extra_caseworkers, headline, source
from ..shell import refusal, table as shell_table
from ..store import StoreError

if TYPE_CHECKING:
    from ..services import Services

PATH = "/scenarier"
NAME = "scenarios"
MAX_COMPARED = 4
SCALE = {"finance.discount_rate": 100, "staff.vacancy_rate": 100, GATE_THRESHOLD: 1e-6}  # in per cent, in million DKK
WAVES = sorted(districts().waves)
WAVE_KEYS = [f"{WAVE_PREFIX}{n}" for n in WAVES]
CONTROL_KEYS = [BASE, PRICE_YEAR, *CONTROLLED, YEARS, REPLICATIONS, UNCERTAINTY, *WAVE_KEYS, *GATE_KEYS]
# The number fields that hold amounts of money: a new price year converts them in place.
MONEY_CONTROLS = [k for k, step in CONTROLLED.items() if step is None and k in money_keys()]


def control_id(key: str) -> str:
    """A component id for an input key (Dash ids may not contain dots)."""
    return "in-" + key.replace(".", "-")


def _slider(key: str, label: str, value: float, lo: float, hi: float, step: float, lang: str) -> html.Div:
    scale = SCALE.get(key, 1)
    return html.Div([
        dmc.Text(label, id=f"{control_id(key)}-label", size="sm", fw=500),
        dmc.Slider(id=control_id(key), value=round(value * scale, 6), min=lo * scale, max=hi * scale,
                   step=step * scale, thumbLabel=label, labelAlwaysOn=True, updatemode="drag",
                   label={"function": "localNumber", "options": {"locale": t("format.locale", lang)}},
                   marks=[{"value": x * scale, "label": number(x * scale, lang, 0 if float(x * scale).is_integer() else 1)}
                          for x in (lo, hi)],
                   className="slider"),
    ], className="control")


def price_year_options(lang: str) -> list[dict[str, str]]:
    """The years of the price index, a forecast marked as such."""
    index = sim.load_price_index()
    return [{"value": str(y), "label": t("price.forecast", lang, year=y) if v.status == "forecast" else str(y)}
            for y, v in sorted(index.years.items(), reverse=True)]


def _controls(values: dict[str, Any], lang: str, services: "Services") -> list:
    params = params_at(values[PRICE_YEAR])
    start = scenario_file(values[BASE]).start
    months = month_options(start)
    out: list = [dmc.Select(
        id=control_id(BASE), label=t("scn.base", lang), value=values[BASE], allowDeselect=False,
        data=[{"value": n, "label": t(f"base.{n}", lang)} for n in sim.scenario_names()])]
    out.append(dmc.Select(id=control_id(PRICE_YEAR), label=t("scn.price_year", lang), value=str(values[PRICE_YEAR]),
                          allowDeselect=False, data=price_year_options(lang),
                          description=t("scn.price_year_note", lang, budget=sim.load_price_index().budget_year)))
    decimal, thousands = i18n.separators(lang)

    def number_input(key: str) -> dmc.NumberInput:
        return dmc.NumberInput(id=control_id(key), label=t(key, lang), value=values[key], min=params[key].low,
                               max=params[key].high, step=1, thousandSeparator=thousands,
                               decimalSeparator=decimal, debounce=500, allowNegative=False)

    for key, step in CONTROLLED.items():
        p = params[key]
        if step is not None and key not in GETTING_THERE:
            out.append(_slider(key, t(key, lang), values[key], p.low, p.high, step, lang))
    out.append(dmc.SimpleGrid([number_input(key) for key, step in CONTROLLED.items()
                               if step is None and key not in GETTING_THERE], cols=2))
    out.append(html.Fieldset([
        html.Legend(t("scn.getting_there", lang)),
        dmc.Text(t("scn.getting_there_note", lang), size="xs", c="dimmed"),
        *[_slider(key, t(key, lang), values[key], params[key].low, params[key].high, CONTROLLED[key], lang)
          if CONTROLLED[key] is not None else number_input(key) for key in GETTING_THERE],
    ], className="getting-there"))
    out.append(_slider(YEARS, t(YEARS, lang), values[YEARS], 1, sim.MAX_YEARS, 1, lang))
    out.append(dmc.NumberInput(id=control_id(REPLICATIONS), label=t(REPLICATIONS, lang), value=values[REPLICATIONS],
                               min=1, max=services.limits.max_replications, step=1, debounce=500,
                               allowDecimal=False, allowNegative=False))
    out.append(html.Div([
        dmc.Text(t(UNCERTAINTY, lang), size="sm", fw=500),
        dmc.SegmentedControl(id=control_id(UNCERTAINTY), value=values[UNCERTAINTY], fullWidth=True,
                             data=[{"value": u, "label": t(f"uncertainty.{u}", lang)} for u in sim.UNCERTAINTIES]),
    ]))
    wave_months = [{"value": m, "label": i18n.month(m, lang, short=True)} for m in months]
    out.append(html.Fieldset([
        html.Legend(t("scn.waves", lang)),
        dmc.SimpleGrid([dmc.Select(
            id=control_id(key), label=t("scn.wave", lang, n=n), value=values[key], searchable=True,
            allowDeselect=False,
            data=[{"value": "never", "label": t("never", lang)}]
            + wave_months + ([{"value": values[key], "label": values[key]}]
                             if values[key] not in months and values[key] != "never" else []))
            for n, key in zip(WAVES, WAVE_KEYS)], cols=2),
    ], className="waves"))
    out.append(_gate_controls(values, lang))
    extras = {k: v for k, v in values.items() if k not in CONTROL_KEYS}
    out.append(dcc.Store(id="scn-extras", data=extras))
    if extras:
        out.append(dmc.Text(t("scn.other", lang, keys=", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                                                                  for k, v in sorted(extras.items()))), size="sm"))
    out.append(html.Div(id="scn-input-error", role="alert"))
    return out


def _shown(key: str, value: Any) -> Any:
    """An input's value as its control shows it (the gate's switch as text, the threshold in
    million DKK, no ceiling as an empty field)."""
    if key == GATE_ENABLED:
        return str(value).lower()
    if key == GATE_CEILING and value == sim.NONE:
        return ""
    return round(value * SCALE[key], 6) if key in SCALE else value


def _gate_controls(values: dict[str, Any], lang: str) -> html.Fieldset:
    """The rule for the waves after the first: fixed dates, or the savings gate and its parameters."""
    decimal, thousands = i18n.separators(lang)
    return html.Fieldset([
        html.Legend(t("scn.gate", lang)),
        dmc.SegmentedControl(id=control_id(GATE_ENABLED), value=_shown(GATE_ENABLED, values[GATE_ENABLED]),
                             fullWidth=True, data=[{"value": "false", "label": t("gate.fixed", lang)},
                                                   {"value": "true", "label": t("gate.gated", lang)}]),
        dmc.Text(t("rollout.gate.basis", lang), size="sm", fw=500, mt="xs"),
        dmc.SegmentedControl(id=control_id(GATE_BASIS), value=values[GATE_BASIS], fullWidth=True,
                             data=[{"value": b, "label": t(f"gate.{b}", lang)} for b in sim.GATE_BASES]),
        dmc.SimpleGrid([
            dmc.NumberInput(id=control_id(GATE_THRESHOLD), label=t(GATE_THRESHOLD, lang),
                            value=_shown(GATE_THRESHOLD, values[GATE_THRESHOLD]), step=5, thousandSeparator=thousands,
                            decimalSeparator=decimal, debounce=500, allowNegative=True),
            dmc.NumberInput(id=control_id(GATE_FLOOR), label=t(GATE_FLOOR, lang), value=values[GATE_FLOOR], min=1,
                            max=12 * sim.MAX_YEARS, step=1, debounce=500, allowDecimal=False, allowNegative=False),
            dmc.NumberInput(id=control_id(GATE_CEILING), label=t(GATE_CEILING, lang),
                            value=_shown(GATE_CEILING, values[GATE_CEILING]), min=1, max=12 * sim.MAX_YEARS, step=1,
                            debounce=500, allowDecimal=False, allowNegative=False),
        ], cols=2, mt="xs"),
        dmc.Text(t("gate.note", lang), size="xs", c="dimmed", mt="xs"),
    ], className="gate")


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    inputs = dmc.Paper([html.H3(t("scn.inputs", lang)), dmc.Stack(_controls(values, lang, services), gap="md")],
                       withBorder=True, p="md", radius="md")
    run = dmc.Paper([
        dmc.Group([
            dmc.Button(t("scn.run", lang), id="run-button", n_clicks=0),
            dmc.Button(t("scn.cancel", lang), id="cancel-button", n_clicks=0, disabled=True, variant="outline",
                       color="red"),
        ]),
        dmc.Progress(id="run-progress", value=0, size="xl", mt="sm", **{"aria-label": t("scn.progress", lang)}),
        dmc.Text(id="run-progress-text", size="sm", c="dimmed"),
        html.Div(id="run-status", role="status"),
    ], withBorder=True, p="md", radius="md")
    decimal, thousands = i18n.separators(lang)
    start = scenario_file(values[BASE]).start.year
    question = dmc.Paper([
        html.H3(t("goal.title", lang)),
        dmc.Text(t("goal.intro", lang), size="sm"),
        dmc.SimpleGrid([
            dmc.NumberInput(id="goal-target", label=t("goal.target", lang), value=100, step=10,
                            thousandSeparator=thousands, decimalSeparator=decimal, allowNegative=True),
            dmc.Select(id="goal-year", label=t("goal.by_year", lang), value=str(start + 4), allowDeselect=False,
                       data=[str(y) for y in range(start, start + sim.MAX_YEARS)]),
            dmc.NumberInput(id="goal-probability", label=t("goal.probability", lang), value=80, min=1, max=100, step=5,
                            allowNegative=False, decimalSeparator=decimal),
            html.Div([dmc.Text(t("goal.lever", lang), size="sm", fw=500),
                      dmc.SegmentedControl(id="goal-lever", value="caseload.relational", fullWidth=True,
                                           data=[{"value": k, "label": t(f"goal.lever.{k}", lang)}
                                                 for k in sim.GOAL_LEVERS])]),
        ], cols={"base": 1, "sm": 2}),
        dmc.Group([dmc.Button(t("goal.run", lang), id="goal-button", n_clicks=0),
                   dmc.Text(id="goal-progress", size="sm", c="dimmed")], mt="sm"),
        html.Div(id="goal-result", role="status"),
    ], withBorder=True, p="md", radius="md")
    saved, choices = _saved(services, lang)
    save = dmc.Paper([
        html.H3(t("scn.saved_list", lang)),
        dmc.Group([dmc.TextInput(id="save-name", label=t("scn.name", lang), w=280),
                   dmc.Button(t("scn.save", lang), id="save-button", n_clicks=0)], align="flex-end"),
        html.Div(id="save-status", role="status"),
        html.Div(saved, id="saved-list"),
        dmc.MultiSelect(id="compare-select", label=t("scn.compare", lang), data=choices, value=[],
                        maxValues=MAX_COMPARED, searchable=True, clearable=True, mt="md"),
        html.Div(id="compare-result"),
        dmc.Text(t("scn.compare_note", lang), size="xs", c="dimmed"),
    ], withBorder=True, p="md", radius="md")
    preview_box = dmc.Stack([
        html.H3(t("scn.preview", lang)),
        html.Div(id="scn-kpis"),
        dmc.Text(id="scn-staff", size="sm"),
        charts.graph("scn-preview", t("chart.savings", lang)),
        dmc.Text(id="scn-source", size="sm", c="dimmed"),
        run, question, save,
        dmc.Text(t("scn.share", lang), size="sm", c="dimmed"),
    ])
    return html.Div([
        html.H2(t("page.scenarios", lang)),
        dmc.Grid([dmc.GridCol(inputs, span={"base": 12, "md": 4}),
                  dmc.GridCol(preview_box, span={"base": 12, "md": 8})]),
    ])


def _saved(services: "Services", lang: str) -> tuple[Any, list[str]]:
    """The saved scenarios as a list (open, delete) and as choices for the comparison."""
    saved = services.store.list()
    if not saved:
        return dmc.Text(t("scn.none_saved", lang), size="sm", c="dimmed"), []
    rows = [html.Li([
        html.Span(name, className="saved-name"),
        dmc.Anchor(t("scn.open", lang), href=f"{PATH}{query}", ml="sm", refresh=True),
        dmc.Button("✕", id={"type": "delete-saved", "name": name}, size="compact-xs", variant="subtle",
                   color="red", ml="sm", n_clicks=0, **{"aria-label": t("scn.delete", lang, name=name)}),
    ], className="saved-row") for name, query in saved]
    return html.Ul(rows, id="saved-rows"), [name for name, _ in saved]


def _row(name: str, comparison: sim.Comparison, lang: str) -> list[str]:
    s = comparison.summary
    return [name, money_short(s.npv_dkk.mean, lang),
            str(s.payback_year) if s.payback_year is not None else t("kpi.payback_never", lang,
                                                                     year=s.horizon.last_year),
            number(s.placements_avoided.mean, lang)]


def job_refused(args: Any, limits: Any) -> bool:
    """Whether a request for a background job is refused before any work: the button not pressed,
    or inputs that fail validation. `run`'s arguments are (clicks, inputs, language), `seek`'s
    (clicks, target, year, probability, lever, inputs, language). (The app factory asks this
    before it starts a process for the job.)"""
    if not isinstance(args, (list, tuple)) or len(args) not in (3, 7):
        return False  # neither job's arguments: left to the job
    try:
        if len(args) == 3:
            validate(args[1], limits)
        else:
            goal(*args[1:6], limits)
    except InputError:
        return True
    return not args[0]


def goal_answer(result: sim.GoalSeek, lang: str) -> dmc.Alert:
    """What goal-seek found, in plain words: the value, its probability in the analytic model and in
    the simulation with their standard errors; or that no value in the range meets the target."""
    lever = t(f"goal.lever.{result.lever}", lang)
    common = dict(lever=lever, target=money_short(result.target_dkk, lang), year=result.by_year,
                  p=percent(result.probability, lang), prices=result.price_year)
    if result.value is None:
        best = result.best
        text = t("goal.none", lang, lo=min(c.value for c in result.candidates), hi=max(c.value for c in result.candidates),
                 best=best.value, pbest=percent(best.probability, lang), **common)
        return dmc.Alert(text, color="yellow", id="goal-none")
    chosen = next(c for c in result.candidates if c.value == result.value)
    c = result.confirmation
    se = (chosen.probability * (1 - chosen.probability) / result.draws) ** 0.5
    text = t("goal.found", lang, value=result.value, unit=t(f"goal.unit.{result.lever}", lang),
             twin=percent(chosen.probability, lang), twin_se=percent(se, lang), draws=result.draws,
             sim=percent(c.probability, lang), sim_se=percent(c.probability_mc_se, lang), n=c.replications,
             investment=money_short(chosen.investment_dkk, lang),
             verdict=t("goal.confirmed" if c.meets(result.probability) else "goal.not_confirmed", lang), **common)
    return dmc.Alert(text, color="green" if c.meets(result.probability) else "yellow", id="goal-found")


def register(app: Dash, services: "Services") -> None:
    limits = services.limits

    @on_outcome(app, services, Output("scn-kpis", "children"), Output("scn-preview", "figure"),
                Output("scn-staff", "children"), Output("scn-source", "children"))
    def show(outcome: Outcome, _values: dict[str, Any], lang: str):
        """The preview of the current inputs (or their finished simulation)."""
        return (headline(outcome, lang, "scn", {"base": 2, "lg": 4}),
                charts.savings(outcome.comparison, lang, with_band=outcome.simulated),
                extra_caseworkers(outcome, lang), source(outcome, lang))

    money_outputs = [Output(control_id(k), prop) for prop in ("value", "min", "max") for k in MONEY_CONTROLS]

    @app.callback(
        Output("inputs", "data"), Output("scn-input-error", "children"), Output("scn-extras", "data"), *money_outputs,
        [Input(control_id(k), "value") for k in CONTROL_KEYS],
        State("scn-extras", "data"), State("inputs", "data"), State("lang", "value"),
    )
    def collect(*args: Any):
        """The controls' values, checked on the server; a refused value leaves the inputs as they were.
        A new price year converts every amount of money (the number fields and the other changed
        assumptions) from the old one, and the fields show the converted amounts and ranges."""
        *controls, extras, current, lang = args
        lang = i18n.language(lang)
        raw = dict(zip(CONTROL_KEYS, controls))
        extras = extras if isinstance(extras, dict) else {}
        for key, scale in SCALE.items():  # shown in per cent or million DKK, kept as a fraction or DKK
            if isinstance(raw[key], (int, float)) and not isinstance(raw[key], bool):
                raw[key] = round(raw[key] / scale, 2 if key == GATE_THRESHOLD else 9)  # an amount: to the øre
        if raw[GATE_CEILING] in ("", None):  # an empty field: no latest start
            raw[GATE_CEILING] = sim.NONE
        old, new = price_year_of(current), price_year_of(raw)
        repriced = old is not None and new is not None and old != new
        if repriced:
            extras = {**extras, **reprice(extras, old, new)}
            raw.update(reprice(raw, old, new))
        unchanged = [no_update] * (1 + len(money_outputs))
        try:
            values = validate({**extras, **raw}, limits)
        except InputError as exc:
            return no_update, refusal(str(exc), lang), *unchanged
        if not repriced:
            return values, None, *unchanged
        params = params_at(new)
        return (values, None, {k: values[k] for k in extras},
                *(values[k] for k in MONEY_CONTROLS), *(params[k].low for k in MONEY_CONTROLS),
                *(params[k].high for k in MONEY_CONTROLS))

    @app.callback(
        [Output(control_id(k), "value", allow_duplicate=True) for k in WAVE_KEYS + GATE_KEYS],
        Input(control_id(BASE), "value"),
        prevent_initial_call=True,
    )
    def base_waves(base: Any):
        """Choosing a starting point sets the wave dates and the rule for the waves to that scenario's."""
        scenario = scenario_file(checked({BASE: base}, limits)[BASE])
        rollout = waves_of(scenario) | gate_of(scenario)
        return [rollout[k] for k in WAVE_KEYS] + [_shown(k, rollout[k]) for k in GATE_KEYS]

    @app.callback(
        Output("run-finished", "data"), Output("run-status", "children"),
        Input("run-button", "n_clicks"), State("inputs", "data"), State("lang", "value"),
        background=True,
        progress=[Output("run-progress", "value"), Output("run-progress-text", "children")],
        running=[(Output("run-button", "disabled"), True, False),
                 (Output("cancel-button", "disabled"), False, True)],
        cancel=[Input("cancel-button", "n_clicks")],
        # Twice a second: a replication takes a quarter of a second on two cores, and every poll costs
        # the browser and the server a redraw that the run's workers, at lower priority, give way to
        # (every 150 ms took a seventh of a core, 0.7 s more for a run of 30 replications).
        interval=500,
        prevent_initial_call=True,
    )
    def run(set_progress, clicks: Any, values: Any, lang: Any):
        """The full simulation of the scenario and the status quo on the same random numbers."""
        if not clicks:  # the button was (re)drawn, not pressed
            raise PreventUpdate
        lang = i18n.language(lang)
        try:
            values = validate(values, limits)
        except InputError as exc:
            return no_update, refusal(str(exc), lang)
        total = 2 * values[REPLICATIONS]
        set_progress((0, t("scn.progress_text", lang, done=0, total=total)))
        outcome = simulate(values, services.seed, services.cache, services.workers,
                           lambda done, n: set_progress((100 * done / n, t("scn.progress_text", lang, done=done, total=n))))
        token = f"{outcome.scenario.id}:{outcome.replications}"
        return token, dmc.Alert(t("scn.done", lang, n=outcome.replications), color="green", id="run-done")

    @app.callback(
        Output("goal-result", "children"),
        Input("goal-button", "n_clicks"), State("goal-target", "value"), State("goal-year", "value"),
        State("goal-probability", "value"), State("goal-lever", "value"), State("inputs", "data"),
        State("lang", "value"),
        background=True,
        progress=[Output("goal-progress", "children")],
        running=[(Output("goal-button", "disabled"), True, False)],
        interval=300,
        prevent_initial_call=True,
    )
    def seek(set_progress, clicks: Any, target: Any, year: Any, probability: Any, lever: Any, values: Any, lang: Any):
        """Hvad skal der til? The least costly lever value that meets the target (sim.goal_seek,
        as `python -m sim goal-seek`): the analytic twin searches, the simulation confirms."""
        if not clicks:
            raise PreventUpdate
        lang = i18n.language(lang)
        try:
            question = goal(target, year, probability, lever, values, limits)
            values = validate(values, limits)
        except InputError as exc:
            return refusal(str(exc), lang)
        experiment = to_experiment(values, services.seed)
        set_progress(t("goal.searching", lang, done=0, total="…"))
        result = sim.goal_seek(experiment, question.lever, question.target_dkk, question.by_year, question.probability,
                               replications=values[REPLICATIONS], workers=services.workers, cache=services.cache,
                               progress=lambda done, n: set_progress(t("goal.searching", lang, done=done, total=n)))
        set_progress("")
        return goal_answer(result, lang)

    @app.callback(
        Output("run-status", "children", allow_duplicate=True),
        Input("cancel-button", "n_clicks"), State("lang", "value"),
        prevent_initial_call=True,
    )
    def cancelled(clicks: Any, lang: Any):
        if not clicks:
            raise PreventUpdate
        return dmc.Alert(t("scn.cancelled", i18n.language(lang)), color="gray")

    @app.callback(
        Output("save-status", "children"), Output("saved-version", "data"),
        Input("save-button", "n_clicks"), State("save-name", "value"), State("inputs", "data"),
        State("saved-version", "data"), State("lang", "value"),
        prevent_initial_call=True,
    )
    def save(clicks: Any, name: Any, values: Any, version: Any, lang: Any):
        """Save the current inputs under a name (checked here; nothing is written on refusal)."""
        lang = i18n.language(lang)
        if not clicks:
            raise PreventUpdate
        try:
            values = validate(values, limits)
            name = services.store.save(name, to_query(values), to_scenario(values).id)
        except (InputError, StoreError) as exc:
            return refusal(str(exc), lang), no_update
        version = version + 1 if isinstance(version, int) else 1
        return dmc.Alert(t("scn.saved", lang, name=name), color="green"), version

    @app.callback(
        Output("save-status", "children", allow_duplicate=True),
        Output("saved-version", "data", allow_duplicate=True),
        Input({"type": "delete-saved", "name": ALL}, "n_clicks"), State("saved-version", "data"),
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def delete(clicks: Any, version: Any, lang: Any):
        lang = i18n.language(lang)
        trigger = callback_context.triggered_id
        if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in clicks or []):
            raise PreventUpdate
        try:
            name = services.store.delete(trigger.get("name"))
        except StoreError as exc:
            return refusal(str(exc), lang), no_update
        version = version + 1 if isinstance(version, int) else 1
        return dmc.Alert(t("scn.deleted", lang, name=name), color="gray"), version

    @app.callback(
        Output("saved-list", "children"), Output("compare-select", "data"),
        Input("saved-version", "data"), State("lang", "value"),
        prevent_initial_call=True,
    )
    def saved_list(_version: Any, lang: Any):
        return _saved(services, i18n.language(lang))

    @app.callback(
        Output("compare-result", "children"),
        Input("compare-select", "value"), Input("inputs", "data"), State("lang", "value"),
    )
    def compare(names: Any, values: Any, lang: Any):
        """The current scenario and up to four saved ones, side by side (expected values)."""
        lang = i18n.language(lang)
        if not names:
            return None
        try:
            if not isinstance(names, list) or len(names) > MAX_COMPARED:
                raise InputError(f"compare: choose at most {MAX_COMPARED} saved scenarios")
            values = validate(values, limits)
            series = [(t("chart.current", lang), preview(values, services.seed).comparison)]
            year = values[PRICE_YEAR]
            for name in names:
                saved, problems = from_query(services.store.get(name), limits)
                if problems:
                    raise InputError(f"{name}: {problems[0]}")
                saved = validate({**saved, **reprice(saved, saved[PRICE_YEAR], year), PRICE_YEAR: year}, limits)
                series.append((name, preview(saved, services.seed).comparison))  # in the current price year
        except (InputError, StoreError) as exc:
            return refusal(str(exc), lang)
        head = [t(k, lang, year=year) for k in ("col.scenario", "col.npv", "col.payback", "col.placements")]
        table = shell_table(head, [_row(n, c, lang) for n, c in series], id="compare-rows")
        figure = charts.graph("compare-graph", t("chart.compare", lang), charts.compared(series, lang))
        return [table, figure]
