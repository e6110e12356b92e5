"""Start the dashboard: `python app.py [--host H] [--port N] [--data DIR] [--debug]`.

Defaults: http://127.0.0.1:8050 with the data folder ./data (SQLite, result cache, background
jobs), created if missing. For several worker processes: `gunicorn -w 2 --threads 16 'dashboard:wsgi()'`.
"""

from __future__ import annotations

import argparse

from dashboard import create_app
from dashboard.factory import DEFAULT_DATA_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The relational-welfare dashboard")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    parser.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="data folder (default ./data)")
    parser.add_argument("--replications", type=int, default=30, help="default replications on Scenarier")
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (development only)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port: expected 1-65535, got {args.port}")
    if args.replications < 1:
        parser.error(f"--replications: expected at least 1, got {args.replications}")
    create_app(args.data, replications=args.replications).run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
