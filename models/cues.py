"""Topic cue words as features (taxonomy.toml `cues`): pure functions shared by the fitted
pipeline (models.topics.CueCounts) and the compact scorer (models.compact); no scikit-learn."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from models.article import Prepared


@lru_cache(maxsize=8)
def cues_to_patterns(cues: tuple[tuple[str, ...], ...]) -> tuple[re.Pattern, ...]:
    """One regex per label over its cue words, longest first."""
    return tuple(re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))) or r"(?!)")
                 for words in cues)


def prepared_to_cues(doc: Prepared, patterns: tuple[re.Pattern, ...]) -> list[float]:
    """The cue features of one article (see CueCounts)."""
    title, body = doc.norm_full[:doc.title_end], doc.norm_full[doc.text_start:]
    paragraphs = [p for p in body.split("\n") if p.strip()] or [""]
    out = []
    for pattern in patterns:
        out.append(1.0 if pattern.search(title) else 0.0)
        out.append(min(1.0, np.log1p(len(pattern.findall(body))) / np.log1p(12)))
        out.append(sum(1 for p in paragraphs if pattern.search(p)) / len(paragraphs))
    return out
