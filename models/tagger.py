"""Tagging articles with a trained model: topics, companies, company mentions, places and organisations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from errors import IncompatibleModel
from models.article import Prepared, article_to_prepared, item_to_title_text
from models.companies import (CONCERNING, AliasMatcher, CompanyModel, Entity, Mention, build_alias_matcher, build_nlp,
                              doc_to_entities, mention_roles, mentions_to_features, prepared_to_doc, prepared_to_mentions)
from models.taxonomy import Taxonomy
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
    """A loaded model ready to tag; builds its spaCy pipeline and alias matcher once."""

    def __init__(self, model: TagModel, version: str = "unsaved"):
        if not isinstance(model, TagModel):
            raise IncompatibleModel(f"model {version!r} is not a jianbao tag model: run `jianbao train`")
        self.model = model
        self.version = version
        self.matcher: AliasMatcher = build_alias_matcher(model.taxonomy)
        self.nlp = build_nlp(model.taxonomy, model.words, model.hmm)

    @classmethod
    def load(cls, models_dir: str | Path, version: str | None = None) -> Tagger:
        """The saved model `version` (default: the active one) of `models_dir`."""
        from models.persist import load_model

        model, meta = load_model(models_dir, version)
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
        mentions = [mention_roles(doc, found, {labels[j]: float(company_scores[i, j])
                                               for j in np.flatnonzero(company_selected[i])})
                    for i, (doc, found) in enumerate(zip(docs, mentions))]
        for i, found in enumerate(mentions):     # a firm is tagged only with a concerning mention
            concerned = {m.company for m in found if m.role in CONCERNING}
            company_selected[i] &= np.array([label in concerned for label in labels])
        return [
            Tags(topics=_predictions(self.model.topics.labels, topic_scores[i], topic_selected[i]),
                 companies=_predictions(labels, company_scores[i], company_selected[i]),
                 mentions=tuple(mentions[i]), entities=tuple(self._entities(doc, mentions[i])),
                 model_version=self.version)
            for i, doc in enumerate(docs)
        ]

    def _entities(self, doc: Prepared, mentions: list[Mention]) -> list[Entity]:
        """Places and organisations of one article, via the spaCy pipeline."""
        return doc_to_entities(doc, prepared_to_doc(self.nlp, doc, mentions), self.model.taxonomy.org_heads)


def top_up(selected: np.ndarray, scores: np.ndarray, minimum: int) -> np.ndarray:
    """Make every row select at least `minimum` labels, taking the highest scores."""
    selected = selected.copy()
    for row in np.flatnonzero(selected.sum(axis=1) < minimum):
        selected[row, np.argsort(-scores[row], kind="stable")[:minimum]] = True
    return selected


def _predictions(labels: tuple[str, ...], scores: np.ndarray, selected: np.ndarray) -> tuple[Prediction, ...]:
    """One Prediction per label, in the model's label order."""
    return tuple(Prediction(label, round(float(s), 4), bool(k)) for label, s, k in zip(labels, scores, selected))
