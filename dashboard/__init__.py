"""The Dash dashboard: calls only sim's public API; `create_app` builds it over a data folder."""

from .factory import create_app, wsgi

__all__ = ["create_app", "wsgi"]
