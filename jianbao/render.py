"""Rendering of library results for the terminal: rich tables, CSV and JSON on stdout."""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("table", "csv", "json")


def out_console() -> "Console":
    from rich.console import Console
    # piped output is not cut to 80 columns: tables stay one row per line for grep and less
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def err_console() -> "Console | PlainStderr":
    """Messages on stderr: rich's console on a terminal; elsewhere (a log, a pipe, a test) the
    same lines without importing rich, which cost ~25 ms of a one-file import."""
    if PlainStderr.fits():
        return PlainStderr()
    return _rich_stderr()


def _rich_stderr() -> "Console":
    from rich.console import Console
    return Console(stderr=True, highlight=False, soft_wrap=True)


class PlainStderr:
    """What rich's stderr console writes when it is no terminal, for plain text (markup=False):
    the text with rich's control codes stripped (BEL, BS, VT, FF, CR). Anything else rich would
    change (a tab, expanded by cell width; an :emoji: code; markup; an object) is handed to rich."""

    is_terminal = False
    STRIP = dict.fromkeys((7, 8, 11, 12, 13))      # rich.control.STRIP_CONTROL_CODES
    EMOJI = re.compile(r":\S*?:")                  # what rich's emoji codes could match

    @staticmethod
    def fits() -> bool:
        """True when rich would see no terminal on stderr (its checks: TTY_COMPATIBLE,
        FORCE_COLOR, then isatty)."""
        if os.environ.get("TTY_COMPATIBLE", "") in ("0", "1") or "FORCE_COLOR" in os.environ:
            return os.environ.get("TTY_COMPATIBLE") == "0"
        isatty = getattr(sys.stderr, "isatty", None)
        return isatty is None or not isatty()

    def print(self, *objects, sep: str = " ", end: str = "\n", markup: bool | None = None, **rest) -> None:
        text = sep.join(o for o in objects if isinstance(o, str))
        if self._plain(objects, text, markup, rest):
            sys.stderr.write(text.translate(self.STRIP) + end)
        else:
            _rich_stderr().print(*objects, sep=sep, end=end, markup=markup, **rest)

    def _plain(self, objects, text: str, markup, rest) -> bool:
        return (markup is False and set(rest) <= {"highlight"} and all(isinstance(o, str) for o in objects)
                and "\t" not in text and not self.EMOJI.search(text))


# A terminal table past this is scrolled, not read, and rich lays out every cell: trends --by
# month over 20 years (2,370 rows) took 4.6 s as a table, 0.9 s cut at 500 rows, 0.17 s at 100,
# against 3 ms as CSV (one run, loaded machine)
TABLE_ROWS = 200


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
    from rich.table import Table
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
            f"{m['unit'] or m['text']} ({m['label']}, {m['role'] or '?'}{_aside(m)})" for m in record["mentions"]))
    if record.get("not_reviewed"):
        lines.append(f"not reviewed: {', '.join(record['not_reviewed'])}")
    if record.get("ocr_confidence") is not None:
        lines.append(f"OCR confidence: {record['ocr_confidence']:.3f}"
                     + ("  (low: needs review)" if record.get("low_confidence") else ""))
    lines += ["", *record["text"].split("\n")]
    sys.stdout.write("\n".join(lines) + "\n")


ASIDE = {"related": "in the page's list of other articles", "credit": "a byline or credit",
         "recipient": "an addressee", "former": "a former employer", "comparison": "a yardstick",
         "landmark": "a landmark", "policy": "an example of a plan", "case": "a fraud victim's carrier"}


def _aside(mention: dict) -> str:
    """Why a passing mention was set aside, for `show` (models.aside.SET_ASIDE)."""
    aside = mention.get("aside")
    return f": {ASIDE.get(aside, aside)}" if aside else ""


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
