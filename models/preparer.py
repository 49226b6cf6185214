"""The scikit-learn step that prepares articles (kept apart so that preparing one imports no sklearn)."""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin

from models.article import Prepared, article_to_prepared, item_to_title_text


class ArticlePreparer(BaseEstimator, TransformerMixin):
    """Turn articles into `Prepared`; already prepared articles pass through unchanged."""

    def __init__(self, words: tuple[str, ...] = (), hmm: bool = False):
        self.words = words
        self.hmm = hmm

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> list[Prepared]:
        return [x if isinstance(x, Prepared) else self.prepare(*item_to_title_text(x)) for x in X]

    def prepare(self, title: str, text: str) -> Prepared:
        """Prepare one article with this preparer's dictionary."""
        return article_to_prepared(title, text, tuple(self.words), self.hmm)
