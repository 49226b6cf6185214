"""Articles: filtered lists, one article, and its tag corrections (labels) with their history."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query
from pydantic import BaseModel, Field

from corpus import analytics, labels, queries
from corpus.store import Corpus
from errors import NotFound, UsageError
from jianbao.api.limits import MAX_OFFSET
from jianbao.api.dependencies import Service, service, writer
from pipeline.resources import resolve_filters

router = APIRouter()


class LabelBody(BaseModel):
    """Tag corrections, as `jianbao label`: "+key" (or "key") adds, "-key" removes."""

    topics: list[str] = Field(default_factory=list, max_length=100, examples=[["+anti_fraud", "-culture_publicity"]])
    companies: list[str] = Field(default_factory=list, max_length=100, examples=[["+sf"]])
    by: Optional[str] = Field(None, max_length=100, description="Who labels [api]")


@router.get("/articles", tags=["articles"])
def list_articles(topic: Optional[str] = Query(None, max_length=64),
                  company: Optional[str] = Query(None, max_length=64),
                  since: Optional[str] = Query(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"),
                  until: Optional[str] = Query(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"),
                  q: Optional[str] = Query(None, max_length=200, description="Words the title or text must contain"),
                  issue: Optional[str] = Query(None, max_length=64, description="Issue id or total number"),
                  limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_OFFSET),
                  svc: Service = Depends(service)):
    """Articles with their tags, oldest first; `total` counts every match."""
    topic, company = resolve_filters(topic, company)
    filters = dict(topic=topic, company=company, since=since, until=until, issue=issue)
    with svc.corpus() as c:
        if q and q.strip():
            filters["match"] = analytics.fts_query(c.segment(q))
            if not filters["match"]:
                return {"total": 0, "limit": limit, "offset": offset, "items": []}
        total = queries.count_articles(c.conn, **filters)
        items = list(queries.iter_article_records(c.conn, limit=limit, offset=offset, **filters))
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/articles/{article_id}", tags=["articles"])
def get_article(article_id: str = PathParam(..., max_length=64), svc: Service = Depends(service)):
    """One article: metadata, tags in force (human labels beat the model's), entities, text."""
    with svc.corpus() as c:
        return _article_or_404(c, article_id)


@router.get("/articles/{article_id}/history", tags=["labels"])
def label_history(article_id: str = PathParam(..., max_length=64), svc: Service = Depends(service)):
    """Every label change of one article: who, when, old -> new."""
    with svc.corpus() as c:
        _article_or_404(c, article_id)
        return labels.history(c.conn, article_id)


@router.post("/articles/{article_id}/labels", dependencies=[Depends(writer)], tags=["labels"],
             responses={401: {}, 403: {}, 404: {}, 422: {}})
def label_article(body: LabelBody, article_id: str = PathParam(..., max_length=64),
                  svc: Service = Depends(service)):
    """Correct the tags of one article, as `jianbao label`; every change is in the history."""
    if not body.topics and not body.companies:
        raise UsageError("give topics or companies to change, e.g. {\"topics\": [\"+anti_fraud\"]}")
    from models import label_keys
    changes = labels.parse_changes(article_id, body.topics, body.companies, label_keys())
    with svc.write_lock, svc.corpus() as c:
        _article_or_404(c, article_id)
        report = labels.apply_changes(c, changes, body.by or "api")
        article = queries.get_article(c.conn, article_id)
    return {"changed": report.changed, "unchanged": report.unchanged,
            "history": list(report.history), "article": article}


def _article_or_404(c: Corpus, article_id: str) -> dict:
    record = queries.get_article(c.conn, article_id)
    if record is None:
        raise NotFound(f"no article {article_id!r}")
    return record
