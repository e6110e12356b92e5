"""The app factory: one Dash app over a data folder (SQLite, result cache, background jobs).

Everything a request needs lives on disk under the data folder, so several server processes
(`gunicorn -w 2 --threads 16 'dashboard:wsgi()'`) behave as one. The services object holds only
paths and settings; it is never changed after start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import diskcache
from dash import Dash, DiskcacheManager

import sim
from sim.cache import open_disk_cache

from . import guard, shell
from .compute import ANALYSES, RUN_NICENESS, lower_priority
from .inputs import Limits
from .services import Services
from .pages import assumptions, districts, export, overview, scenarios, uncertainty
from .store import ScenarioStore

PAGES = (overview, scenarios, districts, uncertainty, assumptions, export)
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NO_PROCESS = -1  # the job handle of a job run in the request (no process id: nothing to poll or end)

INDEX = """<!DOCTYPE html>
<html lang="da">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def _at_low_priority(job_fn: Callable[..., Any], *args: Any) -> None:
    lower_priority(RUN_NICENESS)
    job_fn(*args)


class FreshProcessJobs(DiskcacheManager):
    """Background jobs in a process of their own instead of a fork of the web server, below the
    server's priority and the analyses' (`RUN_NICENESS`: a simulation keeps its cores busy for a
    while; the previews and the pages' analyses come first).

    The server is multi-threaded; a fork of it copies a lock that another thread holds at that
    moment (SQLite's, diskcache's) and the job can then wait on it for ever after finishing its
    work. So each job is forked from a fork server instead ("forkserver"): a fresh interpreter,
    single-threaded, started with the app (`start`), that has imported the dashboard and the model
    once. A job then starts in a tenth of a second with no lock held, where a fresh interpreter per
    job ("spawn") spent about 1.6 s importing them before its work began.
    A job whose request is refused (`refused(args)`: its inputs fail validation) gets no process:
    it runs here, where it only returns its refusal, so a crafted request starts no work.
    """

    PRELOAD = ["dashboard"]  # imports sim and everything a job's function needs

    def __init__(self, cache: diskcache.Cache, refused: Callable[[Any], bool] = lambda args: False) -> None:
        super().__init__(cache)
        self.refused = refused
        from multiprocess import get_context  # Dash's own process library (dill pickles the job)

        self.context = get_context("forkserver")
        self.context.set_forkserver_preload(self.PRELOAD)

    def start(self) -> None:
        """Start the fork server now (it imports the dashboard beside the web server's start-up),
        not at the first job, which would wait for it."""
        from multiprocess import forkserver

        forkserver.ensure_running()

    def call_job_fn(self, key, job_fn, args, context):
        if self.refused(args):
            job_fn(key, self._make_progress_key(key), args, context)  # stores the refusal as the job's result
            return NO_PROCESS
        process = self.context.Process(target=_at_low_priority,
                                       args=(job_fn, key, self._make_progress_key(key), args, context))
        process.start()
        return process.pid


def create_app(data_dir: str | Path = DEFAULT_DATA_DIR, replications: int = 30, max_replications: int = 500,
               workers: int | None = None, seed: int = 1, upload_limit: int = 64 * 1024) -> Dash:
    """The dashboard. replications: the default on the Scenarier page; max_replications: the most a
    request may ask for; workers: processes per simulation (None: all cores)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(
        data_dir=data_dir,
        limits=Limits(max_replications=max_replications, default_replications=replications),
        store=ScenarioStore(data_dir / "scenarios.sqlite"),
        cache=sim.ResultCache(data_dir / "cache"),  # the CLI's default cache too, with the default data folder
        seed=seed,
        workers=workers,
        upload_limit=upload_limit,
    )
    manager = FreshProcessJobs(open_disk_cache(data_dir / "jobs"),
                               refused=lambda args: scenarios.job_refused(args, services.limits))
    manager.start()
    ANALYSES.start()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # the pages are registered below, from dashboard.pages
        routing_callback_inputs=shell.ROUTING_INPUTS,
        title="Relationel velfærd",
        assets_folder=str(Path(__file__).parent / "assets"),
        background_callback_manager=manager,
        suppress_callback_exceptions=True,
        update_title=None,
    )
    app.index_string = INDEX
    guard.install(app)
    # The largest request the server reads at all (an upload is refused with a message far below it).
    app.server.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024 + 4 * upload_limit
    shell.register(app, services)
    for order, page in enumerate(PAGES):
        shell.register_page(page, order, services)
        page.register(app, services)
    app.layout = shell.layout()
    return app


def wsgi(data_dir: str = str(DEFAULT_DATA_DIR)):
    """The Flask server for a WSGI host: `gunicorn -w 2 --threads 16 'dashboard:wsgi()'` (or
    wsgi(data_dir='...'))."""
    return create_app(data_dir).server
