"""Saved scenarios in SQLite: a name and the validated inputs (as a URL query string).

A scenario saved before amounts of money had one price level has no price year in its query and
holds each amount at its source's price year; it is read with its amounts converted to the default
price year (`inputs.priced_query`), so it keeps what it meant.

One short connection per call, so several gunicorn workers share the file safely; nothing is held in
memory between requests. Names are checked here as well as in the callbacks.

A save is committed (SQLite's rollback journal, `synchronous=FULL`) before the page is told "saved",
so a server killed mid-save loses no save it acknowledged and leaves the file intact
(tests/browser/test_faults.py). A data folder that cannot be written (read-only, full disk) or a
database that stays locked refuses the save or delete with a StoreError naming the cause, which the
page shows as the save's refusal; nothing SQLite raises reaches the user as an error.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from contextlib import closing, contextmanager
from typing import Iterator
from pathlib import Path

from .inputs import priced_query

MAX_NAME = 60
MAX_SAVED = 500
_NAME = re.compile(r"^[\w][\w .,()&+'-]*$")


log = logging.getLogger(__name__)


class StoreError(ValueError):
    """A refused save or delete, with a message for the user."""


def _why(exc: sqlite3.Error) -> str:
    """The user's words for a storage failure (SQLite's own words in the server's log)."""
    text = str(exc).lower()
    if "full" in text:
        return "the data folder is full (no space left on the disk)"
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return "the data folder is read-only (the server may not write there)"
    if "locked" in text or "busy" in text:
        return "the saved scenarios are busy; try again in a moment"
    return "the saved scenarios could not be read or written"


@contextmanager
def _storage(action: str) -> Iterator[None]:
    """SQLite's errors (disk full, read-only folder, locked, I/O) as a StoreError for the page."""
    try:
        yield
    except sqlite3.Error as exc:
        log.warning("scenario store: %s failed: %s", action, exc)
        raise StoreError(f"{action}: {_why(exc)}; nothing was changed") from None


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
        try:
            self._create()
        except sqlite3.Error as exc:  # e.g. a read-only folder: the server starts, saving is refused
            log.warning("scenario store: cannot create %s: %s", self.path, exc)

    def _create(self) -> None:
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS scenario ("
                       " name TEXT PRIMARY KEY, query TEXT NOT NULL, scenario_id TEXT NOT NULL,"
                       " saved TEXT NOT NULL DEFAULT (datetime('now')))")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous=FULL")  # a commit is on disk before "saved" is answered
        return db

    def save(self, name: str, query: str, scenario_id: str) -> str:
        """Save or replace a scenario under its name; returns the checked name."""
        name = check_name(name)
        with _storage("save"), closing(self._connect()) as db, db:
            count = db.execute("SELECT count(*) FROM scenario WHERE name != ?", (name,)).fetchone()[0]
            if count >= MAX_SAVED:
                raise StoreError(f"at most {MAX_SAVED} saved scenarios; delete some first")
            db.execute("INSERT OR REPLACE INTO scenario (name, query, scenario_id) VALUES (?, ?, ?)",
                       (name, query, scenario_id))
        return name

    def delete(self, name: str) -> str:
        name = check_name(name)
        with _storage("delete"), closing(self._connect()) as db, db:
            if db.execute("DELETE FROM scenario WHERE name = ?", (name,)).rowcount == 0:
                raise StoreError(f"name: no saved scenario called {name!r}")
        return name

    def get(self, name: str) -> str:
        """The saved query string of a scenario."""
        name = check_name(name)
        with _storage("open"), closing(self._connect()) as db:
            row = db.execute("SELECT query FROM scenario WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"name: no saved scenario called {name!r}")
        return priced_query(row[0])

    def list(self) -> list[tuple[str, str]]:
        """(name, query) of every saved scenario, by name."""
        try:
            with closing(self._connect()) as db:
                rows = db.execute("SELECT name, query FROM scenario ORDER BY name COLLATE NOCASE").fetchall()
            return [(name, priced_query(query)) for name, query in rows]
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc) or "unable to open" in str(exc):  # a folder never writable
                log.warning("scenario store: cannot list: %s", exc)
                return []
            raise
