"""The corpus in Datasette, for analysts who want SQL (`jianbao browse`); the only module that
imports datasette (the `browse` extra).

The database is opened read-only (`immutable` for a corpus nothing writes to any more), with
metadata that titles and describes the tables, hides the search index, and sets facets on the
label columns. Full-text search on the articles table goes through the same jieba words and
FTS5 index as `jianbao search`: Datasette's own `_search` joins the index on its rowid, which
is not the article's, so a small plugin (`filters_from_request`) answers `_search` on
`articles` instead, and tells the page the table is searchable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from corpus.analytics import fts_query
from errors import MissingExtra

PLUGIN = "jianbao-articles-search"
SEARCH_SQL = "article_id IN (SELECT article_id FROM articles_fts WHERE articles_fts MATCH :jianbao_match)"

TABLES = {
    "articles": {"description": "One row per article. Search is by jieba words, as `jianbao search`.",
                 "label_column": "title", "sort_desc": "date", "facets": ["issue_id", "low_confidence"]},
    "issues": {"description": "One row per bulletin issue: masthead, 报 (report_to) and 送 (copy_to) as JSON.",
               "sort_desc": "date", "facets": ["year", "series", "source_kind"]},
    "tags": {"description": "The labels in force per article (a human label beats the model's).",
             "facets": ["kind", "label", "source"]},
    "labels": {"description": "Every model and human label with its score, version and author.",
               "facets": ["kind", "label", "source", "value", "who"]},
    "label_history": {"description": "Every label change: who, when, old -> new.",
                      "sort_desc": "at", "facets": ["who", "kind", "label", "source"]},
    "entities": {"description": "Company mentions found in the text, with their role in the article.",
                 "facets": ["kind", "label", "role", "field"]},
    "doc_tables": {"description": "Tables of an issue (来稿及刊用情况); their rows are in table_rows.",
                   "facets": ["title", "issue_id"]},
    "documents": {"description": "Every file met by an import: imported, duplicate or failed.",
                  "facets": ["status", "kind"]},
    "runs": {"description": "Import runs and their counts.", "sort_desc": "run_id"},
    "articles_fts": {"hidden": True},
    "label_bits": {"hidden": True},
    "reviews": {"facets": ["action", "who"]},
}


def datasette_metadata(name: str) -> dict:
    """Titles, descriptions, facets and hidden tables of a corpus database called `name`."""
    return {"title": "jianbao 简报 corpus", "description": "Read-only. The dashboard is `jianbao serve`.",
            "databases": {name: {"tables": TABLES}}}


def build_datasette(path: str | Path, segment: Callable[[str], str], immutable: bool = False):
    """A Datasette app over the corpus at `path`, read-only, articles searchable by `segment`ed words."""
    try:
        from datasette.app import Datasette
        from datasette.plugins import pm
    except ImportError as exc:
        raise MissingExtra("jianbao browse needs Datasette, which is not installed",
                           hint="pip install 'jianbao[browse]'") from exc
    if pm.get_plugin(PLUGIN) is not None:
        pm.unregister(name=PLUGIN)
    pm.register(_search_plugin(segment), name=PLUGIN)
    path = str(path)
    return Datasette(files=[] if immutable else [path], immutables=[path] if immutable else [],
                     metadata=datasette_metadata(Path(path).stem),
                     settings={"default_page_size": 50, "sql_time_limit_ms": 5000, "num_sql_threads": 2})


def _search_plugin(segment: Callable[[str], str]):
    from datasette import hookimpl
    from datasette.filters import FilterArguments

    class ArticlesSearch:
        """`?_search=` on the articles table: every jieba word must match, as `jianbao search`."""

        __name__ = PLUGIN               # Datasette lists its plugins by module name

        @hookimpl(trylast=True)         # last, so that its `supports_search` is the one the page sees
        def filters_from_request(self, request, database, table, datasette):
            if table != "articles":
                return None
            text = request.args.get("_search", "").strip()
            context = {"supports_search": True, "search": text}
            if not text:
                return FilterArguments([], extra_context=context)
            match = fts_query(segment(text))
            return FilterArguments([SEARCH_SQL] if match else ["0"], {"jianbao_match": match} if match else {},
                                   [f'search matches "{text}"'], context)

    return ArticlesSearch()
