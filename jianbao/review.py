"""The interactive review loop of `jianbao review`: terminal input and output only; the queue,
the labels and the bookkeeping are library calls."""

from __future__ import annotations

import sys

import click

from corpus.curation import mark_reviewed, review_queue
from corpus.labels import LabelChange, apply_changes, check_label, default_who
from corpus.queries import get_article
from errors import UnknownLabel

KEYS = "[a]ccept  [e]dit  [s]kip  [q]uit"


def read_key() -> str:
    """One key: a single keystroke on a terminal, the first letter of a line otherwise."""
    if sys.stdin.isatty():
        return click.getchar().lower()
    line = sys.stdin.readline()
    return line.strip()[:1].lower() if line else "q"


def show(record: dict, margin: float, echo=click.echo) -> None:
    tags = lambda ts: ", ".join(f"{t['label']} {t['score'] or 1:.2f}" for t in ts) or "-"  # noqa: E731
    echo(f"\n{record['article_id']}  {record['issue']['date']}  (margin {margin:.2f})")
    echo(record["title"] + (f" / {record['subtitle']}" if record["subtitle"] else ""))
    echo(record["text"][:160].replace("\n", " ") + ("…" if len(record["text"]) > 160 else ""))
    echo(f"topics: {tags(record['topics'])}")
    echo(f"companies: {tags(record['companies'])}")
    if record.get("ocr_confidence") is not None:
        echo(f"OCR confidence: {record['ocr_confidence']:.3f}")


def accepted_changes(record: dict, keys: dict[str, tuple[str, ...]]) -> list[LabelChange]:
    """Accepting confirms the shown tags and denies the rest, for both kinds."""
    shown = {("topic", t["label"]) for t in record["topics"]} | \
            {("company", c["label"]) for c in record["companies"]}
    return [LabelChange(record["article_id"], kind, label, int((kind, label) in shown))
            for kind, labels in keys.items() for label in labels]


def edit_changes(article_id: str, line: str, keys: dict[str, tuple[str, ...]]) -> list[LabelChange]:
    """'+anti_fraud -sf' -> changes; the kind is found from the key."""
    changes = []
    for token in line.split():
        label, value = token.lstrip("+-"), int(not token.startswith("-"))
        kind = "company" if label in keys["company"] else "topic"
        check_label(kind, label, keys)
        changes.append(LabelChange(article_id, kind, label, value))
    return changes


def run_review(corpus, thresholds, keys, topic=None, limit=20, who=None, echo=click.echo) -> dict:
    """Go through the queue until it is empty or the curator quits; returns counts."""
    who = who or default_who()
    counts = {"accepted": 0, "edited": 0, "skipped": 0}
    for item in review_queue(corpus.conn, thresholds, topic, limit):
        record = get_article(corpus.conn, item.article_id)
        show(record, item.margin, echo)
        echo(KEYS)
        key = read_key()
        if key == "q":
            break
        if key == "a":
            apply_changes(corpus, accepted_changes(record, keys), who)
            action = "accepted"
        elif key == "e":
            echo("changes (+key / -key, topics or companies):")
            try:
                apply_changes(corpus, edit_changes(item.article_id, sys.stdin.readline(), keys), who)
                action = "edited"
            except UnknownLabel as exc:
                echo(f"Error: {exc}")
                action = "skipped"
        else:
            action = "skipped"
        mark_reviewed(corpus, item.article_id, action, who)
        counts[action] += 1
    return counts
