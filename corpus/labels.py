"""Human labels: set, import and export them; every change goes to the label history.

A human label is a separate row (source='human') with value 1 (the tag applies) or 0 (it does
not); the model never writes such rows, so no retraining or re-tagging can overwrite one.
"""

from __future__ import annotations

import csv
import difflib
import getpass
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from corpus.store import Corpus, now, refresh_tags
from errors import (BadEncoding, CorpusError, InvalidLabelFile, OutputNotWritable, UnknownLabel,
                    UnreadableInput)

KINDS = ("topic", "company")


@dataclass(frozen=True, slots=True)
class LabelChange:
    article_id: str
    kind: str              # topic | company
    label: str
    value: int             # 1: the tag applies; 0: it does not


@dataclass(frozen=True, slots=True)
class LabelReport:
    changed: int
    unchanged: int
    history: tuple[dict, ...]


def default_who() -> str:
    try:
        return getpass.getuser()
    except Exception:       # no user name in some containers
        return "unknown"


def check_label(kind: str, label: str, keys: dict[str, tuple[str, ...]]) -> None:
    """Refuse a key not in the taxonomy, suggesting the closest one."""
    if kind not in KINDS:
        raise UnknownLabel(f"unknown label kind {kind!r}: use topic or company")
    if label not in keys[kind]:
        close = difflib.get_close_matches(label, keys[kind], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(keys[kind])}"
        raise UnknownLabel(f"unknown {kind} {label!r}{hint}")


def parse_changes(article_id: str, topics: Iterable[str], companies: Iterable[str],
                  keys: dict[str, tuple[str, ...]]) -> list[LabelChange]:
    """'+anti_fraud' / '-culture_publicity' (a bare key means +) -> checked changes."""
    changes = []
    for kind, items in (("topic", topics), ("company", companies)):
        for item in items:
            value = 0 if item.startswith("-") else 1
            label = item.lstrip("+-").strip()
            check_label(kind, label, keys)
            changes.append(LabelChange(article_id, kind, label, value))
    return changes


def _in_force(conn, change: LabelChange):
    return conn.execute(
        "SELECT value, score, source FROM tags_in_force WHERE article_id = ? AND kind = ? "
        "AND label = ? ORDER BY source = 'human' DESC LIMIT 1",
        (change.article_id, change.kind, change.label)).fetchone()


def apply_changes(corpus: Corpus, changes: list[LabelChange], who: str | None = None) -> LabelReport:
    """Write human labels in one transaction; each change is logged with old -> new."""
    who = who or default_who()
    at = now()
    history, unchanged = [], 0
    with corpus.transaction() as conn:
        for change in changes:
            if conn.execute("SELECT 1 FROM articles WHERE article_id = ?",
                            (change.article_id,)).fetchone() is None:
                raise CorpusError(f"no article {change.article_id!r} (see `jianbao articles`)")
            old = _in_force(conn, change)
            if old is not None and old["source"] == "human" and old["value"] == change.value:
                unchanged += 1
                continue
            conn.execute(
                "INSERT INTO labels (article_id, kind, label, source, value, who, at) "
                "VALUES (?, ?, ?, 'human', ?, ?, ?) ON CONFLICT (article_id, kind, label, source) "
                "DO UPDATE SET value = excluded.value, who = excluded.who, at = excluded.at",
                (change.article_id, change.kind, change.label, change.value, who, at))
            row = {"article_id": change.article_id, "kind": change.kind, "label": change.label,
                   "source": "human", "old_value": old["value"] if old else None,
                   "new_value": change.value, "old_score": old["score"] if old else None,
                   "who": who, "at": at}
            conn.execute(
                "INSERT INTO label_history (article_id, kind, label, source, old_value, new_value,"
                " old_score, who, at) VALUES (:article_id, :kind, :label, :source, :old_value,"
                " :new_value, :old_score, :who, :at)", row)
            history.append(row)
        for article_id in {row["article_id"] for row in history}:
            refresh_tags(conn, article_id)
    return LabelReport(len(history), unchanged, tuple(history))


def history(conn, article_id: str | None = None) -> list[dict]:
    where, params = ("WHERE article_id = ?", (article_id,)) if article_id else ("", ())
    return [dict(r) for r in conn.execute(
        f"SELECT article_id, kind, label, source, old_value, new_value, old_score, new_score,"
        f" model_version, who, at FROM label_history {where} ORDER BY id", params)]


