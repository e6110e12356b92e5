"""The server's door: a callback request the page could not have sent is refused before Dash reads it.

Dash trusts the shape of a callback request (which callback, how many inputs, each an id, a
property and a value); a hand-made one with a wrong shape makes Dash itself fail. Here such a
request gets 400 and a one-line reason. The values themselves are each callback's business
(`dashboard.inputs.validate`). Anything unexpected still left gets a short generic 500 text: Flask
logs the exception on the server, and nothing of it reaches the response.

Every response also carries security headers (`security_headers`): a Content-Security-Policy that
lets the page run only its own scripts (the files it serves, and Dash's few inline scripts by their
hashes, `Dash.csp_hashes`), talk only to its own server and be framed by no one; plus
X-Content-Type-Options, X-Frame-Options and Referrer-Policy.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Dash
from flask import Response, request

MAX_CHANGED = 100
# Styles may be inline: Mantine (emotion) writes <style> elements and Plotly sets style attributes.
# Scripts may not: only the app's own files and Dash's inline scripts, named by their hashes.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",  # + the hashes of Dash's inline scripts (the renderer, clientside callbacks)
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# Dash's own inputs whose values its page router uses as text without checking them.
TEXT_INPUTS = {("_pages_location", "pathname"), ("_pages_location", "search")}


def _entry_problem(spec: dict[str, Any], entry: Any) -> str | None:
    """What is wrong with one input or state of a request, against the callback's declaration."""
    if spec["id"].startswith("{"):  # a pattern-matching id: one component or a list of them
        items = entry if isinstance(entry, list) else [entry]
        if all(isinstance(e, dict) and isinstance(e.get("id"), dict) and e.get("property") == spec["property"]
               for e in items):
            return None
        return f"expected components {spec['id']}.{spec['property']}"
    if not isinstance(entry, dict) or entry.get("id") != spec["id"] or entry.get("property") != spec["property"]:
        return f"expected {spec['id']}.{spec['property']}"
    if (spec["id"], spec["property"]) in TEXT_INPUTS and not isinstance(entry.get("value"), (str, type(None))):
        return f"{spec['id']}.{spec['property']}: expected text"
    return None


def _changed_problem(changed: Any) -> str | None:
    if not isinstance(changed, list) or len(changed) > MAX_CHANGED or not all(isinstance(c, str) for c in changed):
        return "changedPropIds: expected a list of property names"
    for prop_id in changed:
        component = prop_id.rpartition(".")[0]
        if component.startswith("{"):  # Dash reads it as JSON for ctx.triggered_id
            try:
                if not isinstance(json.loads(component), dict):
                    raise ValueError
            except ValueError:
                return "changedPropIds: expected a component id"
    return None


def problem(body: Any, callback_map: dict[str, Any]) -> str | None:
    """Why a callback request's body cannot come from the page, or None if its shape is right."""
    if not isinstance(body, dict):
        return "expected a JSON object"
    key = body.get("output")
    callback = callback_map.get(key) if isinstance(key, str) else None
    if callback is None or "callback" not in callback:  # none, or one that runs in the browser only
        return "output: no such callback"
    outputs = body.get("outputs")
    wanted = len(key.strip(".").split("...")) if key.startswith("..") else None  # None: one output, not a list
    if wanted is None:
        outputs = [outputs]
    elif not isinstance(outputs, list) or len(outputs) != wanted:
        return f"outputs: expected {wanted}"
    if not all(isinstance(o, dict) and isinstance(o.get("id"), (str, dict)) and isinstance(o.get("property"), str)
               for o in outputs):
        return "outputs: expected an id and a property each"
    for part, specs in (("inputs", callback["inputs"]), ("state", callback["state"])):
        entries = body.get(part, [])
        if not isinstance(entries, list) or len(entries) != len(specs):
            return f"{part}: expected {len(specs)}"
        for spec, entry in zip(specs, entries):
            if (why := _entry_problem(spec, entry)) is not None:
                return f"{part}: {why}"
    return _changed_problem(body.get("changedPropIds", []))


def content_security_policy(app: Dash) -> str:
    """The policy, with the hashes of the app's inline scripts (all its callbacks must be registered)."""
    policy = dict(CSP, **{"script-src": " ".join([CSP["script-src"], *app.csp_hashes()])})
    return "; ".join(f"{directive} {value}" for directive, value in policy.items())


def install(app: Dash) -> None:
    """Check every callback request's shape before Dash reads it; answer an unexpected error briefly."""
    server = app.server
    path = app.config.routes_pathname_prefix + "_dash-update-component"

    @server.before_request
    def callback_shape():
        if request.method != "POST" or request.path != path:
            return None
        try:
            body = request.get_json()  # invalid JSON: Flask answers 400; too large: 413 (MAX_CONTENT_LENGTH)
        except RecursionError:  # nested deeper than the JSON parser goes
            body = None
        why = problem(body, app.callback_map)
        if why is None:
            return None
        return Response(f"Refused: not a request the dashboard sends ({why}).", 400, mimetype="text/plain")

    policy: list[str] = []  # computed at the first response, when every clientside callback is registered

    @server.after_request
    def security_headers(response: Response) -> Response:
        if not policy:
            policy.append(content_security_policy(app))
        response.headers.setdefault("Content-Security-Policy", policy[0])
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @server.errorhandler(500)
    def internal_error(_error):  # Flask has logged the exception with its traceback before this
        return Response("Internal error. The details are in the server's log.", 500, mimetype="text/plain")
