"""Tagging articles with a trained model: topics, companies, company mentions, places and organisations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from errors import IncompatibleModel
from models.article import Prepared, article_to_prepared, item_to_title_text
from models.compact import CompactTagModel
from models.companies import (CONCERNING, AliasMatcher, CompanyModel, Entity, Mention, build_alias_matcher,
                              mention_roles, mentions_to_features, mentions_to_lists, prepared_to_mentions)
from models.ruler import PhraseRuler, build_ruler, prepared_to_entities
from models.taxonomy import Taxonomy

if TYPE_CHECKING:
    from models.topics import TopicModel


@dataclass(frozen=True, slots=True)
class Prediction:
    """A label's score and whether it passed that label's threshold."""

    label: str
    score: float
    selected: bool


@dataclass(frozen=True, slots=True)
class Tags:
    """Everything the model says about one article."""

    topics: tuple[Prediction, ...]
    companies: tuple[Prediction, ...]
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]
    model_version: str
    title_at: int = -1       # untitled input: where its headline (the title) and its text begin
    text_at: int = 0         # in the text given (see Prepared)

    @property
    def selected_topics(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.topics if p.selected)

    @property
    def selected_companies(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.companies if p.selected)


@dataclass(frozen=True, slots=True)
class TagModel:
    """What a saved model holds (model.json + arrays.npz): both fitted models plus the taxonomy and dictionary they were built with."""

    taxonomy: Taxonomy
    words: tuple[str, ...]
    hmm: bool
    topics: TopicModel
    companies: CompanyModel
    min_topics: int = 0          # top up to this many topics when fewer pass their thresholds


class Tagger:
    """A loaded model ready to tag; builds its alias matcher and entity ruler once."""

    def __init__(self, model: TagModel | CompactTagModel, version: str = "unsaved"):
        if not isinstance(model, TagModel | CompactTagModel):
            raise IncompatibleModel(f"model {version!r} is not a jianbao tag model: run `jianbao train`")
        self.model = model
        self.version = version
        self.matcher: AliasMatcher = build_alias_matcher(model.taxonomy)
        self.ruler: PhraseRuler = build_ruler(model.taxonomy, model.words, model.hmm)

    @classmethod
    def load(cls, models_dir: str | Path, version: str | None = None, full: bool = False) -> Tagger:
        """The saved model `version` (default: the active one) of `models_dir`: its compact form
        (numpy and JSON, no scikit-learn imported) when it has one, unless `full` asks for the
        fitted pipelines (evaluation and tests that read them)."""
        from models.persist import load_compact_model, load_model

        loaded = None if full else load_compact_model(models_dir, version)
        model, meta = loaded or load_model(models_dir, version)
        return cls(model, meta["version"])

    def prepare(self, title: str, text: str) -> Prepared:
        """Normalise and segment one article with the model's dictionary."""
        return article_to_prepared(title, text, self.model.words, self.model.hmm)

    def tag(self, title: str, text: str) -> Tags:
        """Tag one article."""
        return self.tag_many([(title, text)])[0]

    def tag_many(self, items: Iterable) -> list[Tags]:
        """Tag many articles ((title, text) pairs, dicts or objects with .title/.text) in one batch."""
        docs = [self.prepare(*item_to_title_text(item)) for item in items]
        if not docs:
            return []
        topic_scores = self.model.topics.predict_proba(docs)
        topic_selected = top_up(self.model.topics.select(topic_scores), topic_scores, self.model.min_topics)
        mentions = [prepared_to_mentions(self.matcher, doc) for doc in docs]
        company_scores = self.model.companies.score([mentions_to_features(d, m) for d, m in zip(docs, mentions)])
        company_selected = company_scores >= self.model.companies.threshold
        labels = self.model.companies.labels
        mentions = [self._roles(doc, found, company_scores[i], company_selected[i])
                    for i, (doc, found) in enumerate(zip(docs, mentions))]
        return [
            Tags(topics=_predictions(self.model.topics.labels, topic_scores[i], topic_selected[i]),
                 companies=_predictions(labels, company_scores[i], company_selected[i]),
                 mentions=tuple(mentions[i]), entities=tuple(self._entities(doc, mentions[i])),
                 model_version=self.version, title_at=doc.title_at, text_at=doc.text_at)
            for i, doc in enumerate(docs)
        ]

    def _roles(self, doc: Prepared, found: list[Mention], scores: np.ndarray, selected: np.ndarray) -> list[Mention]:
        """The mentions with their roles; `selected` (in place) keeps a firm only with a concerning
        mention, then adds the firms listed with a kept one (share_list_fate)."""
        labels = self.model.companies.labels
        roles = mention_roles(doc, found, {labels[j]: float(scores[j]) for j in np.flatnonzero(selected)})
        concerned = {m.company for m in roles if m.role in CONCERNING}
        selected &= np.array([label in concerned for label in labels])
        before = selected.copy()
        share_list_fate(doc, roles, labels, scores, selected)
        if (selected != before).any():
            roles = mention_roles(doc, found, {labels[j]: float(scores[j]) for j in np.flatnonzero(selected)})
        return roles

    def _entities(self, doc: Prepared, mentions: list[Mention]) -> list[Entity]:
        """Places and organisations of one article (the EntityRuler's patterns, models.ruler)."""
        return prepared_to_entities(self.ruler, doc, mentions, self.model.taxonomy.org_heads)


def share_list_fate(doc: Prepared, found: list[Mention], labels: tuple[str, ...], scores: np.ndarray,
                    selected: np.ndarray) -> None:
    """Select every firm listed with a selected one (in place; see mentions_to_lists), at that
    firm's score; a name the article only impersonates or pays with stays out."""
    passing = {m.company for m in found if m.role in ("impersonated", "payment")}
    index = {label: j for j, label in enumerate(labels)}
    for group in mentions_to_lists(doc, [m for m in found if not m.aside]):
        chosen = [index[c] for c in group if c in index and selected[index[c]]]
        if not chosen:
            continue
        best = max(scores[j] for j in chosen)
        for company in group - passing:
            j = index.get(company)
            if j is not None and not selected[j]:
                selected[j], scores[j] = True, best


def top_up(selected: np.ndarray, scores: np.ndarray, minimum: int) -> np.ndarray:
    """Make every row select at least `minimum` labels, taking the highest scores."""
    selected = selected.copy()
    for row in np.flatnonzero(selected.sum(axis=1) < minimum):
        selected[row, np.argsort(-scores[row], kind="stable")[:minimum]] = True
    return selected


def _predictions(labels: tuple[str, ...], scores: np.ndarray, selected: np.ndarray) -> tuple[Prediction, ...]:
    """One Prediction per label, in the model's label order."""
    return tuple(Prediction(label, round(float(s), 4), bool(k)) for label, s, k in zip(labels, scores, selected))
