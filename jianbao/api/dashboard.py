"""The dashboard: its page, and Plotly.js as shipped inside the installed `plotly` package (the
charts work offline: no CDN, nothing fetched but this server)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from errors import NotFound

STATIC = Path(__file__).resolve().parent.parent / "static"
CACHE = "public, max-age=86400"         # a day: the file changes only when the package does

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def plotly_js() -> Path | None:
    """plotly.min.js inside the installed plotly wheel (plotly/package_data/), or None."""
    from importlib.util import find_spec
    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


@router.get("/")
def dashboard():
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/vendor/plotly.min.js")
def plotly():
    path = plotly_js()
    if path is None:
        raise NotFound("plotly.min.js is not installed: pip install plotly (a dependency of jianbao)")
    return FileResponse(path, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": CACHE})
