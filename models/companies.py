"""Company mentions (character-level alias matching on a spaCy doc) and which companies an article concerns.

Segmentation: spaCy's zh "jieba" segmenter imports and uses the GLOBAL jieba, so the nlp object
is `spacy.blank("zh")` (default "char" config, imports nothing) with its tokenizer replaced by
`JiebaSegmenter`, which cuts the EntityRuler's patterns with our private tokenizer; on the tagging
path each doc is built directly from the words the article was already cut into, so jieba runs
once per article.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np

from models.article import RELATED_LABEL, Prepared, related_start
from models.aside import Around, is_fraud_story, mention_aside
from models.scoring import calibrate, is_word
from models.taxonomy import Taxonomy
from models.tokenize import text_to_tokens

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

COMPANY, ORG, GPE = "COMPANY", "ORG", "GPE"
HAN = r"^[\u4e00-\u9fff]+$"
LIST_MARKS = "、"
QUOTES = "“”「」『』\"'"
JOINERS = "、和与及同跟"            # what links the members of a list of names
GROUP_MARKERS = ("等", "及各", "和各", "与各", "以及", "及其他", "及全市")   # …then 企业/品牌: named in passing
GROUP_WORDS = ("企业", "品牌", "公司", "单位", "快递", "寄递")
CLAUSE_END = "。！？；：，\n"
SENTENCE_END = "。！？；\n"
SUFFIX_MAX = 6                      # a shared suffix after a list member (上海区域, 松江区分公司)
# a sentence whose companies only attend: "…及各品牌快递企业负责人参加会议"
ATTENDING = re.compile(r"参加(?:了)?(?:会议|座谈|培训|活动启动|签约)|参会|与会|列席|出席(?:了)?(?:会议|仪式|活动)?")
# a list member acting together or each on its own: "圆通速递、中通快递上海区域分别组织…"
JOINT_ACTS = ("分别", "共同", "联合", "各自", "均", "都", "一起", "携手")
# "两家企业…": the article speaks of exactly as many firms as it names
FIRMS_COUNTED = re.compile(r"([两二三四五六七八九])家(?:企业|公司|单位|快递|品牌|网点)")
COUNT_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
STRICT_MAX_LEN = 2            # Han aliases this short must coincide with word boundaries

# Cues of the mentions that do not concern a firm (GUIDE.md): a brand a fraudster pretends to be,
# a payment or merchant label, a market statistic or comparison, a source or contact line.
IMPERSONATED = re.compile(r"(?:冒充|假冒|仿冒|冒用|冒名|自称|伪装成?|假扮|谎称|假的|所谓)[^。！？\n，]{0,6}$")
ANNOUNCES = re.compile(r"[^，。；！？\n]{0,4}?(?:也|均|同时|分别|先后)?(?:发布|披露|公布|公告|宣布)")   # their own figures
PAYMENT = re.compile(r"(?:的)?(?:白条|支付|金融|商城|自营|购买|下单|包邮|钱包|会员|购物|网购|店铺|旗舰店|APP|App|app)")
STATISTIC = re.compile(r"业务量|市场份额|占比|同比|排名|营收|营业收入|净利润|市值|单票|件量|亿件|份额|股价")
COMPARISON = re.compile(r"(?:相比|相较|比起|不同于|同行|对手|竞争|超过|落后于|仅次于)[^。！？\n]{0,12}$")
CONTACT = re.compile(r"[^。！？\d]{0,16}?\d{3,4}-?\d{7,8}|[^。！？\d]{0,16}?1\d{10}")
SOURCE_LINE = re.compile(r"\s*[（(]?\s*(?:来源|供稿|作者|编辑|责任编辑|通讯员|转自|原标题)")
ROLES = ("actor", "participant", "object", "passing", "impersonated", "payment")
CONCERNING = frozenset(ROLES[:3])      # the roles that make an article concern a firm


@dataclass(frozen=True, slots=True)
class Mention:
    """A company name found in the title or the text (offsets into that string)."""

    company: str
    start: int
    end: int
    text: str
    in_title: bool
    unit: str = ""               # the local unit it names, when wider: 十堰市邮政分公司
    role: str = ""               # actor | participant | object | passing | impersonated | payment
    score: float = 0.0
    aside: str = ""              # why a passing mention is set aside whatever the score: models.aside.SET_ASIDE


@dataclass(frozen=True, slots=True)
class Entity:
    """A place (GPE) or organisation (ORG) found in the title or the text."""

    label: str
    start: int
    end: int
    text: str
    in_title: bool
    key: str | None = None


@dataclass(frozen=True, slots=True)
class AliasMatcher:
    """Compiled alias and clash patterns of a taxonomy's companies, its group names, and the
    place names and unit words a mention extends over."""

    aliases: re.Pattern
    clashes: re.Pattern | None
    owners: dict[str, tuple[str, ...]]     # alias or group name → company keys
    strict: frozenset[str]
    places: frozenset[str] = frozenset()
    units: re.Pattern | None = None
    since: dict[str, int] = field(default_factory=dict)   # alias → first year it names its firm


PLACE_SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "县", "区", "盟", "旗")


@lru_cache(maxsize=1)
def gazetteer_places() -> frozenset[str]:
    """Every province, city and county name of China and its short form (十堰市, 十堰), read from
    the division table the `cpca` package ships; the package itself is not imported (it would
    load pandas). Short forms of one character are dropped (县 names such as 忠县)."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    table = Path(spec.submodule_search_locations[0]) / "resources" / "adcodes.csv"
    names = set()
    with open(table, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)                 # not DictReader: a dict per row cost 2x the read
        column = next(rows, ["name"]).index("name")
        for row in rows:
            name = row[column]
            names.add(name)
            short = next((name[:-len(s)] for s in PLACE_SUFFIXES if name.endswith(s)), name)
            if len(short) >= 2:
                names.add(short)
    return frozenset(names)


