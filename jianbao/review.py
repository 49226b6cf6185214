"""The interactive review loop of `jianbao review`: terminal input and output only; the queue,
the labels and the bookkeeping are library calls."""

from __future__ import annotations

import sys

import click

from corpus.curation import mark_reviewed, model_score, review_queue
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


def show(record: dict, margin: float, echo=click.echo, position: str = "",
         topic: str | None = None, score: float | None = None) -> None:
    tags = lambda ts: ", ".join(f"{t['label']} {t['score'] or 1:.2f}" for t in ts) or "-"  # noqa: E731
    under = f"  {topic} {score:.2f}" if topic and score is not None else ""
    echo(f"\n{position}{record['article_id']}  {record['issue']['date']}  (margin {margin:.2f}){under}")
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


def ask_key(echo) -> str:
    """a, e, s or q; anything else is refused and asked again (a typo must not skip an article)."""
    while True:
        echo(KEYS)
        key = read_key()
        if key in ("a", "e", "s", "q"):
            return key
        echo(f"not a key: {key!r}")


def ask_edit(article_id: str, keys, echo) -> list[LabelChange] | None:
    """The edit line, asked again after a wrong name; an empty line gives up (None)."""
    while True:
        echo("changes (+key / -key, topics or companies; empty line: back):")
        line = sys.stdin.readline()
        if not line.strip():
            return None
        try:
            return edit_changes(article_id, line, keys)
        except UnknownLabel as exc:
            echo(f"Error: {exc}")


def run_review(corpus, thresholds, keys, topic=None, limit=20, who=None, echo=click.echo) -> dict:
    """Go through the queue until it is empty or the curator quits; returns counts."""
    who = who or default_who()
    counts = {"accepted": 0, "edited": 0, "skipped": 0}
    queue = review_queue(corpus.conn, thresholds, topic, limit)
    for n, item in enumerate(queue, 1):
        record = get_article(corpus.conn, item.article_id)
        show(record, item.margin, echo, f"{n} of {len(queue)}  ", topic,
             model_score(corpus.conn, item.article_id, "topic", topic) if topic else None)
        key = ask_key(echo)
        if key == "q":
            break
        action = "skipped"
        if key == "a":
            apply_changes(corpus, accepted_changes(record, keys), who)
            action = "accepted"
        elif key == "e":
            changes = ask_edit(item.article_id, keys, echo)
            if changes is not None:
                apply_changes(corpus, changes, who)
                action = "edited"
        mark_reviewed(corpus, item.article_id, action, who)
        counts[action] += 1
    return counts
