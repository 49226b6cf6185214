"""The default model on the sample bulletins (our own writing, never used for training)."""

from __future__ import annotations

from fixtures.source import load_source
from models import Tagger
from tests.conftest import SOURCES


def test_sample_bulletins_are_tagged_as_their_sources_say(models_dir):
    tagger = Tagger.load(models_dir)
    topics_ok = companies_ok = n = 0
    hits = misses = wrong = 0
    for src in SOURCES:
        source = load_source(src)
        for article, expected in zip(source.bulletin.articles, source.labels):
            tags = tagger.tag(article.title + ("\n" + article.subtitle if article.subtitle else ""),
                              article.text)
            n += 1
            topics_ok += set(tags.selected_topics) == set(expected.topics)
            companies_ok += set(tags.selected_companies) == set(expected.companies)
            hits += len(set(tags.selected_topics) & set(expected.topics))
            misses += len(set(expected.topics) - set(tags.selected_topics))
            wrong += len(set(tags.selected_topics) - set(expected.topics))
    # after the re-annotation to GUIDE.md (2026-12), seed 0: 38/38 exact company sets, 36/38
    # exact topic sets (one secondary topic missed, one added where care is a single clause)
    assert n == 38
    assert companies_ok == n
    assert topics_ok >= 36
    assert misses + wrong <= 2 and hits >= 48