def build_alias_matcher(taxonomy: Taxonomy) -> AliasMatcher:
    """One trie regex over all aliases and group names (longest match wins), one over all clash
    names (the trie, then the clash patterns that look at the context), one over unit words;
    place names from the taxonomy and the gazetteer."""
    owners = {a: (c.key,) for c in taxonomy.companies for a in c.aliases}
    owners.update({g.name: g.members for g in taxonomy.groups})
    clashes = {n for c in taxonomy.companies for n in c.clashes}
    guarded = [p for c in taxonomy.companies for p in getattr(c, "clash_patterns", ())]
    strict = frozenset(a for a in owners if len(a) <= STRICT_MAX_LEN and re.match(HAN, a))
    places = {n for p in taxonomy.places for n in (p.name, *p.aliases) if len(n) >= 2}
    if taxonomy.gazetteer:
        places |= gazetteer_places()
    return AliasMatcher(
        aliases=re.compile(words_to_regex(owners)),
        clashes=re.compile("|".join(([words_to_regex(clashes)] if clashes else []) + guarded))
        if clashes or guarded else None,
        owners=owners,
        strict=strict,
        places=frozenset(places),
        units=re.compile(words_to_regex(taxonomy.units)) if taxonomy.units else None,
        since={alias: year for c in taxonomy.companies for alias, year in getattr(c, "since", ())},
    )


PLACE_MAX = 9          # the longest place name looked for before a mention (黔东南苗族侗族自治州)


def span_to_unit(matcher: AliasMatcher, text: str, start: int, end: int) -> tuple[int, int]:
    """A mention widened to its local unit: the place name just before it (longest first) and
    the unit word just after it (十堰市 + 邮政 + 分公司)."""
    for size in range(min(PLACE_MAX, start), 1, -1):
        if text[start - size:start] in matcher.places:
            start -= size
            break
    if matcher.units is not None:
        unit = matcher.units.match(text, end)
        if unit:
            end = unit.end()
    return start, end


