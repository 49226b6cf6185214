"""Issues: the list with article counts, and one issue with its distribution list and articles."""

from __future__ import annotations

from itertools import islice

from fastapi import APIRouter, Depends, Path as PathParam, Query

from corpus import queries
from errors import NotFound
from jianbao.api.limits import MAX_OFFSET
from jianbao.api.dependencies import Service, service

router = APIRouter(tags=["issues"])


@router.get("/issues")
def list_issues(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET),
                svc: Service = Depends(service)):
    """Issues, oldest first, with their article counts."""
    with svc.corpus() as c:
        return list(islice(queries.iter_issue_records(c.conn), offset, offset + limit))


@router.get("/issues/{key}")
def get_issue(key: str = PathParam(..., max_length=64, description="Issue id (2025-06) or total number (529)"),
              svc: Service = Depends(service)):
    """One issue with its distribution list (报/送), parse warnings, articles and tables (来稿及刊用情况)."""
    with svc.corpus() as c:
        issue = queries.get_issue(c.conn, key)
        if issue is None:
            raise NotFound(f"no issue {key!r}")
        issue["articles"] = list(queries.iter_article_records(c.conn, issue=issue["issue_id"]))
        issue["tables"] = queries.issue_table_records(c.conn, issue["issue_id"])
    return issue
