"""What scoring a topic needs besides the fitted weights, in numpy only: the text each feature
family reads, Platt calibration, and the paragraph lift. Shared by the scikit-learn pipeline
(models.topics, training) and the compact model the tagger loads (models.compact)."""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from typing import Callable

import numpy as np

from models.article import Prepared

PARAGRAPH_MIN = 80    # characters: a paragraph of substance (about two sentences); shorter ones are
                      # headings, captions and source lines. Measured on the held-out set and the dev
                      # set (topics macro-F1, 2026-12): 40 → 0.871, 80 → 0.881, 120 → 0.862 on dev;
                      # held-out 0.955 without paragraphs, 0.961 with them at 80.
PARAGRAPH_WEIGHT = 1 / 3  # how far an article's score moves towards its best paragraph's: 1/2, 1/3
                          # and 1/4 give held-out 0.961 each, samples 0.984 / 0.989 / 0.989 (none:
                          # 0.986), dev 0.881 / 0.875 / 0.870 (none: 0.859); 1/3 costs our sets nothing


def prepared_to_paragraphs(doc: Prepared, min_chars: int = PARAGRAPH_MIN) -> list[Prepared]:
    """The article's paragraphs of at least `min_chars` as untitled docs, cut from the article's
    own normalised segmentation (no second jieba pass); none when fewer than two qualify."""
    body_start = doc.norm_full.find("\n") + 1        # the title holds no newline
    out, current, offset = [], [], 0
    for word in doc.norm_words:
        if offset >= body_start:
            if "\n" in word:
                out.append(current)
                current = []
            else:
                current.append(word)
        offset += len(word)
    out.append(current)
    paragraphs = [Prepared("", "".join(w), "\n" + "".join(w), ("\n", *w), ("\n", *w))
                  for w in out if len("".join(w).strip()) >= min_chars]
    return paragraphs if len(paragraphs) >= 2 else []


def prepared_to_chars(doc: Prepared, title_weight: int = 1) -> str:
    """The normalised text for char n-grams, the title repeated `title_weight` times."""
    title = doc.norm_full[:doc.title_end]
    return "\n".join([title] * title_weight + [doc.norm_full[doc.text_start:]])


def prepared_to_words(doc: Prepared, title_weight: int = 1) -> list[str]:
    """The normalised words for word features (no punctuation, spaces or numbers), title repeated."""
    words, title_end, offset, cut = doc.norm_words, doc.title_end, 0, len(doc.norm_words)
    for k, token in enumerate(words):            # the title's words: those starting before its end
        if offset >= title_end:
            cut = k
            break
        offset += len(token)
    return list(filter(is_word, words[:cut] * title_weight + words[cut:]))


@lru_cache(maxsize=1 << 16)
def is_word(token: str) -> bool:
    """A token worth a feature: has a letter or a Han character, not only digits (cached: the
    same few thousand words recur in every article)."""
    return any(ch.isalpha() for ch in token)


_WHITE_SPACES = re.compile(r"\s\s+")          # sklearn's whitespace normalisation for char n-grams


def _char_unigrams_bigrams(text: str) -> list[str]:
    """sklearn's analyzer="char", ngram_range=(1, 2), lowercase: characters, then adjacent pairs."""
    text = _WHITE_SPACES.sub(" ", text.lower())
    return [*text, *map(operator.add, text, text[1:])]


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function, 1 / (1 + e^-x), as scipy.special.expit computes it."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def calibrate(scores: np.ndarray, calibration) -> np.ndarray:
    """Apply per-column (a, b) Platt maps; a 1-D array takes a single (a, b)."""
    scores = np.asarray(scores, dtype=float)
    a, b = calibration if scores.ndim == 1 else np.asarray(calibration, dtype=float).T
    return expit(a * _logit(scores) + b)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def lift_by_paragraphs(docs: list[Prepared], score: Callable[[list[Prepared]], np.ndarray],
                       thresholds, paragraph_min: int = PARAGRAPH_MIN) -> np.ndarray:
    """Calibrated probabilities (n_docs × n_labels) from `score`; in an article where a label
    could pass its threshold thanks to one paragraph, raised a third of the way towards the best
    paragraph's: a topic developed in one paragraph of a long article counts (ANNOTATION.md rule
    1), though tf-idf over the whole text dilutes it."""
    whole = score(docs)
    # only an article with a label that its best paragraph could lift over the threshold
    # (even a paragraph scored 1.0 lifts a score s to s + (1 - s)·w) is read paragraph by
    # paragraph: the same selections at about half the cost (python -m bench tag)
    thresholds = np.asarray(thresholds)
    liftable = (whole < thresholds) & (whole >= (thresholds - PARAGRAPH_WEIGHT) / (1 - PARAGRAPH_WEIGHT))
    owners, paragraphs = [], []
    for i in np.flatnonzero(liftable.any(axis=1)):
        found = prepared_to_paragraphs(docs[i], paragraph_min)
        owners += [i] * len(found)
        paragraphs += found
    if not paragraphs:
        return whole
    best = np.zeros_like(whole)
    np.maximum.at(best, np.asarray(owners), score(paragraphs))
    return np.maximum(whole, whole + (best - whole) * PARAGRAPH_WEIGHT)
