"""Tagging: the active model's output turned into the store's rows, for bulletins and records."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

from corpus.store import ArticleTags
from ingest.document import Bulletin
from models import Tagger


def tags_to_article_tags(tags) -> ArticleTags:
    """models.Tags -> the rows the store keeps: every score, the selection, the entities."""
    entities = [("company", m.company, m.text, *_span(m, tags), m.role or None, m.score, m.unit or None,
                 m.aside or None) for m in tags.mentions]
    entities += [(e.label.lower(), e.key, e.text, *_span(e, tags)) for e in tags.entities]
    return ArticleTags(
        topics=tuple((p.label, p.score, p.selected) for p in tags.topics),
        companies=tuple((p.label, p.score, p.selected) for p in tags.companies),
        entities=tuple(entities), model_version=tags.model_version)


def load_bulletin_tagger(models_dir: str | Path, version: str | None = None
                         ) -> Callable[[Bulletin], list[ArticleTags]]:
    """A function tagging every article of a bulletin with the active (or given) model."""
    tagger = Tagger.load(models_dir, version)

    def tag_bulletin(bulletin: Bulletin) -> list[ArticleTags]:
        tags = tagger.tag_many([(a.title + ("\n" + a.subtitle if a.subtitle else ""), a.text)
                                for a in bulletin.articles])
        return [tags_to_article_tags(t) for t in tags]
    return tag_bulletin


def load_text_tagger(models_dir: str | Path, version: str | None = None
                     ) -> Callable[[list[tuple[str, str]]], list[ArticleTags]]:
    """A function tagging (title, text) pairs with the active (or given) model."""
    tagger = Tagger.load(models_dir, version)
    return lambda items: [tags_to_article_tags(t) for t in tagger.tag_many(items)]


def model_thresholds(models_dir: str | Path) -> dict[tuple[str, str], float]:
    """Per-label decision thresholds of the active model, for the review queue's margins."""
    model = Tagger.load(models_dir).model
    out = {("topic", label): float(t) for label, t in zip(model.topics.labels, model.topics.thresholds)}
    out.update({("company", label): float(model.companies.threshold) for label in model.companies.labels})
    return out


def tag_records(models_dir: str | Path, records: Iterable[dict], batch: int = 64) -> Iterator[dict]:
    """{id, title, text} in, {id, topics, companies, model_version} out (selected tags, scores)."""
    tagger = Tagger.load(models_dir)
    chunk: list[dict] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= batch:
            yield from _tag_chunk(tagger, chunk)
            chunk = []
    yield from _tag_chunk(tagger, chunk)


def _tag_chunk(tagger, chunk: list[dict]) -> Iterator[dict]:
    tags = tagger.tag_many([(r.get("title", ""), r.get("text", "")) for r in chunk])
    for record, t in zip(chunk, tags):
        yield {"id": record.get("id"),
               "topics": [{"label": p.label, "score": p.score} for p in t.topics if p.selected],
               "companies": [{"label": p.label, "score": p.score} for p in t.companies if p.selected],
               "mentions": [{"label": m.company, "text": m.text, **dict(zip(("start", "end", "field"), _span(m, t))),
                             "role": m.role, "score": m.score, "unit": m.unit or None, "aside": m.aside or None}
                            for m in t.mentions],
               "model_version": t.model_version}


def _span(found, tags) -> tuple[int, int, str]:
    """(start, end, field) of a mention or entity in the record's own title or text: for an
    untitled record the model took its headline as the title (and read the text below it), so
    both map back into `text`."""
    if found.in_title and tags.title_at >= 0:
        return tags.title_at + found.start, tags.title_at + found.end, "text"
    shift = 0 if found.in_title else tags.text_at
    return shift + found.start, shift + found.end, "title" if found.in_title else "text"
