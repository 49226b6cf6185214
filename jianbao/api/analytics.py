"""Analytics: trends and the topic × company cross-tab, full-text search, corpus stats and the
taxonomy; JSON, or CSV where a table is asked for."""

from __future__ import annotations

import json
from enum import Enum
from typing import Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corpus import analytics, queries
from jianbao.api.dependencies import Service, service
from jianbao.choices import By
from pipeline.resources import notebook, resolve_filters

router = APIRouter()
MAX_SEARCH_OFFSET = 2000        # search ranks offset + limit hits: deep pages are for export, not paging


class Fmt(str, Enum):
    json = "json"
    csv = "csv"


@router.get("/trends", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
def trends(by: By = By.month, topic: Optional[str] = Query(None, max_length=64),
           company: Optional[str] = Query(None, max_length=64),
           companies: bool = Query(False, description="Count companies, not topics"),
           mentions: bool = Query(False, description="Companies: every article that names the firm"),
           q: Optional[str] = Query(None, max_length=200, description="A search term: one series of the "
                                    "articles matching it (every word), as `jianbao search`"),
           since: Optional[str] = Query(None, max_length=10), until: Optional[str] = Query(None, max_length=10),
           format: Fmt = Fmt.json, svc: Service = Depends(service)):
    """Articles per period for each topic (or company), with the period's share; by=company|topic
    gives the topic × company cross-tab; q= gives the series of one search term. Same parameters
    as `jianbao trends`."""
    topic, company = resolve_filters(topic, company)
    with svc.corpus() as c:
        if q and q.strip() and by not in (By.company, By.topic):
            frame, kind = notebook(c).term_trends(q.strip(), by.value, topic, company, since, until), "query"
        elif by in (By.company, By.topic):
            frame, kind = notebook(c).crosstab_table(by.value, topic, company, since, until), "crosstab"
        else:
            frame = notebook(c).trends(by.value, topic, company, since, until,
                                       kind="company" if companies else "topic", mentions=mentions)
            kind = "company" if (company or mentions or (companies and not topic)) else "topic"
    if format == Fmt.csv:
        return _csv(frame, f"trends-{by.value}")
    return {"by": by.value, "kind": kind, "rows": _frame_records(frame)}


@router.get("/search", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
def search(q: str = Query(..., min_length=1, max_length=200), topic: Optional[str] = Query(None, max_length=64),
           company: Optional[str] = Query(None, max_length=64), since: Optional[str] = Query(None, max_length=10),
           until: Optional[str] = Query(None, max_length=10), limit: int = Query(20, ge=1, le=200),
           offset: int = Query(0, ge=0, le=MAX_SEARCH_OFFSET), format: Fmt = Fmt.json,
           svc: Service = Depends(service)):
    """Chinese full-text search (BM25 over jieba words, title weighs 5×), snippets with hits in 【】;
    `offset` pages through the ranking, `total` counts every match."""
    topic, company = resolve_filters(topic, company)
    filters = dict(topic=topic, company=company, since=since, until=until)
    with svc.corpus() as c:
        frame = notebook(c).search(q, limit=offset + limit, **filters).iloc[offset:]
        match = analytics.fts_query(c.segment(q))
        total = queries.count_articles(c.conn, match=match, **filters) if match else 0
    if format == Fmt.csv:
        return _csv(frame, "search")
    return {"query": q, "total": total, "offset": offset, "limit": limit, "items": _frame_records(frame)}


@router.get("/submissions", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
def submissions(by: By = By.quarter, since: Optional[str] = Query(None, max_length=10),
                until: Optional[str] = Query(None, max_length=10), format: Fmt = Fmt.json,
                svc: Service = Depends(service)):
    """来稿及刊用情况: articles submitted and published per company and period, as `jianbao submissions`."""
    with svc.corpus() as c:
        frame = notebook(c).submissions(by.value, since, until)
    if format == Fmt.csv:
        return _csv(frame, f"submissions-{by.value}")
    return {"by": by.value, "rows": _frame_records(frame)}


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
