"""Antagelser: every assumption with unit, range and source; the scenario as a TOML file, down and up.

An upload is checked on the server (size, UTF-8, TOML, every key and range through sim) before
anything is saved; a refused file leaves the saved scenarios as they were.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

import sim

from .. import i18n
from ..i18n import t
from ..inputs import InputError, checked, from_scenario, params_at, to_query, to_scenario
from ..shell import refusal, table
from ..store import StoreError, check_name

if TYPE_CHECKING:
    from ..services import Services

PATH = "/antagelser"
NAME = "assumptions"


def layout(values: dict[str, Any], lang: str, services: "Services") -> html.Div:
    kb = services.upload_limit // 1024
    return html.Div([
        html.H2(t("page.assumptions", lang)),
        dmc.Text(t("ass.intro", lang)),
        dmc.Alert(t("ass.rule", lang), id="ass-rule", color="blue", my="sm"),
        dmc.Group([
            dmc.Button(t("ass.download", lang), id="toml-download-button", n_clicks=0, variant="outline"),
            dcc.Download(id="toml-download"),
        ], my="md"),
        html.H3(t("ass.upload_label", lang)),
        html.Div(dcc.Upload(id="toml-upload", children=html.Div(t("ass.upload", lang, kb=kb)),
                            accept=".toml,text/plain", multiple=False, className="upload"),
                 role="group", **{"aria-label": t("ass.upload_label", lang)}),
        html.Div(id="upload-status", role="alert"),
        html.Div(id="ass-table", className="assumptions-table"),
    ])


def _assumptions(scenario: sim.Scenario, lang: str) -> dmc.Table:
    base = params_at(scenario.price_year)  # changed or not: against the base in the same prices

    def bound(x: float) -> str:
        return i18n.number(x, lang, 0 if x == int(x) else 3)

    head = [t(k, lang) for k in ("ass.key", "ass.value", "ass.unit", "ass.kind", "ass.low", "ass.high", "ass.source",
                                  "ass.note")]
    body = []
    for key, p in scenario.assumptions.params().items():
        changed = p.value != base[key].value
        value = bound(p.value)
        unit = p.unit if p.price_year is None else f"{p.unit} ({t('ass.prices', lang, year=p.price_year)})"
        body.append([html.Code(key, id=f"param-{key}"), html.Strong(value + " *") if changed else value, unit,
                     t(f"kind.{p.kind}", lang), bound(p.low), bound(p.high), p.source, p.note])
    return table(head, body, fz="xs")


def _decode(contents: Any, limit: int) -> str:
    """The text of an upload (a data URL), refused if it is not a data URL, too big or not UTF-8."""
    if not isinstance(contents, str) or not contents.startswith("data:") or "," not in contents:
        raise InputError("upload: expected a file")
    payload = contents.split(",", 1)[1]
    if len(payload) > 4 * (limit // 3 + 1):
        raise InputError(f"upload: the file is larger than {limit // 1024} kB")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("upload: the file could not be read") from None
    if len(data) > limit:
        raise InputError(f"upload: the file is larger than {limit // 1024} kB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("upload: the file is not UTF-8 text") from None


def _name_of(filename: Any) -> str:
    """The file's own name (no folders) in the characters a scenario name may hold, starting with a
    letter or digit; it never becomes a path (the store keeps it in SQLite)."""
    stem = PurePosixPath(str(filename or "upload").replace("\\", "/")).stem
    name = re.sub(r"^[\W_]+", "", re.sub(r"[^\w .,()&+'-]", "-", stem))
    return check_name(name[:60].strip() or "upload")


def register(app: Dash, services: "Services") -> None:
    @app.callback(Output("ass-table", "children"), Input("inputs", "data"), State("lang", "value"))
    def assumptions(values: Any, lang: Any):
        return _assumptions(to_scenario(checked(values, services.limits)), i18n.language(lang))

    @app.callback(
        Output("toml-download", "data"), Input("toml-download-button", "n_clicks"), State("inputs", "data"),
        prevent_initial_call=True,
    )
    def download(clicks: Any, values: Any):
        if not clicks:
            raise PreventUpdate
        scenario = to_scenario(checked(values, services.limits))
        return dict(content=scenario.to_toml(), filename=f"scenarie-{scenario.id}.toml", type="application/toml")

    @app.callback(
        Output("upload-status", "children"), Output("goto", "data"),
        Input("toml-upload", "contents"), State("toml-upload", "filename"), State("lang", "value"),
        prevent_initial_call=True,
    )
    def upload(contents: Any, filename: Any, lang: Any):
        """Validate the file completely, then save it and open it; on any refusal save nothing."""
        lang = i18n.language(lang)
        if contents is None:
            raise PreventUpdate
        try:
            name = _name_of(filename)
            text = _decode(contents, services.upload_limit)
            scenario = sim.parse_scenario_text(text, name, str(filename)[:100])
            values = from_scenario(scenario, services.limits)
            query = to_query(values)
            services.store.save(name, query, scenario.id)
        except (InputError, StoreError, sim.AssumptionError) as exc:
            return refusal(str(exc), lang), no_update
        return dmc.Alert(t("ass.loaded", lang, name=name), color="green"), f"/scenarier{query}"
