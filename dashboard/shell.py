"""The frame around the pages: header, language switch, navigation, and the scenario in the URL.

The pages are Dash pages (`dash.register_page`): only the page at the URL's path is rendered, by
Dash's router, when the path or the language changes. Each page module owns its layout and its
callbacks. What the pages share lives here: the scenario inputs (`inputs`, set from the Scenarier
controls or from a page's URL), the language, and the finished-run token. The inputs travel in the
query string; opening a link validates them on the server before any control shows them.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import dash
import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html

from . import i18n
from .i18n import t
from .inputs import InputError, checked, from_query, to_query, validate

if TYPE_CHECKING:
    from .services import Services

# What Dash's router passes to every page's layout besides the URL's query parameters.
ROUTING_INPUTS = {"lang": Input("lang", "value"), "current": State("inputs", "data")}


def layout() -> dmc.MantineProvider:
    return dmc.MantineProvider(
        html.Div([
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="goto"),
            dcc.Store(id="inputs"),
            dcc.Store(id="query"),
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
            html.Nav(id="nav", className="app-nav"),
            html.Main(dash.page_container, className="app-main"),
        ], className="app"),
        theme={"primaryColor": "blue", "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
    )


def register_page(page: ModuleType, order: int, services: "Services") -> None:
    """Register a page module with Dash (its PATH and NAME, its layout wrapped in the shared frame)
    and its callbacks with the app."""

    def page_layout(lang: Any = None, current: Any = None, **query: Any) -> html.Section:
        lang = i18n.language(lang)
        problems: list[str] = []
        try:
            values = validate(current, services.limits)
        except InputError:  # no inputs yet (first load): they come from the URL
            values, problems = from_query(query, services.limits)
        notice = dmc.Alert([html.P(t("url_problems", lang)), html.Ul([html.Li(p) for p in problems])],
                           color="yellow", id="url-problems", withCloseButton=True) if problems else None
        return html.Section([notice, dcc.Store(id="page-inputs", data=values), page.layout(values, lang, services)],
                            id=f"page-{page.NAME}", className="page", **{"aria-labelledby": f"nav-{page.NAME}"})

    dash.register_page(page.__name__, path=page.PATH, name=page.NAME, order=order, layout=page_layout,
                       title=lambda **_: t("title", i18n.DEFAULT))


def _path(pathname: Any) -> str:
    return (pathname.rstrip("/") or "/") if isinstance(pathname, str) else "/"


def register(app: Dash, services: "Services") -> None:
    """The shell's callbacks."""

    @app.callback(Output("inputs", "data", allow_duplicate=True), Input("page-inputs", "data"),
                  prevent_initial_call="initial_duplicate")
    def page_inputs(values: Any):
        """The inputs a page was rendered with (from the URL on first load) become the shared ones."""
        return checked(values, services.limits)

    @app.callback(
        Output("nav", "children"), Output("nav", "aria-label"), Output("app-title", "children"),
        Output("app-subtitle", "children"),
        Input("lang", "value"), Input("url", "pathname"), Input("query", "data"),
    )
    def navigation(lang: Any, pathname: Any, query: Any):
        """The page links in the language, the current one marked, each carrying the inputs."""
        lang = i18n.language(lang)
        query = query if isinstance(query, str) else ""
        current = _path(pathname)
        links = [dcc.Link(t(f"page.{page['name']}", lang), id=f"nav-{page['name']}", href=page["path"] + query,
                          className="nav-link active" if page["path"] == current else "nav-link")
                 for page in dash.page_registry.values()]
        return links, t("nav", lang), t("title", lang), t("subtitle", lang)

    app.clientside_callback(  # open another address (after an upload): a full load, so it is validated
        "function(href) { if (href) { window.location.assign(href); } return window.dash_clientside.no_update; }",
        Output("goto", "data", allow_duplicate=True), Input("goto", "data"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        "function(lang) { document.documentElement.lang = lang || 'da'; return window.dash_clientside.no_update; }",
        Output("lang", "className"), Input("lang", "value"),
    )

    @app.callback(Output("query", "data"), Input("inputs", "data"), prevent_initial_call=True)
    def follow_inputs(values: Any):
        """The address (and every navigation link) carries the current inputs."""
        return to_query(checked(values, services.limits))

    # replaceState: the address follows the inputs without a history entry per slider step and
    # without a navigation event (which would re-render the page under the user's hand).
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
