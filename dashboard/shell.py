"""The frame around the pages: header, language switch, navigation, and the scenario in the URL.

The pages are rendered together (once per page load and per language switch) and shown one at a
time by the URL path, so the scenario inputs on Scenarier feed every page. The inputs travel in the
query string; opening a link validates them on the server before any control shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

from . import i18n
from .i18n import t
from .inputs import InputError, from_query, to_query, validate

if TYPE_CHECKING:
    from .factory import Services

# (page id, path): the order of the navigation.
PAGES = (("overview", "/"), ("scenarios", "/scenarier"), ("districts", "/distrikter"),
         ("assumptions", "/antagelser"), ("export", "/eksport"))


def layout() -> dmc.MantineProvider:
    return dmc.MantineProvider(
        html.Div([
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="goto"),
            dcc.Store(id="inputs"),
            dcc.Store(id="query"),
            dcc.Store(id="rendered-lang"),
            dcc.Store(id="run-finished"),
            dcc.Store(id="saved-version", data=0),
            html.Header([
                html.Div([html.H1(id="app-title", children=t("title", i18n.DEFAULT)),
                          html.P(id="app-subtitle", children=t("subtitle", i18n.DEFAULT))]),
                dmc.SegmentedControl(
                    id="lang", value=i18n.DEFAULT, persistence=True, persistence_type="local",
                    data=[{"value": "da", "label": "Dansk"}, {"value": "en", "label": "English"}],
                    **{"aria-label": "Sprog / Language"},
                ),
            ], className="app-header"),
            html.Main(id="content", children=dmc.Loader(), className="app-main"),
        ], className="app"),
        theme={"primaryColor": "blue", "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
    )


def nav(lang: str) -> html.Nav:
    return html.Nav(
        [dcc.Link(t(f"page.{page}", lang), id=f"nav-{page}", href=path, className="nav-link")
         for page, path in PAGES],
        className="app-nav", **{"aria-label": t("nav", lang)},
    )


def register(app: Dash, services: "Services", modules: tuple) -> None:
    """The shell's callbacks; modules: the page modules in the order of PAGES."""

    @app.callback(
        Output("content", "children"), Output("rendered-lang", "data"), Output("app-title", "children"),
        Output("app-subtitle", "children"),
        Input("lang", "value"), Input("url", "pathname"),
        State("url", "search"), State("rendered-lang", "data"), State("inputs", "data"),
    )
    def render(lang: Any, _path: Any, search: Any, rendered: Any, current: Any):
        """All pages with their controls set from the current inputs, or else from the URL."""
        lang = i18n.language(lang)
        if callback_context.triggered_id == "url" and rendered == lang:
            raise PreventUpdate  # the URL follows the inputs; it does not re-render them
        problems: list[str] = []
        try:
            values = validate(current, services.limits) if current else None
        except InputError:
            values = None
        if values is None:
            values, problems = from_query(search if isinstance(search, str) else "", services.limits)
        notice = dmc.Alert([html.P(t("url_problems", lang)), html.Ul([html.Li(p) for p in problems])],
                           color="yellow", id="url-problems", withCloseButton=True) if problems else None
        pages = [html.Section(module.layout(values, lang, services), id=f"page-{page}", className="page",
                              **{"aria-labelledby": f"nav-{page}"})
                 for (page, _), module in zip(PAGES, modules)]
        return [nav(lang), notice, *pages], lang, t("title", lang), t("subtitle", lang)

    app.clientside_callback(  # open another address (after an upload): a full load, so it is validated
        "function(href) { if (href) { window.location.assign(href); } return window.dash_clientside.no_update; }",
        Output("goto", "data", allow_duplicate=True), Input("goto", "data"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        "function(lang) { document.documentElement.lang = lang || 'da'; return window.dash_clientside.no_update; }",
        Output("lang", "className"), Input("lang", "value"),
    )

    @app.callback(
        [Output(f"page-{page}", "hidden") for page, _ in PAGES]
        + [Output(f"nav-{page}", "className") for page, _ in PAGES],
        Input("url", "pathname"), Input("rendered-lang", "data"),
    )
    def show_page(pathname: Any, _lang: Any):
        """One page visible, chosen by the path; an unknown path shows Overblik."""
        paths = [path for _, path in PAGES]
        current = pathname.rstrip("/") or "/" if isinstance(pathname, str) else "/"
        current = current if current in paths else "/"
        return ([path != current for path in paths]
                + ["nav-link active" if path == current else "nav-link" for path in paths])

    @app.callback(
        [Output("query", "data")] + [Output(f"nav-{page}", "href") for page, _ in PAGES],
        Input("inputs", "data"),
        prevent_initial_call=True,
    )
    def follow_inputs(values: Any):
        """The address (and every navigation link) carries the current inputs."""
        try:
            query = to_query(validate(values, services.limits))
        except InputError:
            raise PreventUpdate from None
        return [query] + [path + query for _, path in PAGES]

    # replaceState: the address follows the inputs without a history entry per slider step and
    # without a navigation event (through dcc.Location, that event put the sliders back to their
    # first values in Dash 4 with dash-mantine-components).
    app.clientside_callback(
        """function(query) {
            if (query) { window.history.replaceState(window.history.state, "", window.location.pathname + query); }
            return window.dash_clientside.no_update;
        }""",
        Output("query", "data", allow_duplicate=True), Input("query", "data"),
        prevent_initial_call=True,
    )


def refusal(message: str, lang: str) -> dmc.Alert:
    """How every refused request is shown: one line naming what was wrong."""
    return dmc.Alert(message, title=t("refused", lang), color="red", className="refusal")


def table(head: list[str], rows: list[list[Any]], **props: Any) -> dmc.Table:
    """A table whose cells may hold components (dmc.Table's `data` takes plain text only)."""
    return dmc.Table([
        dmc.TableThead(dmc.TableTr([dmc.TableTh(h) for h in head])),
        dmc.TableTbody([dmc.TableTr([dmc.TableTd(cell) for cell in row]) for row in rows]),
    ], striped=True, highlightOnHover=True, **props)