# ---------------------------------------------------------------- files


def _read_text(path: Path) -> str:
    """A label file's text: UTF-8 (with or without the BOM Excel writes), else GB18030, the
    superset of the GBK that Excel in a Chinese locale saves CSV as."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(path=path, detail=exc.strerror or str(exc)) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadEncoding(path=path)


def read_label_file(path: str | Path, keys: dict[str, tuple[str, ...]]) -> list[LabelChange]:
    """Label changes from a file: our CSV `article_id,kind,label,action` (action add|remove, +|-,
    1|0), or a Label Studio export (JSON, JSON_MIN or CSV with `topics` / `companies` columns).
    Every row is checked first; a file with bad rows is refused with all of them listed."""
    path = Path(path)
    text = _read_text(path)
    if text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UnreadableInput(path=path, detail=f"not a Label Studio JSON export ({exc})") from exc
        changes, problems = _json_changes(data, keys)
    else:
        changes, problems = _csv_changes(text, keys)
    if problems:
        shown = "; ".join(problems[:20]) + (f"; … {len(problems) - 20} more" if len(problems) > 20 else "")
        raise InvalidLabelFile(path=path, detail=f"{len(problems)} bad row(s), nothing imported: {shown}")
    return changes


def _csv_changes(text: str, keys) -> tuple[list[LabelChange], list[str]]:
    rows = list(csv.DictReader(text.splitlines()))
    header = set(rows[0]) if rows else set()
    if rows and {"topics", "companies"} & header and "kind" not in header:
        return _json_changes([_ls_csv_row(r) for r in rows], keys)       # Label Studio's CSV export
    changes, problems = [], []
    for n, row in enumerate(rows, 2):
        try:
            article_id, kind = row["article_id"].strip(), row["kind"].strip()
            label, action = row["label"].strip(), row["action"].strip().lower()
        except (KeyError, AttributeError):
            problems.append(f"line {n}: need columns article_id,kind,label,action")
            continue
        if action not in ("add", "+", "1", "remove", "-", "0"):
            problems.append(f"line {n}: action must be add or remove, not {action!r}")
            continue
        try:
            check_label(kind, label, keys)
        except UnknownLabel as exc:
            problems.append(f"line {n}: {exc}")
            continue
        changes.append(LabelChange(article_id, kind, label, int(action in ("add", "+", "1"))))
    return changes, problems


def _ls_csv_row(row: dict) -> dict:
    """A row of Label Studio's CSV export as a JSON_MIN task (choices as JSON or comma lists)."""
    def choices(cell):
        cell = (cell or "").strip()
        if cell.startswith("{") or cell.startswith("["):
            value = json.loads(cell)
            return value.get("choices", []) if isinstance(value, dict) else value
        return [c.strip() for c in cell.split(",") if c.strip()]
    return {"article_id": row.get("article_id"), "topics": choices(row.get("topics")),
            "companies": choices(row.get("companies"))}


def _json_changes(data, keys) -> tuple[list[LabelChange], list[str]]:
    """Label Studio JSON (tasks with annotations) or JSON_MIN (flat {article_id, topics,
    companies} records); a task's choices are its complete judgement."""
    changes, problems = [], []
    for n, task in enumerate(data if isinstance(data, list) else [data], 1):
        if not isinstance(task, dict):
            problems.append(f"item {n}: not an object")
            continue
        try:
            changes += label_studio_to_changes([task], keys) if "annotations" in task or "data" in task \
                else _json_min_changes(task, keys)
        except UnknownLabel as exc:
            problems.append(f"item {n}: {exc}")
    return changes, problems


def _json_min_changes(task: dict, keys) -> list[LabelChange]:
    article_id = task.get("article_id")
    changes = []
    for field, kind in (("topics", "topic"), ("companies", "company")):
        if field not in task or not article_id:
            continue
        value = task[field]
        chosen = set(value.get("choices", []) if isinstance(value, dict) else
                     [value] if isinstance(value, str) else value or [])
        for label in chosen:
            check_label(kind, label, keys)
        changes += [LabelChange(article_id, kind, label, int(label in chosen)) for label in keys[kind]]
    return changes


