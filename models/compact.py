"""The tagging model without scikit-learn: the fitted weights as numpy arrays (compact.npz) and
everything else as data (compact.json), saved beside the full model (model.json + arrays.npz)
and scored with numpy alone.

Unpickling the fitted pipelines imports scikit-learn, SciPy and pandas (1-3 s a process, more than
a one-file import takes); what tagging needs from them is a vocabulary, idf and coefficients per
feature family and label. The scores equal the pipeline's (tests/models compare them); no code
runs when these files load (numpy reads them with allow_pickle=False).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, fields
from itertools import repeat
from pathlib import Path

import numpy as np

from models.article import Prepared
from models.cues import cues_to_patterns, prepared_to_cues
from models.scoring import (_char_unigrams_bigrams, calibrate, expit, lift_by_paragraphs, prepared_to_chars,
                            prepared_to_words)
from models.taxonomy import Company, Group, Place, Taxonomy, Topic

JSON_FILE, ARRAYS_FILE = "compact.json", "compact.npz"
FILES = (JSON_FILE, ARRAYS_FILE)
COMPACT_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Family:
    """One tf-idf feature family: what it reads (chars or words, title repeated), its columns."""

    field: str
    title_weight: int
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear: bool
    l2: bool

    def vector(self, doc: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one article, as TfidfVectorizer.transform computes them (float32)."""
        if self.field == "chars":
            values = _char_unigrams_bigrams(prepared_to_chars(doc, self.title_weight))
        else:
            values = prepared_to_words(doc, self.title_weight)
        counts = Counter(values)
        columns = np.fromiter(map(self.vocabulary.get, counts, repeat(-1)), dtype=np.int64, count=len(counts))
        data = np.fromiter(counts.values(), dtype=self.idf.dtype, count=len(counts))
        known = np.flatnonzero(columns >= 0)
        order = known[np.argsort(columns[known])]           # by column, as the sparse row is
        columns, data = columns[order], data[order]
        if self.sublinear:
            np.log(data, data)
            data += 1.0
        data *= self.idf[columns]
        if self.l2 and len(data):
            # squares in float32, summed in order in double, divided in double: sklearn's loop
            total = np.cumsum((data * data).astype(np.float64))[-1]
            if total != 0:
                data = (data.astype(np.float64) / np.sqrt(total)).astype(data.dtype)
        return columns, data


@dataclass(frozen=True, slots=True)
class CueFamily:
    """The cue-word family (models.topics.CueCounts): three dense values per label, weighted as
    the FeatureUnion weights them."""

    cues: tuple[tuple[str, ...], ...]
    weight: float

    @property
    def vocabulary(self) -> range:          # only its length is read: the family's columns
        return range(3 * len(self.cues))

    def vector(self, doc: Prepared) -> tuple[np.ndarray, np.ndarray]:
        values = np.asarray(prepared_to_cues(doc, cues_to_patterns(self.cues)), dtype=np.float32) * self.weight
        columns = np.flatnonzero(values)
        return columns, values[columns]


@dataclass(frozen=True, slots=True)
class CompactTopics:
    """TopicModel's scoring: families → per-label logistic regression → Platt → paragraph lift."""

    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    calibration: tuple[tuple[float, float], ...]
    paragraph_min: int
    families: tuple[Family | CueFamily, ...]
    weights: np.ndarray          # n_features × n_labels
    intercepts: np.ndarray       # n_labels
    constants: np.ndarray        # n_labels: NaN, or the probability of a label fitted on one class

    def _raw(self, docs: list[Prepared]) -> np.ndarray:
        if not docs:
            return np.empty((0, len(self.labels)))
        columns, values, bounds = [], [], [0]
        for doc in docs:
            offset = 0
            for family in self.families:
                c, v = family.vector(doc)
                columns.append(c + offset)
                values.append(v)
                offset += len(family.vocabulary)
                bounds.append(bounds[-1] + len(c))
        # the products of the whole batch at once, then each article's summed in order, row by
        # row (what a cumulative sum's last row holds: the same float sums as one article at a time)
        step = len(self.families)
        products = np.concatenate(values).astype(np.float64)[:, None] * self.weights[np.concatenate(columns)]
        sums = np.zeros((len(docs), len(self.labels)))
        for i in range(len(docs)):
            start, stop = bounds[i * step], bounds[(i + 1) * step]
            if stop > start:
                sums[i] = products[start:stop].sum(axis=0)
        out = expit(sums + self.intercepts)
        fixed = ~np.isnan(self.constants)
        out[:, fixed] = self.constants[fixed]
        return out

    def predict_proba(self, docs: list[Prepared]) -> np.ndarray:
        docs = list(docs)
        return lift_by_paragraphs(docs, lambda some: calibrate(self._raw(some), self.calibration),
                                  self.thresholds, self.paragraph_min)

    def select(self, proba: np.ndarray) -> np.ndarray:
        return proba >= np.asarray(self.thresholds)


