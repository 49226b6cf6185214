"""The analyst's API over a corpus: pandas DataFrames for notebooks, the CLI and the service.

Kept apart from the store so that the writer imports no reader (and no pandas):
`Notebook(corpus).trends(by="quarter", topic="anti_fraud")`.
"""

from __future__ import annotations

from typing import Callable

from corpus.store import Corpus, read_snapshot


class Notebook:
    """Read-only questions over one open `Corpus`; `resolve_company` maps a company name in a
    来稿及刊用情况 table to a taxonomy key (None: names are kept, keys left empty)."""

    def __init__(self, corpus: Corpus, resolve_company: Callable[[str], str | None] | None = None):
        self.corpus = corpus
        self.resolve_company = resolve_company

    def trends(self, by: str = "month", topic: str | None = None, company: str | None = None,
               since: str | None = None, until: str | None = None, kind: str = "topic",
               mentions: bool = False):
        """Articles per period for each topic (kind="company": each company), or for one label;
        `mentions`: companies counted wherever named, not only where the article concerns them."""
        from corpus.analytics import trends
        kind = "company" if company or mentions else ("topic" if topic else kind)
        with read_snapshot(self.corpus.conn) as conn:      # totals, counts and dates of one state
            return trends(conn, by, kind, company if kind == "company" else topic, since, until, mentions)

    def crosstab(self, topic: str | None = None, company: str | None = None, since=None, until=None):
        from corpus.analytics import crosstab
        with read_snapshot(self.corpus.conn) as conn:
            return crosstab(conn, topic, company, since, until)

    def crosstab_table(self, by: str = "company", topic: str | None = None, company: str | None = None,
                       since: str | None = None, until: str | None = None):
        """The cross-tab as a flat table (`trends --by company|topic`, `GET /trends?by=`): by="company"
        gives a row per topic and a column per company, by="topic" the transpose."""
        frame = self.crosstab(topic, company, since, until)
        frame = frame.T if by == "topic" else frame
        return frame.reset_index() if len(frame) else frame

    def submissions(self, by: str = "quarter", since: str | None = None, until: str | None = None):
        """Submitted and published articles per company and period (the 来稿及刊用情况 tables)."""
        from corpus.analytics import submissions
        with read_snapshot(self.corpus.conn) as conn:
            return submissions(conn, by, since, until, self.resolve_company)

    def search(self, query: str, limit: int = 20, **filters):
        from corpus.analytics import search
        with read_snapshot(self.corpus.conn) as conn:
            return search(conn, query, self.corpus.segment, limit=limit, **filters)

    def search_rows(self, query: str, limit: int = 20, **filters) -> list[tuple]:
        """`search` as plain rows of `corpus.analytics.SEARCH_COLUMNS` (no pandas imported)."""
        from corpus.analytics import search_rows
        return search_rows(self.corpus.conn, query, self.corpus.segment, limit=limit, **filters)

    def articles(self, limit: int | None = None, **filters):
        import pandas as pd

        from corpus.queries import iter_article_records
        return pd.json_normalize(list(iter_article_records(self.corpus.conn, limit=limit, **filters)))

    def export(self, what: str, fmt: str, out, **filters) -> int:
        from corpus.export import export
        return export(self.corpus.conn, what, fmt, out, **filters)
