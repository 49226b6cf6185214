"""The `jianbao` command: a thin skin over the pipeline, the models and the corpus.

Each command parses flags, opens resources, calls one library function and renders the result:
data to stdout, progress and messages to stderr. Exit codes: 0 ok, 1 some input failed,
2 usage error.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from jianbao.choices import OCR, By, OcrEngine
from jianbao.render import err_console, print_rows, tag_list
from pipeline.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn Chinese industry bulletins into a labelled, queryable corpus.")


class Fmt(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class What(str, Enum):
    articles = "articles"
    issues = "issues"
    tables = "tables"
    labels = "labels"


class ExportFmt(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@contextmanager
def handled():
    """The one place a library error becomes `Error: ...` on stderr and an exit code (1 failed
    input, 2 usage); nothing else is caught, so a bug still shows its traceback."""
    from errors import JianbaoError
    try:
        yield
    except JianbaoError as exc:
        err_console().print(f"Error: {exc}", markup=False)
        raise typer.Exit(exc.exit_code) from None


def settings(ctx: typer.Context) -> Settings:
    return ctx.obj


@contextmanager
def open_corpus(ctx: typer.Context, create: bool = False):
    """The corpus at --db; only commands that write a new corpus (ingest) create it, so a
    mistyped --db is an error, not an empty answer."""
    from pipeline.resources import open_corpus as open_
    with handled(), open_(settings(ctx).db, create=create) as corpus:
        yield corpus


@contextmanager
def read_lines(file: str):
    """Lines of a text file the user names (`-`: stdin), with missing files, folders and
    undecodable bytes reported as errors naming the file."""
    from pipeline.inputs import open_text
    with handled(), open_text(file) as lines:
        yield lines


@app.callback()
def main(ctx: typer.Context,
         db: Optional[str] = typer.Option(None, "--db", help="Corpus database [env JIANBAO_DB; ./jianbao.db]")):
    from pipeline.settings import build_settings
    with handled():
        ctx.obj = build_settings(db)


@app.command("ingest")
def ingest_cli(ctx: typer.Context, paths: List[Path] = typer.Argument(None, help="Files or folders"),
               ocr: OCR = typer.Option(OCR.auto, help="OCR pages without a usable text layer"),
               jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                                  help="At most N processes reading documents: this one and up to N-1 "
                                                  "workers, each started once the reading left repays its start [one "
                                                  "per 8 documents, at most one per idle core]"),
               scheduler: Optional[str] = typer.Option(None, help="Dask scheduler tcp://HOST:PORT"),
               retry_failed: bool = typer.Option(False, "--retry-failed", help="Retry only past failures"),
               time_limit: float = typer.Option(900, help="Seconds allowed per document"),
               max_memory_mb: Optional[int] = typer.Option(None, min=1, help="Memory ceiling per document "
                                                           "(MB) [half the machine's memory / workers]"),
               image_folders: bool = typer.Option(True, help="A folder of page images is one issue"),
               tag: bool = typer.Option(True, help="Tag articles with the active model"),
               ocr_engine: Optional[OcrEngine] = typer.Option(
                   None, help="OCR inference engine [env JIANBAO_OCR_ENGINE; openvino]")):
    """Import PDFs, page images and folders into the corpus (resumable: run it again)."""
    from corpus.queries import failed_paths
    from jianbao.progress import ingest_progress, print_report
    from pipeline.importer import import_paths
    from pipeline.worker import MACHINE, Limits
    with open_corpus(ctx, create=True) as corpus:
        models_dir = _default_model(settings(ctx)) if tag else None
        todo = failed_paths(corpus.conn) if retry_failed else list(paths or [])
        if retry_failed and not todo:
            err_console().print("no failed files to retry", markup=False)
            return
        if not todo:
            raise typer.BadParameter("give files or folders (or --retry-failed)")
        with ingest_progress() as progress:
            report = import_paths(corpus, todo, models_dir, ocr=ocr.value, jobs=jobs,
                                  limits=Limits(time_limit, max_memory_mb or MACHINE), scheduler=scheduler,
                                  image_folders=image_folders, progress=progress,
                                  ocr_threads=settings(ctx).ocr_threads, series=settings(ctx).series,
                                  ocr_engine=ocr_engine.value if ocr_engine else settings(ctx).ocr_engine,
                                  worker_start_s=settings(ctx).worker_start_s)
    print_report(report)
    raise typer.Exit(report.exit_code)


def _default_model(s: Settings) -> Path:
    """The model home, with a model in it: the default one is trained from the authored data
    the first time it is needed (about a minute, said on stderr)."""
    from pipeline.curation import ensure_default_model
    with handled():
        return ensure_default_model(s, lambda m: err_console().print(m, markup=False))


series_app = typer.Typer(help="Bulletin series recognised by their masthead (besides names "
                              "ending in 简报, 动态, 通讯, 快报, 信息 ...).", no_args_is_help=True)
app.add_typer(series_app, name="series")


@series_app.command("add")
def series_add_cli(ctx: typer.Context, name: str = typer.Argument(..., help="The series name as its masthead prints it")):
    """Recognise a bulletin series by name: a first page with it and 第N期 is a masthead."""
    from pipeline.settings import add_series
    with handled():
        names = add_series(settings(ctx).home, name)
    err_console().print(f"{len(names)} series configured in {settings(ctx).home}", markup=False)


@series_app.command("list")
def series_list_cli(ctx: typer.Context, fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """The series added with `jianbao series add`."""
    print_rows(("series",), [(name,) for name in settings(ctx).series], fmt.value)


@app.command("runs")
def runs_cli(ctx: typer.Context, limit: int = 20, fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Past import runs with their counts and failures."""
    from corpus.queries import run_records
    with open_corpus(ctx) as corpus:
        rows = run_records(corpus.conn, limit)
    cols = ("run_id", "started_at", "finished_at", "seconds", "state", "imported", "present", "duplicates",
            "failed", "skipped", "warnings", "workers", "paths")
    print_rows(cols, [[r[c] for c in cols] for r in rows], fmt.value)
    for r in rows:
        if r["workers_why"]:
            err_console().print(f"run {r['run_id']}: {r['workers']} worker(s): {r['workers_why']}", markup=False)
        for failure in r["failures"]:
            err_console().print(f"run {r['run_id']}: {failure}", markup=False)


