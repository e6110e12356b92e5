"""The result cache: a finished run is kept on disk, so asking again for the same scenario, seed and
replications (a revisit in the dashboard, a repeated `python -m sim run`) is served in milliseconds.

The runner makes the key (`runner.cache_key`: scenario id, scenario name, seed, replications,
project version and the model code's fingerprint); this module only stores and finds. The model code
fingerprint (a hash of sim/*.py) keeps a developer's edited engine from being answered with an
older engine's numbers while the project version stands still.
Storage is `diskcache` (SQLite underneath), safe when the CLI, the dashboard and worker processes
read and write at once. The default folder is data/cache in the project (git-ignored), or the
folder in the environment variable RELVEL_CACHE_DIR. The cache only saves time: a folder that cannot
be written (read-only, full disk) is logged and replaced by a temporary one, and a value that cannot
be stored is not kept; the run's result is returned either way.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import diskcache

CACHE_ENV = "RELVEL_CACHE_DIR"
SIM_DIR = Path(__file__).resolve().parent
DEFAULT_SIZE_LIMIT = 2**31  # bytes; least recently stored entries are evicted beyond this

log = logging.getLogger(__name__)


def open_disk_cache(directory: str | Path, **settings: Any) -> diskcache.Cache:
    """A diskcache in the folder or, when that one cannot be written, in a temporary folder named after
    it (so that the server's processes share it)."""
    try:
        return diskcache.Cache(str(directory), **settings)
    except (sqlite3.Error, OSError) as exc:
        name = hashlib.sha256(str(Path(directory).resolve()).encode()).hexdigest()[:12]
        fallback = Path(tempfile.gettempdir()) / f"relvel-cache-{name}"
        log.warning("cannot write the cache folder %s (%s); using %s for this process", directory, exc, fallback)
        return diskcache.Cache(str(fallback), **settings)


def default_cache_dir() -> Path:
    """$RELVEL_CACHE_DIR, else data/cache in the project folder."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env) if env else SIM_DIR.parent / "data" / "cache"


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """A hash of the model's source code (sim/*.py), read once per process."""
    h = hashlib.sha256()
    for path in sorted(SIM_DIR.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


class ResultCache:
    """Finished runs on disk, shared by every process that opens the same folder."""

    def __init__(self, directory: str | Path | None = None, size_limit: int = DEFAULT_SIZE_LIMIT) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self._store = open_disk_cache(self.directory, size_limit=size_limit)

    def get(self, key: str) -> Any:
        """The stored value, or None when it was never stored (or was evicted)."""
        return self._store.get(key)

    def put(self, key: str, value: Any) -> None:
        """Store a value whole: a reader sees the complete value or none (one SQLite transaction).
        A value the disk refuses (full, read-only) is not kept, and the refusal is logged."""
        try:
            self._store.set(key, value)
        except (sqlite3.Error, OSError) as exc:
            log.warning("result not cached (%s): %s", key, exc)

    def __contains__(self, key: str) -> bool:
        return key in self._store

    def __len__(self) -> int:
        return len(self._store)

    def clear(self) -> None:
        self._store.clear()

    def close(self) -> None:
        self._store.close()