@dataclass(frozen=True, slots=True)
class CompactCompanies:
    """CompanyModel's scoring: mention features → logistic regression → Platt; companies never
    mentioned score 0; no fitted classifier (one class in training) scores every mention 1."""

    labels: tuple[str, ...]
    threshold: float
    calibration: tuple[float, float]
    vocabulary: dict[str, int] | None
    weights: np.ndarray
    intercept: float

    def score(self, features: list[dict[str, dict[str, float]]]) -> np.ndarray:
        scores = np.zeros((len(features), len(self.labels)))
        cells = [(i, self.labels.index(key), row) for i, per_doc in enumerate(features)
                 for key, row in per_doc.items() if key in self.labels]
        if not cells:
            return scores
        rows, columns = [i for i, _, _ in cells], [j for _, j, _ in cells]
        if self.vocabulary is None:
            scores[rows, columns] = 1.0
            return scores
        # each pair's sum as before; the logistic and Platt maps applied to the whole batch at once
        totals = np.array([self._total(row) for _, _, row in cells]) + self.intercept
        scores[rows, columns] = calibrate(expit(totals), self.calibration)
        return scores

    def _total(self, row: dict) -> float:
        total = 0.0
        for name, value in row.items():
            if isinstance(value, str):
                name, value = f"{name}={value}", 1.0
            column = self.vocabulary.get(name)
            if column is not None:
                total += float(value) * self.weights[column]
        return total


@dataclass(frozen=True, slots=True)
class CompactTagModel:
    """What the tagger reads of a TagModel (models.tagger), with compact topic and company models."""

    taxonomy: Taxonomy
    words: tuple[str, ...]
    hmm: bool
    topics: CompactTopics
    companies: CompactCompanies
    min_topics: int = 0


