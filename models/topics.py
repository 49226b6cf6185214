"""Multi-label topic model: char n-grams + jieba words → one-vs-rest logistic regression, scores
calibrated per label (Platt scaling fitted on out-of-fold scores), per-label thresholds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize

from models.article import Prepared
from models.cues import cues_to_patterns, prepared_to_cues  # noqa: F401  (CueCounts reads them)
from models.preparer import ArticlePreparer
from models.scoring import (PARAGRAPH_MIN, PARAGRAPH_WEIGHT, _char_unigrams_bigrams, is_word, _logit, calibrate,  # noqa: F401
                            expit, lift_by_paragraphs, prepared_to_chars, prepared_to_paragraphs, prepared_to_words)

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


@dataclass(frozen=True, slots=True)
class TopicConfig:
    """Hyper-parameters of the topic pipeline (the defaults are the shipped model's)."""

    words: tuple[str, ...] = ()          # extra dictionary words for the segmenter
    hmm: bool = False
    title_weight: int = 2                # the title counts this many times
    char_analyzer: str = "char"
    char_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 2
    C: float = 30.0
    class_weight: str | None = "balanced"
    folds: int = 5
    seed: int = 0
    cues: tuple[tuple[str, ...], ...] = ()    # per label, words that signal it (taxonomy.toml); () = off
    cue_weight: float = 0.15             # of the cue family against the two tf-idf families (each
                                         # of norm 1). Measured 2026-12 with w22/w23, seed 0: dev
                                         # set all-topics macro-F1 0 → 0.888, 0.15 → 0.914, 0.2 →
                                         # 0.899, 0.25 → 0.903, 0.5 → 0.887, 1 → 0.871; CV 0.960 →
                                         # 0.959 and held-out 0.965 → 0.964 at 0.15; the sample
                                         # bulletins lose 3 exact topic sets (36 → 33/38: a peak or
                                         # holiday named in passing adds a secondary topic)


def tokens_to_tokens(tokens: list[str]) -> list[str]:
    """Identity analyzer: the words are already cut (a module-level function, so it pickles)."""
    return tokens


class DocField(BaseEstimator, TransformerMixin):
    """Select what one feature family reads from a Prepared article ("chars" or "words")."""

    def __init__(self, field: str = "chars", title_weight: int = 2):
        self.field = field
        self.title_weight = title_weight

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> list:
        convert = prepared_to_chars if self.field == "chars" else prepared_to_words
        return [convert(doc, self.title_weight) for doc in X]


class CueCounts(BaseEstimator, TransformerMixin):
    """Per label, how strongly its cue words occur: in the title or an untitled article's lead (0/1), in the body (log count,
    scaled) and the share of paragraphs holding one. One dense feature per cue list pools what
    many rare words say, so a label's weight is learned from all its articles at once rather
    than word by word from the few that use each word."""

    def __init__(self, cues: tuple[tuple[str, ...], ...] = ()):
        self.cues = cues

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> sparse.csr_matrix:
        patterns = cues_to_patterns(self.cues)
        return sparse.csr_matrix(np.array([prepared_to_cues(doc, patterns) for doc in X], dtype=np.float32)
                                 .reshape(len(X), 3 * len(patterns)))


def build_pipeline(cfg: TopicConfig) -> Pipeline:
    """prepare → features(chars, words) → one-vs-rest logistic regression."""
    chars = TfidfVectorizer(analyzer=cfg.char_analyzer, ngram_range=cfg.char_ngrams, min_df=cfg.min_df,
                            sublinear_tf=True, lowercase=True, dtype=np.float32)
    words = TfidfVectorizer(analyzer=tokens_to_tokens, min_df=cfg.min_df, sublinear_tf=True,
                            dtype=np.float32)
    families = [
        ("chars", Pipeline([("field", DocField("chars", cfg.title_weight)), ("tfidf", chars)])),
        ("words", Pipeline([("field", DocField("words", cfg.title_weight)), ("tfidf", words)])),
    ]
    weights = None
    if cfg.cues:
        families.append(("cues", CueCounts(cfg.cues)))
        weights = {"chars": 1.0, "words": 1.0, "cues": cfg.cue_weight}
    features = FeatureUnion(families, transformer_weights=weights)
    classifier = LogisticRegression(C=cfg.C, class_weight=cfg.class_weight, solver="liblinear",
                                    max_iter=5000, random_state=cfg.seed)
    return Pipeline([
        ("prepare", ArticlePreparer(cfg.words, cfg.hmm)),
        ("features", features),
        ("clf", OneVsRestClassifier(classifier)),
    ])


@dataclass(frozen=True, slots=True)
class TopicModel:
    """A fitted topic pipeline, its label order, one calibration and one decision threshold per label."""

    labels: tuple[str, ...]
    pipeline: Pipeline
    thresholds: tuple[float, ...]
    calibration: tuple[tuple[float, float], ...]
    paragraph_min: int = PARAGRAPH_MIN

    def predict_proba(self, docs) -> np.ndarray:
        """Calibrated probabilities (n_docs × n_labels) for articles or Prepared docs; in an
        article where a label could pass its threshold thanks to one paragraph, raised a third of
        the way towards the best paragraph's: a topic developed in one paragraph of a long article
        counts (ANNOTATION.md rule 1), though tf-idf over the whole text dilutes it."""
        docs = self.pipeline.named_steps["prepare"].transform(docs) if "prepare" in self.pipeline.named_steps \
            else list(docs)
        return lift_by_paragraphs(docs, lambda some: calibrate(_proba(self.pipeline, some), self.calibration),
                                  self.thresholds, self.paragraph_min)

    def select(self, proba: np.ndarray) -> np.ndarray:
        """Boolean matrix: which labels are above their threshold."""
        return proba >= np.asarray(self.thresholds)


def train_topic_model(docs: list[Prepared], Y: np.ndarray, labels: tuple[str, ...],
                      cfg: TopicConfig) -> tuple[TopicModel, np.ndarray]:
    """Fit on all `docs`; calibration and thresholds come from out-of-fold scores, which are
    returned too (calibrated)."""
    raw = out_of_fold_proba(cfg, docs, Y)
    calibration = tuple(fit_platt(Y[:, j], raw[:, j]) for j in range(Y.shape[1]))
    oof = calibrate(raw, calibration)
    thresholds = choose_thresholds(Y, oof)
    pipeline = build_pipeline(cfg).fit(docs, Y)
    return TopicModel(labels, pipeline, thresholds, calibration), oof


def fit_platt(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (a, b) with P(y) = sigmoid(a·logit(score) + b), fitted on held-out scores
    with Platt's smoothed targets ((n₊+1)/(n₊+2) and 1/(n₋+2)), so that separable scores do not
    give an infinitely steep map.

    The raw scores of a class-balanced, strongly regularised logistic regression are not
    probabilities; a monotone map keeps every ranking and F1."""
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return 1.0, 0.0
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    target = np.where(y, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    x = _logit(scores)[:, None]
    fit = LogisticRegression(C=1e4, max_iter=1000).fit(
        np.vstack([x, x]), np.r_[np.ones(len(x)), np.zeros(len(x))], sample_weight=np.r_[target, 1 - target])
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def out_of_fold_proba(cfg: TopicConfig, docs: list[Prepared], Y: np.ndarray) -> np.ndarray:
    """K-fold cross-validated scores for every training document."""
    proba = np.zeros(Y.shape, dtype=float)
    folds = KFold(n_splits=min(cfg.folds, len(docs)), shuffle=True, random_state=cfg.seed)
    template = build_pipeline(cfg)
    for fit_idx, held_idx in folds.split(docs):
        model = clone(template).fit([docs[i] for i in fit_idx], Y[fit_idx])
        proba[held_idx] = _proba(model, [docs[i] for i in held_idx])
    return proba


def choose_thresholds(Y: np.ndarray, proba: np.ndarray) -> tuple[float, ...]:
    """Per label, the F1-optimal threshold of calibrated scores: half the best out-of-fold F1."""
    return tuple(_best_threshold(Y[:, j], proba[:, j]) for j in range(Y.shape[1]))


def _best_threshold(y: np.ndarray, scores: np.ndarray) -> float:
    """Half the best F1 over the grid (0.5 when y has no positives).

    For calibrated probabilities the threshold that maximises expected F1 is F1*/2 (Lipton, Elkan
    and Naryanaswamy 2014). Split-half CV on the training data scores it like the centre of the best
    plateau (macro-F1 0.9626 vs 0.9623), but it does not follow the low edge of a plateau that our
    separable training scores make wide; on the held-out writer's articles the low thresholds
    were the main source of false topics."""
    if y.sum() == 0:
        return 0.5
    best = max(_f1(y, scores >= t) for t in THRESHOLD_GRID)
    return float(np.clip(round(best / 2, 2), THRESHOLD_GRID[0], THRESHOLD_GRID[-1]))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    """Binary F1 of one label."""
    tp = float(np.sum(y & pred))
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 0.0


FAST_STEPS = ("prepare", "features", "clf")     # the shape build_pipeline makes
FAST_FAMILY = ("field", "tfidf")


def _is_fast_shape(pipeline: Pipeline) -> bool:
    """Whether the pipeline is exactly build_pipeline's shape, so `_proba`'s shortcut computes the
    same thing; any other pipeline (a step added or swapped) runs through sklearn itself."""
    if tuple(pipeline.named_steps) != FAST_STEPS or not hasattr(pipeline[-1], "estimators_"):
        return False
    union = pipeline.named_steps["features"]
    return all(isinstance(step, CueCounts) or isinstance(step, Pipeline) and tuple(step.named_steps) == FAST_FAMILY
               and isinstance(step.named_steps["tfidf"], TfidfVectorizer)
               for _, step in getattr(union, "transformer_list", [("", None)]))


def _proba(pipeline: Pipeline, docs) -> np.ndarray:
    """The fitted pipeline's predict_proba. For build_pipeline's own shape it runs step by step
    (sklearn's per-estimator input checks cost ~3 ms a call, and its n-gram counting is a Python
    loop: `_tfidf` does the same sums in C; tests/models compare both paths)."""
    if not _is_fast_shape(pipeline):
        return pipeline.predict_proba(docs)
    prepared = pipeline.named_steps["prepare"].transform(docs)
    union = pipeline.named_steps["features"]
    weights = union.transformer_weights or {}
    X = sparse.hstack([_family(step, prepared) * weights.get(name, 1.0) for name, step in union.transformer_list],
                      format="csr")
    return np.column_stack([positive_proba(est, X) for est in pipeline.named_steps["clf"].estimators_])


def _family(step: Pipeline, prepared: list[Prepared]):
    """One feature family (field → tf-idf, or the cue counts) of prepared articles."""
    if isinstance(step, CueCounts):
        return step.transform(prepared)
    field, tfidf = step.named_steps["field"], step.named_steps["tfidf"]
    values = field.transform(prepared)
    if tfidf.analyzer is tokens_to_tokens:
        return _tfidf(tfidf, values)
    if tfidf.analyzer == "char" and tfidf.ngram_range == (1, 2) and tfidf.lowercase:
        return _tfidf(tfidf, [_char_unigrams_bigrams(v) for v in values])
    return tfidf.transform(values)


def _tfidf(vectorizer: TfidfVectorizer, features: list) -> sparse.csr_matrix:
    """`vectorizer.transform` of already-analysed documents: the same counts, sublinear tf, idf and
    L2 norm in the vectorizer's dtype, with the counting done by Counter (C) rather than a loop."""
    vocabulary, indices, counts, indptr = vectorizer.vocabulary_, [], [], [0]
    for doc in features:
        for feature, count in Counter(doc).items():
            column = vocabulary.get(feature)
            if column is not None:
                indices.append(column)
                counts.append(count)
        indptr.append(len(indices))
    X = sparse.csr_matrix((np.asarray(counts, dtype=vectorizer.dtype), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int32)), shape=(len(features), len(vocabulary)))
    X.sort_indices()
    if vectorizer.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= vectorizer.idf_[X.indices]
    return normalize(X, norm=vectorizer.norm, copy=False) if vectorizer.norm else X


def positive_proba(estimator, X) -> np.ndarray:
    """P(positive) of a fitted binary estimator; logistic regression is computed directly."""
    if isinstance(estimator, LogisticRegression) and estimator.coef_.shape[0] == 1:
        return expit(X @ estimator.coef_[0] + estimator.intercept_[0])
    return estimator.predict_proba(X)[:, 1]
