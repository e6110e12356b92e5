"""Talking to a Dash server without a browser: a free port, and a callback request's body.

(Not in conftest.py: tests/ and tests/browser/ each have one, and a module imported by name must
be unique across both.)"""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def callback_body(callback_map, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
                  state: list[tuple[str, str, object]]) -> dict:
    """The JSON body of one callback request, as the browser sends it."""
    return {
        "output": next(k for k in callback_map  # the callback's key, as the browser sends it
                       if sorted(filter(None, k.strip(".").split("..."))) == sorted(f"{i}.{p}" for i, p in outputs)),
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }
