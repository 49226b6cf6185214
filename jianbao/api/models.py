"""Models: the registered versions with their test macro-F1, and promotion of one of them."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Depends, Path as PathParam, Query

from jianbao.api.dependencies import Service, service, writer

router = APIRouter(tags=["models"])


@router.get("/models")
def list_models(svc: Service = Depends(service)):
    """Registered model versions with their test-split macro-F1; `active` tags new uploads."""
    from models import active_version
    from models.promotion import model_rows
    rows = model_rows(svc.settings.models_dir)
    return {"active": active_version(svc.settings.models_dir), "models": [dataclasses.asdict(r) for r in rows]}


@router.post("/models/{version}/promote", dependencies=[Depends(writer)],
             responses={401: {}, 403: {}, 404: {}, 409: {"description": "Clearly worse than the active model"}})
def promote_model(version: str = PathParam(..., max_length=64),
                  force: bool = Query(False, description="Promote even if clearly worse"),
                  svc: Service = Depends(service)):
    """Make VERSION the active model (refused if its test macro-F1 is clearly worse)."""
    from models.promotion import promote_checked
    with svc.write_lock:
        return {"active": promote_checked(version, svc.settings.models_dir, force)}
