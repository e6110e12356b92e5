"""Saved scenarios in SQLite: a name and the validated inputs (as a URL query string).

One short connection per call, so several gunicorn workers share the file safely; nothing is held in
memory between requests. Names are checked here as well as in the callbacks.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

MAX_NAME = 60
MAX_SAVED = 500
_NAME = re.compile(r"^[\w][\w .,()&+'-]*$")


class StoreError(ValueError):
    """A refused save or delete, with a message for the user."""


def check_name(name: object) -> str:
    """A scenario name: 1-60 letters, digits, spaces and simple punctuation."""
    if not isinstance(name, str) or not name.strip():
        raise StoreError("name: give the scenario a name")
    name = name.strip()
    if len(name) > MAX_NAME or not _NAME.match(name):
        raise StoreError(f"name: at most {MAX_NAME} letters, digits, spaces and . , ( ) & + ' -; got {name[:80]!r}")
    return name


class ScenarioStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS scenario ("
                       " name TEXT PRIMARY KEY, query TEXT NOT NULL, scenario_id TEXT NOT NULL,"
                       " saved TEXT NOT NULL DEFAULT (datetime('now')))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def save(self, name: str, query: str, scenario_id: str) -> str:
        """Save or replace a scenario under its name; returns the checked name."""
        name = check_name(name)
        with closing(self._connect()) as db, db:
            count = db.execute("SELECT count(*) FROM scenario WHERE name != ?", (name,)).fetchone()[0]
            if count >= MAX_SAVED:
                raise StoreError(f"at most {MAX_SAVED} saved scenarios; delete some first")
            db.execute("INSERT OR REPLACE INTO scenario (name, query, scenario_id) VALUES (?, ?, ?)",
                       (name, query, scenario_id))
        return name

    def delete(self, name: str) -> str:
        name = check_name(name)
        with closing(self._connect()) as db, db:
            if db.execute("DELETE FROM scenario WHERE name = ?", (name,)).rowcount == 0:
                raise StoreError(f"name: no saved scenario called {name!r}")
        return name

    def get(self, name: str) -> str:
        """The saved query string of a scenario."""
        name = check_name(name)
        with closing(self._connect()) as db:
            row = db.execute("SELECT query FROM scenario WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"name: no saved scenario called {name!r}")
        return row[0]

    def list(self) -> list[tuple[str, str]]:
        """(name, query) of every saved scenario, by name."""
        with closing(self._connect()) as db:
            return db.execute("SELECT name, query FROM scenario ORDER BY name COLLATE NOCASE").fetchall()
