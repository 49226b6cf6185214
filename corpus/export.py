"""Write query results to JSONL, CSV or Parquet."""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable

from errors import InvalidValue, OutputNotWritable
from corpus import queries

WHAT = {"articles": queries.iter_article_records, "issues": queries.iter_issue_records,
        "tables": queries.iter_table_records, "labels": queries.iter_label_records}
FORMATS = ("jsonl", "csv", "parquet")


def _flat(value):
    """CSV cells: nested lists/dicts as compact JSON, tag lists as 'label;label', mentions as
    'label:role;label:role'."""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "role" in value[0]:
        return ";".join(f"{v['label']}:{v['role'] or ''}" for v in value)
    if isinstance(value, list) and value and isinstance(value[0], dict) and "label" in value[0]:
        return ";".join(v["label"] for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_jsonl(records: Iterable[dict], fh: IO[str]) -> int:
    n = 0
    for n, record in enumerate(records, 1):
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


def record_to_row(record: dict) -> dict:
    """One flat CSV row for Excel: a nested record (`issue`) becomes a column per field
    (issue_date, issue_year ...), tags in force `label;label` with the human ones again in their
    own column (topics_human), page lists `1;2`; other nested values stay compact JSON."""
    row = {}
    for key, value in record.items():
        if isinstance(value, dict):
            row.update({f"{key}_{k}": _flat(v) for k, v in value.items()})
        elif isinstance(value, list) and key in ("topics", "companies"):
            row[key] = _flat(value)
            row[f"{key}_human"] = ";".join(v["label"] for v in value if v.get("source") == "human")
        elif isinstance(value, list) and all(isinstance(v, int) for v in value):
            row[key] = ";".join(map(str, value))
        else:
            row[key] = _flat(value)
    return row


def write_csv(records: Iterable[dict], fh: IO[str]) -> int:
    writer, n = None, 0
    for n, record in enumerate(records, 1):
        row = record_to_row(record)
        if writer is None:
            writer = csv.DictWriter(fh, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
    return n


def write_parquet(records: Iterable[dict], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq
    rows = list(records)
    if any(isinstance(v, list) and v and isinstance(v[0], list) for r in rows for v in r.values()):
        rows = [{k: (json.dumps(v, ensure_ascii=False) if k == "rows" else v) for k, v in r.items()}
                for r in rows]       # mixed-type table cells: Parquet columns need one type
    pq.write_table(pa.Table.from_pylist(rows), path)
    return len(rows)


def export(conn, what: str, fmt: str, out: str | Path | None, stdout: IO[str] | None = None,
           **filters) -> int:
    """Export articles|issues|tables|labels; returns the number of records written."""
    if what not in WHAT:
        raise InvalidValue(f"--what must be one of {', '.join(WHAT)}")
    if fmt not in FORMATS:
        raise InvalidValue(f"--format must be one of {', '.join(FORMATS)}")
    with _snapshot(conn):
        return _export(conn, what, fmt, out, stdout, filters)


@contextmanager
def _snapshot(conn):
    """One read transaction for the whole export: articles and their tags come from the same
    state of the corpus even while a labels import commits (WAL readers see a snapshot)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def _export(conn, what: str, fmt: str, out, stdout, filters) -> int:
    records = WHAT[what](conn, **filters) if what == "articles" else WHAT[what](conn)
    if fmt == "parquet" and out is None:
        raise InvalidValue("Parquet needs --out FILE")
    writer = write_jsonl if fmt == "jsonl" else write_csv
    if out is None:
        return writer(records, stdout if stdout is not None else io.StringIO())
    out = Path(out)
    if out.is_dir() or not out.parent.is_dir():
        raise OutputNotWritable(path=out, detail="it is a folder" if out.is_dir() else "its folder does not exist")
    try:
        if fmt == "parquet":
            return write_parquet(records, out)
        # CSV files carry a byte-order mark: Excel in a Chinese locale reads UTF-8 only with one
        with open(out, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
            return writer(records, fh)
    except OSError as exc:           # read-only folder, full disk (pyarrow's IO errors are OSErrors)
        raise OutputNotWritable(path=out, detail=exc.strerror or str(exc)) from exc