def write_compact(model, folder: Path) -> tuple[str, ...]:
    """Write the compact form of a TagModel to `folder`; the files written (none when the model's
    pipelines are not the shapes build_pipeline makes)."""
    parts = _export(model)
    if parts is None:
        return ()
    data, arrays = parts
    (folder / JSON_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with open(folder / ARRAYS_FILE, "wb") as handle:
        np.savez(handle, **arrays)
    return FILES


def read_compact(folder: Path) -> CompactTagModel:
    """The compact model in `folder` (its files' hashes are checked by models.persist first)."""
    data = json.loads((folder / JSON_FILE).read_text(encoding="utf-8"))
    with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
        arrays = dict(arrays)
    t, c = data["topics"], data["companies"]
    families = tuple(CueFamily(tuple(map(tuple, f["cues"])), float(f["weight"])) if f["field"] == "cues" else
                     Family(f["field"], f["title_weight"], {w: i for i, w in enumerate(f["vocabulary"])},
                            arrays[f"idf{k}"], f["sublinear"], f["l2"]) for k, f in enumerate(t["families"]))
    topics = CompactTopics(tuple(t["labels"]), tuple(t["thresholds"]), tuple(map(tuple, t["calibration"])),
                           t["paragraph_min"], families, arrays["topic_weights"], arrays["topic_intercepts"],
                           arrays["topic_constants"])
    vocabulary = None if c["vocabulary"] is None else {w: i for i, w in enumerate(c["vocabulary"])}
    companies = CompactCompanies(tuple(c["labels"]), c["threshold"], tuple(c["calibration"]), vocabulary,
                                 arrays["company_weights"], float(arrays["company_intercept"][0]))
    return CompactTagModel(taxonomy_from_dict(data["taxonomy"]), tuple(data["words"]), data["hmm"], topics,
                           companies, data["min_topics"])


def _export(model) -> tuple[dict, dict] | None:
    from models.topics import CueCounts, _is_fast_shape, tokens_to_tokens
    pipeline = model.topics.pipeline
    if not _is_fast_shape(pipeline):
        return None
    families, arrays, n_features = [], {}, 0
    union = pipeline.named_steps["features"]
    weights = union.transformer_weights or {}
    for k, (name, step) in enumerate(union.transformer_list):
        if isinstance(step, CueCounts):
            families.append({"field": "cues", "cues": [list(c) for c in step.cues],
                             "weight": float(weights.get(name, 1.0))})
            n_features += 3 * len(step.cues)
            continue
        if weights.get(name, 1.0) != 1.0:
            return None
        field, tfidf = step.named_steps["field"], step.named_steps["tfidf"]
        chars = tfidf.analyzer == "char" and tfidf.ngram_range == (1, 2) and tfidf.lowercase
        if not (chars or tfidf.analyzer is tokens_to_tokens) or tfidf.norm not in ("l2", None):
            return None
        if (field.field == "chars") != chars:
            return None
        vocabulary = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.get)
        families.append({"field": field.field, "title_weight": field.title_weight, "vocabulary": vocabulary,
                         "sublinear": bool(tfidf.sublinear_tf), "l2": tfidf.norm == "l2"})
        arrays[f"idf{k}"] = np.asarray(tfidf.idf_)
        n_features += len(vocabulary)
    topic_arrays = _topic_arrays(pipeline.named_steps["clf"].estimators_, n_features)
    company = _company_parts(model.companies)
    if topic_arrays is None or company is None:
        return None
    arrays.update(topic_arrays)
    arrays.update(company[1])
    t = model.topics
    data = {"format": COMPACT_FORMAT, "taxonomy": asdict(model.taxonomy), "words": list(model.words),
            "hmm": bool(model.hmm), "min_topics": int(getattr(model, "min_topics", 0)),
            "topics": {"labels": list(t.labels), "thresholds": [float(x) for x in t.thresholds],
                       "calibration": [[float(a), float(b)] for a, b in t.calibration],
                       "paragraph_min": int(t.paragraph_min), "families": families},
            "companies": company[0]}
    return data, arrays


def _topic_arrays(estimators, n_features: int) -> dict | None:
    weights = np.zeros((n_features, len(estimators)))
    intercepts, constants = np.zeros(len(estimators)), np.full(len(estimators), np.nan)
    for j, est in enumerate(estimators):
        coef = getattr(est, "coef_", None)
        if coef is not None and coef.shape == (1, n_features) and type(est).__name__ == "LogisticRegression":
            weights[:, j], intercepts[j] = coef[0], est.intercept_[0]
        elif type(est).__name__ == "_ConstantPredictor":
            constants[j] = float(est.predict_proba(np.zeros((1, n_features)))[0, 1])
        else:
            return None
    return {"topic_weights": weights, "topic_intercepts": intercepts, "topic_constants": constants}


def _company_parts(model) -> tuple[dict, dict] | None:
    data = {"labels": list(model.labels), "threshold": float(model.threshold),
            "calibration": [float(x) for x in model.calibration], "vocabulary": None}
    if model.pipeline is None:
        return data, {"company_weights": np.zeros(0), "company_intercept": np.zeros(1)}
    steps = model.pipeline.named_steps
    vectorizer, clf = steps.get("features"), steps.get("clf")
    if tuple(steps) != ("features", "clf") or type(clf).__name__ != "LogisticRegression" or \
            clf.coef_.shape[0] != 1 or getattr(vectorizer, "separator", None) != "=":
        return None
    data["vocabulary"] = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return data, {"company_weights": np.asarray(clf.coef_[0], dtype=float),
                  "company_intercept": np.asarray(clf.intercept_[:1], dtype=float)}


_NESTED = {"topics": Topic, "companies": Company, "places": Place, "groups": Group}


def taxonomy_from_dict(data: dict) -> Taxonomy:
    """A Taxonomy from `dataclasses.asdict` of one (lists back to tuples)."""
    def tuples(value):
        return tuple(tuples(v) for v in value) if isinstance(value, list) else value
    values = {}
    for f in fields(Taxonomy):
        if f.name not in data:
            continue
        kind = _NESTED.get(f.name)
        values[f.name] = tuple(kind(**{k: tuples(v) for k, v in item.items()}) for item in data[f.name]) \
            if kind else tuples(data[f.name])
    return Taxonomy(**values)
