"""Rendering of library results for the terminal: rich tables, CSV and JSON on stdout."""

from __future__ import annotations

import csv
import json
import sys
from typing import Iterable, Sequence

from rich.console import Console
from rich.table import Table

FORMATS = ("table", "csv", "json")


def out_console() -> Console:
    # piped output is not cut to 80 columns: tables stay one row per line for grep and less
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


TABLE_ROWS = 500    # a terminal table past this is not read but scrolled; rich lays out every
                    # cell (0.5 ms a row: trends --by month of 2,411 rows took 2.05 s vs 0.83 s as CSV)


def print_rows(columns: Sequence[str], rows: Iterable[Sequence], fmt: str = "table",
               title: str | None = None, total: int | None = None) -> None:
    """Data goes to stdout in the chosen format; a table shows the first TABLE_ROWS rows and says
    on stderr how many it left out and how to get them all (CSV and JSON are never cut)."""
    if fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False,
                                    indent=2) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        _print_table(columns, rows, title, total)


def _print_table(columns: Sequence[str], rows: Iterable[Sequence], title: str | None,
                 total: int | None) -> None:
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    shown, more = 0, 0
    for row in rows:
        if shown == TABLE_ROWS:
            more += 1
            continue
        table.add_row(*("" if v is None else str(v) for v in row))
        shown += 1
    out_console().print(table)
    more = total - shown if total is not None else more
    if more > 0:
        err_console().print(f"showing {shown:,} of {shown + more:,} rows; --format csv or "
                            "--format json prints them all", markup=False)


def tag_list(tags: list[dict]) -> str:
    return ", ".join(t["label"] + ("*" if t["source"] == "human" else "") for t in tags)


def show_article(record: dict, fmt: str = "text") -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    issue = record["issue"]
    lines = [f"{record['article_id']}  {issue['date'] or ''}  第{issue['issue_no']}期"
             + (f"（总第{issue['total_no']}期）" if issue["total_no"] else ""),
             record["title"]]
    if record["subtitle"]:
        lines.append(record["subtitle"])
    lines += [f"topics: {tag_list(record['topics']) or '-'}",
              f"companies: {tag_list(record['companies']) or '-'}",
              f"pages: {', '.join(map(str, record['pages']))}"]
    if record.get("mentions"):
        lines.append("mentions: " + "; ".join(
            f"{m['unit'] or m['text']} ({m['label']}, {m['role'] or '?'})" for m in record["mentions"]))
    if record.get("not_reviewed"):
        lines.append(f"not reviewed: {', '.join(record['not_reviewed'])}")
    if record.get("ocr_confidence") is not None:
        lines.append(f"OCR confidence: {record['ocr_confidence']:.3f}"
                     + ("  (low: needs review)" if record.get("low_confidence") else ""))
    lines += ["", *record["text"].split("\n")]
    sys.stdout.write("\n".join(lines) + "\n")


def print_stats(stats: dict, fmt: str = "table") -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2) + "\n")
        return
    head = [("issues", stats["issues"]), ("articles", stats["articles"]),
            ("pages", stats["pages"]), ("date range", f"{stats['first_date']} … {stats['last_date']}"),
            ("documents", ", ".join(f"{k} {v}" for k, v in sorted(stats["documents"].items())) or "-"),
            ("labels by source", ", ".join(f"{k} {v}" for k, v in stats["labels_by_source"].items()) or "-"),
            ("model versions", ", ".join(stats["model_versions"]) or "-")]
    print_rows(("corpus", "value"), head, fmt)
    print_rows(("topic", "articles"), stats["topics"], fmt, title="Articles per topic")
    print_rows(("company", "articles"), stats["companies"], fmt, title="Articles per company")


def print_training(info, quiet: bool = False) -> None:
    """The training report: per-label metrics to stdout; one summary line when quiet."""
    if quiet:
        held = (f"; held-out set {info.holdout.topics.macro_f1:.3f} / {info.holdout.companies.macro_f1:.3f}"
                if info.holdout else "")
        err_console().print(f"trained model {info.version}: topics macro-F1 "
                            f"{info.test.topics.macro_f1:.3f}, companies macro-F1 "
                            f"{info.test.companies.macro_f1:.3f} (test split){held}", markup=False)
        return
    from models import info_to_text
    sys.stdout.write(info_to_text(info) + "\n")


def print_evaluation(name: str, report, misses=()) -> None:
    """Scores of a model on a labelled file (which version, per label, confusion pairs,
    reliability), then the articles it tagged wrongly (gold → predicted)."""
    from models import report_to_text
    sys.stdout.write(report_to_text(name, report).lstrip("\n") + "\n")
    if misses:
        sys.stdout.write(f"\n{len(misses)} article(s) tagged differently from their labels:\n")
    for miss in misses:
        sys.stdout.write(f"  {miss.id}  {miss.title}\n")
        if miss.topics != miss.predicted_topics:
            sys.stdout.write(f"    topics    {' '.join(miss.topics) or '-'} → {' '.join(miss.predicted_topics) or '-'}\n")
        if miss.companies != miss.predicted_companies:
            sys.stdout.write(f"    companies {' '.join(miss.companies) or '-'} → "
                             f"{' '.join(miss.predicted_companies) or '-'}\n")


def print_frame(frame, fmt: str = "table", title: str | None = None) -> None:
    """A pandas DataFrame as a table, CSV or JSON on stdout."""
    if fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        # only the rows the table shows are taken out of the frame
        print_rows([str(c) for c in frame.columns], frame.head(TABLE_ROWS).itertuples(index=False),
                   "table", title, total=len(frame))
