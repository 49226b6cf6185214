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
    # seed 0, 2026-12: 38/38 exact company sets; 33/38 exact topic sets since the topic cue
    # features (taxonomy.toml `cues`; 36/38 before): they raised the real dev set's all-topics
    # macro-F1 0.888 -> 0.914 and add a secondary topic at 0.50-0.63 where a holiday or peak is
    # named in passing (5 added, 2 missed, out of 54 labels)
    assert n == 38
    assert companies_ok == n
    assert topics_ok >= 33
    assert misses + wrong <= 7 and hits >= 47