def words_to_regex(words: Iterable[str]) -> str:
    """A trie-shaped regex matching the longest of `words`; Latin ends must not touch Latin letters."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = word
    return _trie_regex(trie, root=True)


def _trie_regex(node: dict, root: bool = False) -> str:
    """Regex of one trie node: its branches (longest first by greediness), else the end of a word."""
    branches = [_edge(ch, root) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")" if branches else ""
    if "" not in node:
        return body
    end = r"(?![A-Za-z])" if _is_latin(node[""][-1]) else ""
    return f"(?:{body}|{end})" if body else end


def _edge(ch: str, root: bool) -> str:
    """One trie edge; a word starting with a Latin letter must not follow one."""
    return (r"(?<![A-Za-z])" if root and _is_latin(ch) else "") + re.escape(ch)


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _blank(match: re.Match) -> str:
    """Mask a clash name with characters no alias contains."""
    return "\0" * len(match.group())


def text_to_alias_spans(matcher: AliasMatcher, text: str, cuts: frozenset[int]) -> list[tuple[str, int, int]]:
    """(company, start, end) of every alias in `text` outside clash names; short aliases need word cuts."""
    masked = matcher.clashes.sub(_blank, text) if matcher.clashes else text
    spans = []
    for match in matcher.aliases.finditer(masked):
        alias, start, end = match.group(), match.start(), match.end()
        if alias in matcher.strict and not (start in cuts and end in cuts):
            continue
        spans.extend((key, start, end) for key in matcher.owners[alias])
    return spans


def words_to_cuts(words: tuple[str, ...]) -> frozenset[int]:
    """Character offsets where a word starts or ends."""
    return frozenset(accumulate(map(len, words), initial=0))


def prepared_to_mentions(matcher: AliasMatcher, doc: Prepared) -> list[Mention]:
    """Company mentions of an article, matched on the Simplified text when offsets agree."""
    same_length = len(doc.norm_full) == len(doc.full)
    source, words = (doc.norm_full, doc.norm_words) if same_length else (doc.full, doc.words)
    spans = text_to_alias_spans(matcher, source, words_to_cuts(words))
    if matcher.since and any(source[s:e] in matcher.since for _, s, e in spans):
        latest = text_to_latest_year(source)
        spans = [(key, s, e) for key, s, e in spans
                 if source[s:e] not in matcher.since or (latest or 0) >= matcher.since[source[s:e]]]
    return [_mention(doc, key, start, end, span_to_unit(matcher, source, start, end))
            for key, start, end in spans]


YEAR = re.compile(r"(?<!\d)(20[0-4]\d|19[89]\d)(?=\s*(?:年|[-./]\d))"
                  r"|(?<![\d.])\d{1,2}\.\d{1,2}\.(20[0-4]\d|19[89]\d)(?![\d.])")     # 2021年, 2021-03, 13.03.2020


def text_to_latest_year(text: str) -> int | None:
    """The latest year an article names (2019年, 2021-03, 2020.5, 13.03.2020): an article is at
    least that recent. None when it names none."""
    years = [int(a or b) for a, b in YEAR.findall(text)]
    return max(years) if years else None


def _mention(doc: Prepared, key: str, start: int, end: int,
             unit: tuple[int, int] | None = None) -> Mention:
    """Offsets in `full` → a Mention relative to the title or the text; `unit`: the local unit
    the name stands in (its text is the mention's `unit`)."""
    in_title = start < doc.title_end
    shift = 0 if in_title else doc.text_start
    unit_text = doc.full[unit[0]:unit[1]] if unit and unit != (start, end) else ""
    return Mention(key, start - shift, end - shift, doc.full[start:end], in_title, unit_text)


def mention_full_span(doc: Prepared, mention: Mention) -> tuple[int, int]:
    """A mention's offsets in `full`."""
    shift = 0 if mention.in_title else doc.text_start
    return mention.start + shift, mention.end + shift


class JiebaSegmenter:
    """spaCy tokenizer that cuts with the private jieba tokenizer (never the global one).

    Articles never pass through it (their docs are built from the words they were already cut
    into), but the EntityRuler tokenizes its phrase patterns with `nlp.tokenizer`: patterns must
    be cut like the articles, or a pattern of characters would never match a doc of words."""

    def __init__(self, vocab, words: tuple[str, ...] = (), hmm: bool = False):
        self.vocab = vocab
        self.words = words
        self.hmm = hmm

    def __call__(self, text: str):
        from spacy.tokens import Doc

        tokens = text_to_tokens(text, self.words, self.hmm)
        return Doc(self.vocab, words=tokens, spaces=[False] * len(tokens))


def build_nlp(taxonomy: Taxonomy, words: tuple[str, ...] = (), hmm: bool = False):
    """spacy.blank("zh") with our segmenter and an EntityRuler for place and organisation names."""
    import spacy

    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaSegmenter(nlp.vocab, words, hmm)
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": False})
    ruler.add_patterns(taxonomy_to_patterns(taxonomy))
    return nlp


def taxonomy_to_patterns(taxonomy: Taxonomy) -> list[dict]:
    """EntityRuler phrase patterns: place names (GPE, id = place key) and known organisations (ORG)."""
    places = [{"label": GPE, "pattern": a, "id": p.key} for p in taxonomy.places for a in p.aliases]
    return places + [{"label": ORG, "pattern": name} for name in taxonomy.known_orgs]


def prepared_to_doc(nlp, doc: Prepared, mentions: list[Mention]):
    """The spaCy doc of `full` (from the article's own words), companies set, then the EntityRuler."""
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    sdoc = Doc(nlp.vocab, words=list(doc.words), spaces=[False] * len(doc.words))
    spans = []
    for mention in mentions:
        start, end = mention_full_span(doc, mention)
        span = sdoc.char_span(start, end, label=COMPANY, kb_id=mention.company, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    sdoc.ents = filter_spans(spans)
    for _, component in nlp.pipeline:
        sdoc = component(sdoc)
    return sdoc


def doc_to_entities(doc: Prepared, sdoc, heads: tuple[str, ...] = ()) -> list[Entity]:
    """Places and organisations relative to title or text; place + head word (浦东新区 总工会) is an ORG."""
    found = []
    for span in sdoc.ents:
        if span.label_ in (GPE, ORG):
            label, end = _org_end(sdoc, span, heads) if span.label_ == GPE else (ORG, span.end)
            found.append(_entity(doc, sdoc[span.start:end], label, span.id_ or None))
    return found


def _org_end(sdoc, span, heads: tuple[str, ...]) -> tuple[str, int]:
    """(ORG, end token) if Han words after the place end with an organisation head, else (GPE, span end)."""
    for i in range(span.end, min(span.end + 3, len(sdoc))):
        token = sdoc[i]
        if token.ent_type or not re.match(HAN, token.text):
            break
        if heads and token.text.endswith(heads):
            return ORG, i + 1
    return GPE, span.end


def _entity(doc: Prepared, span, label: str, key: str | None) -> Entity:
    """A spaCy span → Entity relative to title or text."""
    in_title = span.start_char < doc.title_end
    shift = 0 if in_title else doc.text_start
    return Entity(label, span.start_char - shift, span.end_char - shift, span.text, in_title,
                  key if label == GPE else None)


@dataclass(frozen=True, slots=True)
class _Context:
    """What every company's features read from one article, computed once per article."""

    text: str                              # the normalised full text
    begins: dict[int, int]                 # mention end → start (all companies)
    finishes: dict[int, int]               # mention start → end
    offsets: list[int]                     # where each normalised word starts, then len(text)
    paragraphs: tuple[tuple[int, int], ...]
    sentence_ends: list[int]               # offsets of 。！？；\n, sorted
    related: int = 1 << 62                 # where the page's list of other articles begins
    fraud_story: bool = False


SENTENCE_END_RE = re.compile(f"[{SENTENCE_END}]")


def _context(doc: Prepared, every: list[tuple[int, int]]) -> _Context:
    bounds, offset = [], doc.text_start
    for paragraph in doc.text.split("\n"):
        bounds.append((offset, offset + len(paragraph)))
        offset += len(paragraph) + 1
    text = doc.norm_full
    return _Context(text, {e: s for s, e in every}, {s: e for s, e in every},
                    list(accumulate(map(len, doc.norm_words), initial=0)), tuple(bounds),
                    [m.start() for m in SENTENCE_END_RE.finditer(text)],
                    0 if RELATED_LABEL.search(text[:doc.title_end].strip()) else
                    doc.text_start + related_start(text[doc.text_start:]),
                    is_fraud_story(text))


def mentions_to_features(doc: Prepared, mentions: list[Mention]) -> dict[str, dict[str, float]]:
    """Per mentioned company, the features that tell an article's subject from a passing mention."""
    by_company: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_company[mention.company].append(mention)
    if not by_company:
        return {}
    counts = Counter({key: len(found) for key, found in by_company.items()})
    ctx = _context(doc, [mention_full_span(doc, m) for m in mentions])
    counted = float(len(counts) in {COUNT_DIGITS[m.group(1)] for m in FIRMS_COUNTED.finditer(doc.norm_full)})
    return {key: {**_company_features(doc, found, counts, ctx), "firms_counted": counted}
            for key, found in by_company.items()}


def _company_features(doc: Prepared, found: list[Mention], counts: Counter, ctx: _Context) -> dict[str, float]:
    """Counts, position, share, title, list and sentence context and neighbouring words of one company."""
    n, total, k = len(found), sum(counts.values()), len(counts)
    spans = [mention_full_span(doc, m) for m in found]
    text = ctx.text
    attending = [_attending(ctx, s) for s, _ in spans]
    features = {
        "log_count": math.log1p(n), "share": n / total, "is_top": float(n == max(counts.values())),
        "only": float(k == 1), "many": float(k >= 4),
        # no position or firm-count features: they taught the old rule that long lists of
        # firms are passing mentions (GUIDE.md: every firm in a list that takes part counts)
        "in_title": float(any(m.in_title for m in found)),
        "in_list": sum(_in_list(text, s, e) for s, e in spans) / n,
        "group_etc": sum(_before_group_word(text, e) for _, e in spans) / n,
        "clause_start": sum(_starts_clause(text, s) for s, _ in spans) / n,
        **_list_features(text, spans, ctx.begins, ctx.finishes),
        "attending": sum(attending) / n,
        "attending_all": float(all(attending)),
        "paragraphs": sum(any(a <= s < b for s, _ in spans) for a, b in ctx.paragraphs) / max(len(ctx.paragraphs), 1),
        "legal_name": float(any(len(m.text) >= 6 or "公司" in m.text for m in found)),
        "local_unit": float(any(m.unit for m in found)),
    }
    cues = [_cue(text, s, e, ctx) for s, e in spans]
    for cue in ("impersonated", "payment", "comparison", "contact", "statistic", "source_line"):
        features["cue_" + cue] = sum(c == cue for c in cues) / n
    features["cue_all_passing"] = float(all(cues))
    for word, weight in _neighbour_words(doc, spans, ctx).items():
        features[word] = weight / n
    for word, weight in _list_context_words(doc, spans, ctx).items():
        features[word] = weight / n
    for word, weight in _sentence_words(doc, spans, ctx).items():
        features[word] = weight / n
    return features


def _sentence_words(doc: Prepared, spans: list[tuple[int, int]], ctx: _Context) -> Counter:
    """The words of each mention's sentence, before it ("lw=") and after it ("rw="), once per
    mention: the verbs and nouns that say what the firm does or undergoes (获评, 前往…, …入驻), which
    need not stand next to the name. (Dev set, companies: 0.908 -> 0.943; a window of 10-60
    characters each side instead of the sentence measured lower.)"""
    words, offsets, found = doc.norm_words, ctx.offsets, Counter()
    for start, end in spans:
        begin, stop = _sentence(ctx, start)
        seen = set()
        i = bisect.bisect_left(offsets, begin)
        while i < len(words) and offsets[i] + len(words[i]) <= start:
            if is_word(words[i]):
                seen.add("lw=" + words[i])
            i += 1
        j = bisect.bisect_left(offsets, end)
        while j < len(words) and offsets[j] < stop:
            if is_word(words[j]):
                seen.add("rw=" + words[j])
            j += 1
        found.update(seen)
    return found


def _sentence(ctx: "_Context", start: int) -> tuple[int, int]:
    i = bisect.bisect_left(ctx.sentence_ends, start)
    begin = ctx.sentence_ends[i - 1] + 1 if i > 0 else 0
    return begin, ctx.sentence_ends[i] if i < len(ctx.sentence_ends) else len(ctx.text)


def _cue(text: str, start: int, end: int, ctx: "_Context") -> str:
    """The cue that a mention does not concern its firm ('' if none): impersonated, payment,
    comparison, contact (a phone number follows), statistic or source_line."""
    if IMPERSONATED.search(text, max(0, start - 12), start):
        return "impersonated"
    if PAYMENT.match(text, end):
        return "payment"
    if COMPARISON.search(text, max(0, start - 16), start):
        return "comparison"
    if CONTACT.match(text, end):
        return "contact"
    begin, stop = _sentence(ctx, start)
    line_start = text.rfind("\n", 0, start) + 1
    if SOURCE_LINE.match(text, line_start) and start - line_start < 40:
        return "source_line"
    if STATISTIC.search(text, begin, stop) and _firms_in(ctx, begin, stop) >= 2 \
            and not ANNOUNCES.match(text, _list_end(text, end, ctx.finishes)[0]):
        return "statistic"
    return ""


def _firms_in(ctx: "_Context", begin: int, stop: int) -> int:
    """How many names of firms stand in text[begin:stop] (a market statistic names several; a
    firm's own results name one)."""
    return sum(begin <= s < stop for s in ctx.finishes)


def _aside(text: str, start: int, end: int, ctx: "_Context") -> str:
    """Why a mention cannot concern its firm whatever the model scores ('' if it can): see
    models.aside (the mention's sentence, list and line are read here)."""
    joined = ctx.begins.get(start)         # a name written on to another (中国邮政EMS) is one member
    first, _ = _list_start(text, start if joined is None else joined, ctx.begins)
    last, _ = _list_end(text, end, ctx.finishes)
    line_start = text.rfind("\n", 0, start) + 1
    line_no = bisect.bisect_right([a for a, _ in ctx.paragraphs], start) - 1      # -1: the title
    around = Around(_sentence(ctx, start), first, last, _before_group_word(text, last), line_start, line_no)
    return mention_aside(text, start, end, around, ctx.related, ctx.fraud_story)


def mention_roles(doc: Prepared, mentions: list[Mention], concerned: dict[str, float]) -> list[Mention]:
    """Each mention with its role and its firm's score: a firm the article concerns is an actor
    (it opens a clause), a participant (one of a list) or an object; one it does not concern is
    impersonated, a payment label, or passing (statistics, comparisons, source lines, the rest,
    and the mentions set aside: `_aside`)."""
    if not mentions:
        return []
    ctx = _context(doc, [mention_full_span(doc, m) for m in mentions])
    out = []
    for m in mentions:
        start, end = mention_full_span(doc, m)
        cue = _cue(ctx.text, start, end, ctx)
        aside = _aside(ctx.text, start, end, ctx)
        score = concerned.get(m.company, 0.0)
        if m.company in concerned and cue not in ("impersonated", "payment") and not aside:
            role = "actor" if _starts_clause(ctx.text, start) or m.in_title else \
                "participant" if _in_list(ctx.text, start, end) or _before_group_word(ctx.text, end) else "object"
        else:
            role = cue if cue in ("impersonated", "payment") else "passing"
        out.append(replace(m, role=role, score=round(score, 4), aside=aside))
    return out


def mentions_to_lists(doc: Prepared, mentions: list[Mention]) -> list[frozenset[str]]:
    """The firms named together in one enumeration (邮政、顺丰、中通等企业; 申通、韵达和极兔; the
    members of a group name, 四通一达), one set per enumeration of two or more firms. GUIDE.md:
    every member of a list of firms that take part or are acted upon counts, so the members of
    one list share one fate."""
    spans = sorted((*mention_full_span(doc, m), m.company) for m in mentions)
    text, groups, current, last_end = doc.full, [], set(), None
    for start, end, company in spans:
        if last_end is not None and start >= last_end and not _listed_together(text, last_end, start):
            groups.append(current)
            current = set()
        current.add(company)
        last_end = end if last_end is None else max(last_end, end)
    groups.append(current)
    return [frozenset(g) for g in groups if len(g) >= 2]


def _listed_together(text: str, end: int, start: int) -> bool:
    """Two names with only a list joiner between them (and a short shared suffix: 中通快递上海区域、)."""
    gap = text[end:start]
    return 0 < len(gap) <= SUFFIX_MAX + 1 and gap[-1] in JOINERS and not any(c in CLAUSE_END for c in gap)


def _in_list(text: str, start: int, end: int) -> bool:
    """The name sits in an enumeration (next to 、 or followed closely by 等), quoted or not
    (“四通一达”、京东)."""
    start -= start > 0 and text[start - 1] in QUOTES
    end += end < len(text) and text[end] in QUOTES
    before, after = text[start - 1:start], text[end:end + 3]
    return before in LIST_MARKS or after[:1] in LIST_MARKS or after[:1] == "等"


def _before_group_word(text: str, end: int) -> bool:
    """The name is followed by …等…企业/品牌 or 及各…企业 (one of several named in passing)."""
    after = text[end:end + 14]
    for marker in GROUP_MARKERS:
        cut = after.find(marker)
        if cut >= 0 and any(w in after[cut:cut + len(marker) + 8] for w in GROUP_WORDS):
            return True
    return False


def _list_features(text: str, spans: list[tuple[int, int]], begins: dict[int, int],
                   finishes: dict[int, int]) -> dict[str, float]:
    """How the company's mentions sit in lists of names: a short list that opens a clause and acts
    (圆通速递、中通快递上海区域分别组织…) names subjects; a long enumeration names in passing."""
    subject = acting = short = long_ = 0.0
    for start, end in spans:
        first, before = _list_start(text, start, begins)
        last, after = _list_end(text, end, finishes)
        members = 1 + before + after
        opens = _starts_clause(text, first)
        acts = _joint_act(text, last)
        subject += opens
        acting += acts
        short += members > 1 and members <= 3 and (opens or acts)
        long_ += members >= 4
    n = len(spans)
    return {"list_subject": subject / n, "joint_act": acting / n, "short_list_subject": short / n,
            "long_list": long_ / n}


def _list_start(text: str, start: int, begins: dict[int, int]) -> tuple[int, int]:
    """Where the list of names holding the mention at `start` begins ("A、B上海区域和C" → A's start).

    `begins` maps the end of every mention to its start; a member may carry a short Han suffix
    (上海区域) before the joiner."""
    steps = 0
    while start > 1 and text[start - 1] in JOINERS and steps < 20:
        joiner = start - 1
        ends = [e for e in range(joiner, max(joiner - SUFFIX_MAX, 0) - 1, -1)
                if e in begins and _is_han(text[e:joiner])]
        if not ends:
            break
        start, steps = begins[ends[0]], steps + 1
    return start, steps


def _list_end(text: str, end: int, finishes: dict[int, int]) -> tuple[int, int]:
    """Where the list of names holding the mention ending at `end` ends (before the last member's
    suffix), and how many members follow the mention."""
    steps = 0
    while steps < 20:
        stop = end
        while stop < len(text) and stop - end < SUFFIX_MAX and _is_han(text[stop]) and text[stop] not in JOINERS:
            stop += 1
        nxt = next((i for i in range(end, stop + 1) if i < len(text) and text[i] in JOINERS
                    and i + 1 in finishes), None)
        if nxt is None:
            break
        end, steps = finishes[nxt + 1], steps + 1
    return end, steps


def _is_han(text: str) -> bool:
    """Empty or only Han characters (a member's suffix such as 上海区域)."""
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _joint_act(text: str, end: int) -> bool:
    """The list (or name) is followed, after a short suffix, by 分别/共同/联合…: its members act."""
    after = text[end:end + SUFFIX_MAX + 3]
    cut = next((i for i, ch in enumerate(after) if ch in CLAUSE_END), len(after))
    return any(word in after[:cut] for word in JOINT_ACTS)


def _attending(ctx: _Context, start: int) -> bool:
    """The mention's sentence says its organisations attended (参加会议, 出席, 列席…) after the name."""
    i = bisect.bisect_left(ctx.sentence_ends, start)
    stop = ctx.sentence_ends[i] if i < len(ctx.sentence_ends) else len(ctx.text)
    return ATTENDING.search(ctx.text, start, stop) is not None


def _starts_clause(text: str, start: int) -> bool:
    """The name opens a clause, usually as its subject."""
    return start == 0 or text[start - 1] in CLAUSE_END


def _neighbour_words(doc: Prepared, spans: list[tuple[int, int]], ctx: _Context) -> Counter:
    """Counts of the words just before and after each mention (on the normalised segmentation)."""
    words, offsets, found = doc.norm_words, ctx.offsets, Counter()
    for start, end in spans:
        i = bisect.bisect_left(offsets, start)          # the word starting at `start`
        if 0 < i < len(words) and offsets[i] == start:
            found["prev=" + words[i - 1]] += 1
        j = bisect.bisect_left(offsets, end)            # the word starting where the mention ends
        if j < len(words) and offsets[j] == end:
            found["next=" + words[j]] += 1
    return found


LIST_TAIL = re.compile(r"[等及和]?(?:[0-9一二三四五六七八九十两]+[家个])?(?:主要|重点|各)?"
                       r"(?:快递|寄递|物流)?(?:企业|品牌|公司|单位|网点)?(?:的)?")


def _list_context_words(doc: Prepared, spans: list[tuple[int, int]], ctx: _Context) -> Counter:
    """The words that govern a list of firms: the two words before its first member and the
    two after its last (past 等8家快递企业的): 检查/慰问 … are taken part in, 分布在/培育/包括 … are
    described. Only for mentions inside a list of two or more names."""
    words, offsets, found, text = doc.norm_words, ctx.offsets, Counter(), ctx.text
    for start, end in spans:
        first, before = _list_start(text, start, ctx.begins)
        last, after = _list_end(text, end, ctx.finishes)
        if before + after == 0:
            continue
        i = bisect.bisect_left(offsets, first)
        for k in (1, 2):
            if i - k >= 0 and offsets[min(i, len(offsets) - 1)] == first:
                found["lprev=" + words[i - k]] += 1
        tail = LIST_TAIL.match(text, last)
        j = bisect.bisect_left(offsets, tail.end() if tail else last)
        for k in (0, 1):
            if j + k < len(words):
                found["lnext=" + words[j + k]] += 1
    return found


@dataclass(frozen=True, slots=True)
class CompanyConfig:
    """Hyper-parameters of the 'does the article concern this company' classifier (C: 5-fold CV
    macro-F1 rises from C=0.3 to C=3 and is flat after it)."""

    C: float = 3.0
    folds: int = 5
    seed: int = 0


def build_company_pipeline(cfg: CompanyConfig) -> Pipeline:
    """Mention features → logistic regression."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    classifier = LogisticRegression(C=cfg.C, class_weight="balanced", max_iter=5000, random_state=cfg.seed)
    return Pipeline([("features", DictVectorizer(sparse=False)), ("clf", classifier)])


@dataclass(frozen=True, slots=True)
class CompanyModel:
    """The fitted classifier, its calibration (Platt, from out-of-fold scores) and threshold;
    companies never mentioned score 0."""

    labels: tuple[str, ...]
    pipeline: Pipeline | None
    threshold: float
    calibration: tuple[float, float] = (1.0, 0.0)

    def score(self, features: list[dict[str, dict[str, float]]]) -> np.ndarray:
        """Scores (n_docs × n_labels) from the per-company features of each article, in one batch."""
        scores = np.zeros((len(features), len(self.labels)))
        pairs = [(i, key) for i, per_doc in enumerate(features) for key in per_doc if key in self.labels]
        if not pairs:
            return scores
        if self.pipeline is None:
            proba = np.ones(len(pairs))
        else:
            from models.topics import positive_proba
            X = self.pipeline.named_steps["features"].transform([features[i][key] for i, key in pairs])
            proba = calibrate(positive_proba(self.pipeline.named_steps["clf"], X), self.calibration)
        for (i, key), p in zip(pairs, proba):
            scores[i, self.labels.index(key)] = p
        return scores


def train_company_model(features: list[dict[str, dict[str, float]]], gold: list[set[str]],
                        labels: tuple[str, ...], cfg: CompanyConfig) -> tuple[CompanyModel, list[set[str]]]:
    """Fit on (article, mentioned company) pairs, threshold from K-fold; also the K-fold sets per article."""
    from models.topics import choose_thresholds, fit_platt
    pairs = [(i, key) for i, per_doc in enumerate(features) for key in per_doc]
    rows = [features[i][key] for i, key in pairs]
    y = np.array([key in gold[i] for i, key in pairs], dtype=bool)
    if len(set(y.tolist())) < 2:
        chosen = [set(per_doc) if y.all() else set() for per_doc in features]
        return CompanyModel(labels, None, 0.5 if y.all() else 1.1), chosen
    raw = _out_of_fold(cfg, rows, y)
    calibration = fit_platt(y, raw)
    oof = calibrate(raw, calibration)
    threshold = choose_thresholds(y[:, None], oof[:, None])[0]
    chosen: list[set[str]] = [set() for _ in features]
    for (i, key), score in zip(pairs, oof):
        if score >= threshold:
            chosen[i].add(key)
    return CompanyModel(labels, build_company_pipeline(cfg).fit(rows, y), threshold, calibration), chosen


def _out_of_fold(cfg: CompanyConfig, rows: list[dict], y: np.ndarray) -> np.ndarray:
    """K-fold scores of every candidate pair."""
    from sklearn.base import clone
    from sklearn.model_selection import KFold
    scores = np.zeros(len(rows))
    folds = KFold(n_splits=min(cfg.folds, len(rows)), shuffle=True, random_state=cfg.seed)
    for fit_idx, held_idx in folds.split(rows):
        if len(set(y[fit_idx].tolist())) < 2:
            scores[held_idx] = float(y[fit_idx][0])
            continue
        model = clone(build_company_pipeline(cfg)).fit([rows[i] for i in fit_idx], y[fit_idx])
        scores[held_idx] = model.predict_proba([rows[i] for i in held_idx])[:, 1]
    return scores
