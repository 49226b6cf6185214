"""Places and organisations of an article: the EntityRuler's phrase patterns matched on the
article's own words, without spaCy.

The patterns are data (`companies.taxonomy_to_patterns`: place aliases as GPE with the place key,
known organisations as ORG), cut into words by the model's segmenter, exactly what spaCy's
EntityRuler does with them; matching follows its rules: longest match first, then the earliest;
a match touching a company mention or an earlier match is dropped. Importing spaCy cost more
than a whole one-file import (0.6-1.9 s), so the tagger uses this; `companies.build_nlp` keeps the
spaCy pipeline, and tests/models compare the two on every training article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, compress

from models.article import Prepared
from models.companies import COMPANY, GPE, HAN, ORG, Entity, Mention, mention_full_span, taxonomy_to_patterns
from models.taxonomy import Taxonomy
from models.tokenize import text_to_tokens

_HAN = re.compile(HAN)


@dataclass(frozen=True, slots=True)
class PhraseRuler:
    """Patterns by first word: first word → ((words, label, key), ...), in pattern order."""

    by_first: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]


def build_ruler(taxonomy: Taxonomy, words: tuple[str, ...] = (), hmm: bool = False) -> PhraseRuler:
    """The taxonomy's phrase patterns cut like articles are (a pattern of characters would never
    match a doc of words); duplicates kept once, in first-seen order."""
    by_first: dict[str, dict] = {}
    for pattern in taxonomy_to_patterns(taxonomy):
        tokens = tuple(text_to_tokens(pattern["pattern"], words, hmm))
        if tokens:
            by_first.setdefault(tokens[0], {})[(tokens, pattern["label"], pattern.get("id", ""))] = None
    return PhraseRuler({first: tuple(found) for first, found in by_first.items()})


def _matches(ruler: PhraseRuler, tokens: tuple[str, ...]) -> list[tuple[int, int, str, str]]:
    """Every (start, end, label, key) where a pattern's words occur, longest first, then earliest,
    then in pattern order."""
    found, by_first = [], ruler.by_first
    for k in compress(range(len(tokens)), map(by_first.__contains__, tokens)):   # where a pattern may start
        for order, (words, label, key) in enumerate(by_first[tokens[k]]):
            if tokens[k:k + len(words)] == words:
                found.append((k, k + len(words), label, key, order))
    found.sort(key=lambda m: (m[0] - m[1], m[0], m[4]))
    return [m[:4] for m in found]


def _company_tokens(doc: Prepared, mentions: list[Mention], starts: list[int]) -> list[tuple[int, int]]:
    """Token spans of the company mentions (widened to whole words), without overlaps: longest
    first, then earliest (spaCy's filter_spans)."""
    import bisect
    spans = set()
    for mention in mentions:
        start, end = mention_full_span(doc, mention)
        if end <= start or start < 0 or end > starts[-1]:
            continue
        spans.add((bisect.bisect_right(starts, start) - 1, bisect.bisect_left(starts, end)))
    kept, taken = [], set()
    for start, end in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if taken.isdisjoint(range(start, end)):
            kept.append((start, end))
            taken.update(range(start, end))
    return kept


def prepared_to_entities(ruler: PhraseRuler, doc: Prepared, mentions: list[Mention],
                         heads: tuple[str, ...] = ()) -> list[Entity]:
    """Places and organisations relative to title or text (what `doc_to_entities` reads from
    the spaCy doc); a place followed by Han words ending in an organisation head is an ORG."""
    tokens = doc.words
    starts = [0, *accumulate(len(t) for t in tokens)]
    in_entity = [""] * len(tokens)
    for start, end in _company_tokens(doc, mentions, starts):
        in_entity[start:end] = [COMPANY] * (end - start)
    found, seen = [], set()
    for start, end, label, key in _matches(ruler, tokens):
        if any(in_entity[start:end]) or start in seen or end - 1 in seen:
            continue
        found.append((start, end, label, key))
        seen.update(range(start, end))
    for start, end, label, _ in found:
        in_entity[start:end] = [label] * (end - start)
    out = []
    for start, end, label, key in sorted(found):
        if label == GPE:
            label, end = _org_end(tokens, in_entity, end, heads)
        out.append(_entity(doc, starts[start], starts[end], label, key or None))
    return out


def _org_end(tokens: tuple[str, ...], in_entity: list[str], end: int, heads: tuple[str, ...]) -> tuple[str, int]:
    """(ORG, end word) if Han words after the place end with an organisation head, else (GPE, end)."""
    for i in range(end, min(end + 3, len(tokens))):
        if in_entity[i] or not _HAN.match(tokens[i]):
            break
        if heads and tokens[i].endswith(heads):
            return ORG, i + 1
    return GPE, end


def _entity(doc: Prepared, start: int, end: int, label: str, key: str | None) -> Entity:
    in_title = start < doc.title_end
    shift = 0 if in_title else doc.text_start
    return Entity(label, start - shift, end - shift, doc.full[start:end], in_title,
                  key if label == GPE else None)
