"""`create_app`: the FastAPI app with its access guard, the one error handler, the dashboard
and the routers by resource (documents, issues, articles, analytics, models)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from errors import JianbaoError
from jianbao.api import analytics, articles, dashboard, documents, issues, models
from jianbao.api.access import ApiConfig, Guard
from jianbao.api.dashboard import STATIC
from jianbao.api.dependencies import Service
from jianbao.api.guards import BodyDeadline, InternalErrors
from pipeline.resources import open_corpus
from pipeline.settings import Settings
from pipeline.uploads import Uploads
from pipeline.worker import Limits


def create_app(settings: Settings, config: ApiConfig | None = None) -> FastAPI:
    """The jianbao service over the corpus at `settings.db` and the models in `settings.models_dir`."""
    config = config or ApiConfig.from_env()
    uploads = Uploads(config.upload_workers, Limits(config.upload_seconds, config.upload_memory_mb),
                      config.max_pages, settings.series)
    app = FastAPI(title="jianbao", version=_version(), lifespan=_lifespan, docs_url=None, redoc_url=None,
                  description="Chinese industry bulletins as a labelled corpus: upload issues, "
                              "query articles, trends and full-text search, correct tags.")
    app.state.service = Service(settings, config, uploads)
    app.add_middleware(Guard, config=config)
    app.add_middleware(BodyDeadline, seconds=config.body_seconds)
    app.add_middleware(InternalErrors)          # outermost of ours: any other error, a JSON 500 with an id
    app.add_exception_handler(JianbaoError, _library_error)
    app.add_middleware(GZipMiddleware, minimum_size=1024)   # plotly.min.js: 4.6 MB, 1.4 MB gzipped
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (dashboard, documents, issues, articles, analytics, models):
        app.include_router(module.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    service: Service = app.state.service
    open_corpus(service.settings.db).close()        # create or migrate the corpus before serving
    yield
    await run_in_threadpool(service.uploads.close)


async def _library_error(request: Request, exc: JianbaoError):
    """The one place a library error becomes a status (its class's `http_status`) and a reason."""
    return JSONResponse({"detail": request.app.state.service.public(str(exc))}, exc.http_status)


def _version() -> str:
    from importlib import metadata
    try:
        return metadata.version("jianbao")
    except metadata.PackageNotFoundError:
        return "0"
