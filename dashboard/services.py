"""What every callback may use: read-only settings and handles to the data folder (made once by
the app factory, never changed after start-up)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sim

from .inputs import Limits
from .store import ScenarioStore


@dataclass(frozen=True)
class Services:
    """Read-only settings and handles to the data folder, shared by every callback."""

    data_dir: Path
    limits: Limits
    store: ScenarioStore
    cache: sim.ResultCache
    seed: int
    workers: int | None
    upload_limit: int
