"""corpus: the structured store and every query over it."""

from corpus.store import AddResult, ArticleTags, Corpus

__all__ = ["AddResult", "ArticleTags", "Corpus"]
