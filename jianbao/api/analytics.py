"""Analytics: trends and the topic × company cross-tab, full-text search, corpus stats and the
taxonomy; JSON, or CSV where a table is asked for."""

from __future__ import annotations

import json
from enum import Enum
from typing import Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corpus import queries
from jianbao.api.dependencies import Service, service
from jianbao.choices import By
from pipeline.resources import notebook, resolve_filters

router = APIRouter()


class Fmt(str, Enum):
    json = "json"
    csv = "csv"


@router.get("/trends", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
def trends(by: By = By.month, topic: Optional[str] = Query(None, max_length=64),
           company: Optional[str] = Query(None, max_length=64),
           companies: bool = Query(False, description="Count companies, not topics"),
           since: Optional[str] = Query(None, max_length=10), until: Optional[str] = Query(None, max_length=10),
           format: Fmt = Fmt.json, svc: Service = Depends(service)):
    """Articles per period for each topic (or company), with the period's share; by=company|topic
    gives the topic × company cross-tab. Same parameters as `jianbao trends`."""
    topic, company = resolve_filters(topic, company)
    with svc.corpus() as c:
        if by in (By.company, By.topic):
            frame, kind = notebook(c).crosstab_table(by.value, topic, company, since, until), "crosstab"
        else:
            frame = notebook(c).trends(by.value, topic, company, since, until,
                                       kind="company" if companies else "topic")
            kind = "company" if (company or (companies and not topic)) else "topic"
    if format == Fmt.csv:
        return _csv(frame, f"trends-{by.value}")
    return {"by": by.value, "kind": kind, "rows": _frame_records(frame)}


@router.get("/search", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
def search(q: str = Query(..., min_length=1, max_length=200), topic: Optional[str] = Query(None, max_length=64),
           company: Optional[str] = Query(None, max_length=64), since: Optional[str] = Query(None, max_length=10),
           until: Optional[str] = Query(None, max_length=10), limit: int = Query(20, ge=1, le=200),
           format: Fmt = Fmt.json, svc: Service = Depends(service)):
    """Chinese full-text search (BM25 over jieba words, title weighs 5×), snippets with hits in 【】."""
    topic, company = resolve_filters(topic, company)
    with svc.corpus() as c:
        frame = notebook(c).search(q, limit=limit, topic=topic, company=company, since=since, until=until)
    if format == Fmt.csv:
        return _csv(frame, "search")
    return {"query": q, "items": _frame_records(frame)}


@router.get("/stats", tags=["analytics"])
def corpus_stats(svc: Service = Depends(service)):
    """Issues, articles, pages, date range, and articles per topic and company."""
    with svc.corpus() as c:
        return queries.stats(c.conn)


@router.get("/taxonomy", tags=["models"])
def taxonomy():
    """Topic and company keys with their Chinese names."""
    from models import load_taxonomy
    tax = load_taxonomy()
    return {"topics": [{"key": t.key, "name": t.name} for t in tax.topics],
            "companies": [{"key": c.key, "name": c.name} for c in tax.companies]}


def _frame_records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False)) if len(frame) else []


def _csv(frame, name: str) -> Response:
    return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{name}.csv"'})