def label_studio_to_changes(tasks, keys: dict[str, tuple[str, ...]]) -> list[LabelChange]:
    """Label Studio's JSON export: per task, the choices of the `topics` and `companies`
    controls are the complete judgement: chosen labels apply, the others do not."""
    changes = []
    for task in tasks if isinstance(tasks, list) else [tasks]:
        article_id = (task.get("data") or {}).get("article_id")
        annotations = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
        if not article_id or not annotations:
            continue
        for result in annotations[-1].get("result", []):
            kind = {"topics": "topic", "companies": "company"}.get(result.get("from_name"))
            if kind is None:
                continue
            chosen = set(result.get("value", {}).get("choices", []))
            for label in chosen:
                check_label(kind, label, keys)
            changes += [LabelChange(article_id, kind, label, int(label in chosen)) for label in keys[kind]]
    return changes


def article_to_label_studio(record: dict, model: tuple[str | None, dict] = (None, {})) -> dict:
    """One article as a Label Studio task: the tags in force as a prediction under the version
    of the model that made them, and every label's model score in the task's data (shown to the
    annotator; `model`: what `model_scores` returns)."""
    version, scores = model
    result = [{"from_name": name, "to_name": "text", "type": "choices",
               "value": {"choices": [t["label"] for t in record[name]]}}
              for name in ("topics", "companies")]
    chosen = [t["score"] for name in ("topics", "companies") for t in record[name] if t["score"] is not None]
    return {"data": {"article_id": record["article_id"], "title": record["title"],
                     "text": record["text"], "date": record["issue"]["date"], "scores": scores},
            "predictions": [{"model_version": version or "none", "result": result,
                             "score": round(min(chosen), 4) if chosen else None}]}


def model_scores(conn, article_id: str) -> tuple[str | None, dict]:
    """The version of the model that tagged an article and its score of every label, by kind."""
    rows = conn.execute("SELECT kind, label, score, model_version FROM labels WHERE article_id = ? AND"
                        " source = 'model' ORDER BY kind, label", (article_id,)).fetchall()
    scores: dict[str, dict[str, float]] = {"topics": {}, "companies": {}}
    for row in rows:
        scores["topics" if row["kind"] == "topic" else "companies"][row["label"]] = row["score"]
    return (rows[0]["model_version"] if rows else None), scores


def label_studio_config(keys: dict[str, tuple[str, ...]], names: dict[str, str] | None = None) -> str:
    """The labelling config (XML) of a Label Studio project our tasks and imports fit: the text,
    and one multiple-choice control per kind whose values are our keys (names as hints)."""
    from xml.sax.saxutils import quoteattr
    names = names or {}

    def choices(control: str, labels) -> str:
        rows = "".join(f"\n    <Choice value={quoteattr(k)} hint={quoteattr(names.get(k, k))}/>" for k in labels)
        return f'  <Choices name="{control}" toName="text" choice="multiple" showInline="true">{rows}\n  </Choices>'
    return "\n".join(['<View>', '  <Header value="$title"/>', '  <Text name="text" value="$text"/>',
                      '  <Header value="Topics"/>', choices("topics", keys["topic"]),
                      '  <Header value="Companies"/>', choices("companies", keys["company"]), '</View>']) + "\n"


def write_label_studio_tasks(conn, article_ids: list[str], path: str | Path,
                             config: str | None = None) -> int:
    """The given articles as Label Studio tasks (JSON list) with the model's tags as predictions;
    with `config`, the labelling config is written beside them (<name>.config.xml)."""
    from corpus.queries import get_article
    tasks = [article_to_label_studio(get_article(conn, a), model_scores(conn, a)) for a in article_ids]
    path = Path(path)
    try:
        path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
        if config is not None:
            config_path(path).write_text(config, encoding="utf-8")
    except OSError as exc:
        raise OutputNotWritable(path=path, detail=exc.strerror or str(exc)) from exc
    return len(tasks)


def config_path(tasks_path: str | Path) -> Path:
    """Where the labelling config of a task file goes: tasks.json -> tasks.config.xml."""
    tasks_path = Path(tasks_path)
    return tasks_path.with_name(tasks_path.stem + ".config.xml")