@app.command("articles")
def articles_cli(ctx: typer.Context, topic: Optional[str] = None, company: Optional[str] = None,
                 since: Optional[str] = typer.Option(None, help="YYYY-MM"),
                 until: Optional[str] = typer.Option(None, help="YYYY-MM"),
                 issue: Optional[str] = typer.Option(None, help="Issue id (2025-06) or total number"),
                 role: Optional[str] = typer.Option(None, help="With --company: articles that mention it "
                                                    "as any|actor|participant|object|passing|impersonated|payment"),
                 limit: int = 50, fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """List articles, filtered by topic, company (and the company's role) and date."""
    from corpus.queries import iter_article_records
    topic, company = _filters(topic, company)
    with open_corpus(ctx) as corpus:
        rows = [(r["article_id"], r["issue"]["date"], r["title"], tag_list(r["topics"]),
                 tag_list(r["companies"]))
                for r in iter_article_records(corpus.conn, limit=limit, topic=topic, company=company,
                                              since=since, until=until, issue=issue, role=role)]
    print_rows(("article_id", "date", "title", "topics", "companies"), rows, fmt.value)


@app.command("show")
def show_cli(ctx: typer.Context, article_id: str,
             fmt: str = typer.Option("text", "--format", help="text or json")):
    """Show one article with its tags."""
    from corpus.curation import unreviewed_labels
    from corpus.queries import get_article
    from jianbao.render import show_article
    with open_corpus(ctx) as corpus:
        record = get_article(corpus.conn, article_id)
        if record is not None:      # a label added to the taxonomy later: not reviewed, not "no"
            record["not_reviewed"] = [f"{k}:{l}" for k, l in unreviewed_labels(corpus.conn, article_id, _label_keys())]
    if record is None:
        err_console().print(f"Error: no article {article_id!r} (see `jianbao articles`)", markup=False)
        raise typer.Exit(1)
    show_article(record, fmt)


@app.command("export")
def export_cli(ctx: typer.Context, what: What = typer.Option(What.articles),
               fmt: ExportFmt = typer.Option(ExportFmt.jsonl, "--format"),
               out: Optional[Path] = typer.Option(None, help="Output file (stdout if omitted)"),
               topic: Optional[str] = None, company: Optional[str] = None,
               since: Optional[str] = None, until: Optional[str] = None):
    """Export articles, issues, tables or labels as JSONL, CSV or Parquet."""
    from corpus.export import export
    topic, company = _filters(topic, company)
    filters = dict(topic=topic, company=company, since=since, until=until) if what == What.articles else {}
    with open_corpus(ctx) as corpus:
        n = export(corpus.conn, what.value, fmt.value, out, stdout=sys.stdout, **filters)
    err_console().print(f"{n} {what.value} exported" + (f" to {out}" if out else ""), markup=False)


@app.command("stats")
def stats_cli(ctx: typer.Context, fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Issues, articles, pages, date range, and articles per topic and company."""
    from corpus.queries import stats
    from jianbao.render import print_stats
    with open_corpus(ctx) as corpus:
        print_stats(stats(corpus.conn), fmt.value)


@app.command("backup")
def backup_cli(ctx: typer.Context, out: Path = typer.Argument(..., help="The copy to write (a new file)")):
    """Copy the corpus to OUT while it stays in use (SQLite's online backup), checked."""
    from corpus.maintenance import backup
    with open_corpus(ctx) as corpus:
        report = backup(corpus, out)
    err_console().print(f"backup of {settings(ctx).db} written to {report.path}: {report.articles} articles, "
                        f"{report.size / 1e6:.1f} MB (restore: copy it back over --db)", markup=False)


@app.command("check")
def check_cli(ctx: typer.Context, fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Check the corpus for damage: SQLite integrity, foreign keys, the search index, the tags."""
    from corpus.maintenance import check
    with open_corpus(ctx) as corpus:
        report = check(corpus)
    print_rows(("check", "result"), [(c.name, "ok" if c.ok else "; ".join(c.problems)) for c in report.checks],
               fmt.value)
    if not report.ok:
        err_console().print(f"Error: {settings(ctx).db}: damaged: restore the copy `jianbao backup` made "
                            "(or re-import the documents into a new corpus)", markup=False)
        raise typer.Exit(1)


@app.command("train")
def train_cli(ctx: typer.Context, quiet: bool = typer.Option(False, "--quiet", "-q"),
              seed: Optional[int] = typer.Option(None, help="Random seed [env JIANBAO_SEED; 0]"),
              activate: bool = typer.Option(False, "--activate", help="Promote the new version")):
    """Train on the repo's data plus every human label in the corpus; register a new version."""
    from pipeline.curation import train_with_corpus
    from jianbao.render import print_training
    s = settings(ctx)
    with handled():
        info = train_with_corpus(s.db, s.data_dir, s.models_dir, s.seed if seed is None else seed,
                                 activate)
    print_training(info, quiet)


@app.command("tag")
def tag_cli(ctx: typer.Context, file: str = typer.Argument("-", help="JSONL of {id, title, text}; - for stdin")):
    """Tag plain-text articles without ingesting them (JSONL in, JSONL out)."""
    from pipeline.inputs import iter_json_records
    from pipeline.tagging import tag_records
    models_dir = _default_model(settings(ctx))
    with read_lines(file) as lines:
        for out in tag_records(models_dir, iter_json_records(lines, file)):
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


@app.command("trends")
def trends_cli(ctx: typer.Context, by: By = typer.Option(By.month, help="Period, or company/topic for a cross-tab"),
               topic: Optional[str] = None, company: Optional[str] = None,
               companies: bool = typer.Option(False, "--companies", help="Count companies, not topics"),
               mentions: bool = typer.Option(False, "--mentions", help="Companies: count every article "
                                             "that names the firm, not only those that concern it"),
               since: Optional[str] = None, until: Optional[str] = None,
               fmt: Fmt = typer.Option(Fmt.table, "--format"),
               plot: Optional[Path] = typer.Option(None, help="Write a chart (.png or .svg)")):
    """Articles per period for each topic (or company); --by company|topic gives a cross-tab."""
    from jianbao.render import print_frame
    from pipeline.resources import notebook
    topic, company = _filters(topic, company)
    with open_corpus(ctx) as corpus:
        if by in (By.company, By.topic):
            print_frame(notebook(corpus).crosstab_table(by.value, topic, company, since, until), fmt.value)
            return
        frame = notebook(corpus).trends(by.value, topic, company, since, until,
                                        kind="company" if companies else "topic", mentions=mentions)
    print_frame(frame, fmt.value)
    if plot is not None:
        from jianbao.charts import chart_title
        _plot(frame, plot, chart_title(by.value, "company" if companies or company or mentions else "topic",
                                       topic or company, mentions))


def _plot(frame, out: Path, title: str) -> None:
    from jianbao.charts import plot_trends
    from models import label_names
    with handled():
        chart = plot_trends(frame, out, label_names(), title)
    for warning in chart.warnings:
        err_console().print(f"Warning: {warning}", markup=False)
    err_console().print(f"chart written to {chart.path}" + (f" (font {chart.font})" if chart.font else ""),
                        markup=False)


@app.command("submissions")
def submissions_cli(ctx: typer.Context, by: By = typer.Option(By.quarter, help="month|quarter|year|issue"),
                    since: Optional[str] = None, until: Optional[str] = None,
                    fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Articles submitted and published per company and period (来稿及刊用情况)."""
    from jianbao.render import print_frame
    from pipeline.resources import notebook
    with open_corpus(ctx) as corpus:
        print_frame(notebook(corpus).submissions(by.value, since, until), fmt.value)


@app.command("search")
def search_cli(ctx: typer.Context, query: str, topic: Optional[str] = None,
               company: Optional[str] = None, since: Optional[str] = None,
               until: Optional[str] = None, limit: int = 20,
               fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Chinese full-text search over titles and text, ranked, with highlighted snippets."""
    from corpus.analytics import SEARCH_COLUMNS
    from pipeline.resources import notebook
    topic, company = _filters(topic, company)
    with open_corpus(ctx) as corpus:
        rows = notebook(corpus).search_rows(query, limit=limit, topic=topic, company=company,
                                            since=since, until=until)
    print_rows(SEARCH_COLUMNS, rows, fmt.value)


def _filters(topic: str | None, company: str | None) -> tuple[str | None, str | None]:
    """--topic / --company as keys (a Chinese name or alias works too); a wrong one exits 2."""
    from pipeline.resources import resolve_filters
    with handled():
        return resolve_filters(topic, company)


def _label_keys() -> dict[str, tuple[str, ...]]:
    from models import label_keys
    with handled():
        return label_keys()


@app.command("label")
def label_cli(ctx: typer.Context, article_id: str,
              topic: List[str] = typer.Option([], "--topic", help="+KEY adds, -KEY removes (repeat)"),
              company: List[str] = typer.Option([], "--company", help="+KEY adds, -KEY removes"),
              by: Optional[str] = typer.Option(None, "--by", help="Who labels [the OS user]")):
    """Correct the tags of one article; human labels always beat the model's."""
    from corpus.labels import apply_changes, parse_changes
    with open_corpus(ctx) as corpus:
        report = apply_changes(corpus, parse_changes(article_id, topic, company, _label_keys()), by)
    for row in report.history:
        err_console().print(f"{row['article_id']} {row['kind']} {row['label']}: "
                            f"{row['old_value']} -> {row['new_value']} ({row['who']})", markup=False)
    err_console().print(f"{report.changed} changed, {report.unchanged} unchanged", markup=False)


labels_app = typer.Typer(help="Import, export and inspect human labels.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")


@labels_app.command("import")
def labels_import_cli(ctx: typer.Context, file: Path,
                      by: Optional[str] = typer.Option(None, "--by")):
    """Import labels: CSV article_id,kind,label,action or a Label Studio JSON export."""
    from corpus.labels import apply_changes, read_label_file
    if not file.is_file():
        from errors import InputIsFolder, MissingInput
        with handled():
            raise (InputIsFolder if file.is_dir() else MissingInput)(path=file)
    with open_corpus(ctx) as corpus:
        report = apply_changes(corpus, read_label_file(file, _label_keys()), by)
    err_console().print(f"{report.changed} changed, {report.unchanged} unchanged", markup=False)


@labels_app.command("export")
def labels_export_cli(ctx: typer.Context, fmt: ExportFmt = typer.Option(ExportFmt.csv, "--format"),
                      out: Optional[Path] = None):
    """Export every label (model and human) with score, version, who and when."""
    from corpus.export import export
    with open_corpus(ctx) as corpus:
        n = export(corpus.conn, "labels", fmt.value, out, stdout=sys.stdout)
    err_console().print(f"{n} labels exported", markup=False)


@labels_app.command("history")
def labels_history_cli(ctx: typer.Context, article_id: Optional[str] = typer.Argument(None),
                       fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Every label change: who, when, old -> new."""
    from corpus.labels import history
    with open_corpus(ctx) as corpus:
        rows = history(corpus.conn, article_id)
    cols = ("article_id", "kind", "label", "source", "old_value", "new_value", "who", "at")
    print_rows(cols, [[r[c] for c in cols] for r in rows], fmt.value)


@app.command("review")
def review_cli(ctx: typer.Context, topic: Optional[str] = None, limit: int = 20,
               by: Optional[str] = typer.Option(None, "--by"),
               export_file: Optional[Path] = typer.Option(None, "--export", help="Write the queue as Label Studio tasks"),
               config: bool = typer.Option(False, "--config", help="Print the Label Studio labelling config")):
    """Review the articles the model is least sure about, one at a time; resumes where it stopped."""
    from corpus.curation import review_queue
    from pipeline.tagging import model_thresholds
    from jianbao.review import run_review
    keys = _label_keys()
    if config:
        sys.stdout.write(_labelling_config(keys))
        return
    with open_corpus(ctx) as corpus:
        thresholds = model_thresholds(settings(ctx).models_dir)
        if export_file is not None:
            from corpus.labels import config_path, write_label_studio_tasks
            items = review_queue(corpus.conn, thresholds, topic, limit)
            n = write_label_studio_tasks(corpus.conn, [i.article_id for i in items], export_file,
                                         _labelling_config(keys))
            err_console().print(f"{n} tasks written to {export_file}, their labelling config to "
                                f"{config_path(export_file)}", markup=False)
            return
        counts = run_review(corpus, thresholds, keys, topic, limit, by)
    err_console().print(", ".join(f"{k} {v}" for k, v in counts.items()), markup=False)


def _labelling_config(keys: dict[str, tuple[str, ...]]) -> str:
    from corpus.labels import label_studio_config
    from models import label_names
    return label_studio_config(keys, label_names())


@app.command("reclassify")
def reclassify_cli(ctx: typer.Context, since: Optional[str] = None, until: Optional[str] = None):
    """Re-tag the corpus with the active model; human labels are never touched."""
    from pipeline.curation import reclassify_corpus
    with open_corpus(ctx) as corpus:
        report = reclassify_corpus(corpus, settings(ctx).models_dir, since, until)
    rows = sorted({*report.added, *report.removed})
    print_rows(("kind", "label", "added", "removed"),
               [(k, l, report.added[k, l], report.removed[k, l]) for k, l in rows])
    err_console().print(f"{report.articles} articles re-tagged with {report.model_version}", markup=False)


models_app = typer.Typer(help="List, inspect, promote and roll back model versions.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list_cli(ctx: typer.Context, fmt: Fmt = typer.Option(Fmt.table, "--format")):
    """Registered model versions with their test-split macro-F1 of topics and of companies (as
    `train` prints them); * marks the active one."""
    from models.promotion import model_rows
    with handled():
        rows = model_rows(settings(ctx).models_dir)
    print_rows(("version", "created", "topics F1", "companies F1", "train articles"),
               [(("* " if r.active else "  ") + r.version, r.created, r.topics_f1, r.companies_f1, r.n_train)
                for r in rows], fmt.value)


@models_app.command("show")
def models_show_cli(ctx: typer.Context, version: str):
    """The meta.json of a version: libraries, labels, data hash and metrics."""
    from models import read_meta
    with handled():
        meta = read_meta(settings(ctx).models_dir, version)
    sys.stdout.write(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")


@models_app.command("evaluate")
def models_evaluate_cli(ctx: typer.Context,
                        file: Path = typer.Argument(..., help="Labelled JSONL: {id, title, text, topics, companies}"),
                        version: Optional[str] = typer.Option(None, help="Model version [the active one]"),
                        errors: bool = typer.Option(False, "--errors", help="Also list every article tagged wrongly")):
    """Score a model on labelled articles it never saw (per-label P/R/F1, micro and macro F1)."""
    from models import evaluate_file
    from jianbao.render import print_evaluation
    with handled():
        report = evaluate_file(file, settings(ctx).models_dir, version)
    print_evaluation(str(file), report, report.misses if errors else ())


@models_app.command("promote")
def models_promote_cli(ctx: typer.Context, version: str,
                       force: bool = typer.Option(False, "--force", help="Promote even if worse")):
    """Make VERSION the active model (refused if clearly worse than the active one)."""
    from models.promotion import promote_checked
    with handled():
        err_console().print(f"active model: {promote_checked(version, settings(ctx).models_dir, force)}", markup=False)


@models_app.command("rollback")
def models_rollback_cli(ctx: typer.Context):
    """Re-activate the previously active model."""
    from models import rollback
    with handled():
        err_console().print(f"active model: {rollback(settings(ctx).models_dir)}", markup=False)


@app.command("serve")
def serve_cli(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Address to listen on"),
              port: int = typer.Option(8000, min=1, max=65535, help="Port"),
              log_level: str = typer.Option("info", help="uvicorn log level")):
    """Run the HTTP API and the dashboard (JIANBAO_TOKEN enables writes; see README)."""
    import uvicorn
    from jianbao.api import ApiConfig, create_app
    with handled():
        config = ApiConfig.from_env()
    if not config.token:
        err_console().print("JIANBAO_TOKEN is not set: uploads, labels and promotions are refused", markup=False)
    if config.public_reads:
        err_console().print("JIANBAO_PUBLIC_READS=1: any client that reaches this port can read the corpus",
                            markup=False)
    with handled():
        application = create_app(settings(ctx), config)
    err_console().print(f"jianbao on http://{'[' + host + ']' if ':' in host else host}:{port}/ "
                        f"(corpus {settings(ctx).db})", markup=False)
    from jianbao.api.guards import head_timeout_protocol
    uvicorn.run(application, host=host, port=port, log_level=log_level, timeout_keep_alive=5,
                http=head_timeout_protocol(config.header_seconds))


@app.command("browse")
def browse_cli(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Address to listen on"),
               port: int = typer.Option(8001, min=1, max=65535, help="Port"),
               immutable: bool = typer.Option(False, "--immutable", help="The corpus will not change while "
                                              "browsed (faster counts; new imports are not seen)"),
               open_browser: bool = typer.Option(True, "--open/--no-open", help="Open it in a web browser")):
    """Browse the corpus in Datasette: tables, facets, SQL, full-text search (pip install 'jianbao[browse]')."""
    import uvicorn
    from corpus.browse import build_datasette
    with open_corpus(ctx) as corpus:                  # it exists and its schema is current
        segment = corpus.segment
    with handled():
        datasette = build_datasette(settings(ctx).db, segment, immutable)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    err_console().print(f"Datasette on {url} (read-only; corpus {settings(ctx).db}; Ctrl-C stops)", markup=False)
    if open_browser:
        import threading
        import webbrowser
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
