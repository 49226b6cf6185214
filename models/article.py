"""An article prepared once for every model: normalised text and its words, segmented a single time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from models.tokenize import text_to_tokens, to_simplified

TITLE_SEP = "\n"

# Mirror sites print pinyin after some characters of a Traditional text: 發(fā)展, 網(wǎng)絡. The
# annotation cuts every word it sits in two, so it is dropped before anything reads the text
# (like the title's whitespace, it is typesetting, not text; mention offsets refer to the text
# without it).
RUBY_RE = re.compile(r"[(（](?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*)[)）]")


def strip_ruby(text: str) -> str:
    """The text without pinyin annotations after characters (發(fā)展 → 發展)."""
    return RUBY_RE.sub("", text) if "(" in text or "（" in text else text


@dataclass(frozen=True, slots=True)
class Prepared:
    """Title and text, their Simplified form and words; `full` = title + "\\n" + text."""

    title: str
    text: str
    norm_full: str
    words: tuple[str, ...]        # segmentation of `full`: the words concatenate to it exactly
    norm_words: tuple[str, ...]   # segmentation of `norm_full` (the same cuts when lengths agree)
    title_at: int = -1            # untitled input: where the headline taken as title stood in the
    text_at: int = 0              # caller's text, and where `text` begins in it (offsets map back)

    @property
    def full(self) -> str:
        return self.title + TITLE_SEP + self.text

    @property
    def title_end(self) -> int:
        return len(self.title)

    @property
    def text_start(self) -> int:
        return len(self.title) + len(TITLE_SEP)


HEADLINE_MAX = 40           # characters: a first line this short, not ending a sentence, is a headline
HEADLINE_MIN_HAN = 4        # Chinese characters a headline has at least (not a date, a tool link, `![]()`)
HEADLINE_LOOK = 6           # lines of a web page's top searched for the headline
LABEL_MAX = 7               # characters: a line this short before a headline is a column label (科技信息)
# the lines a web page puts above its headline: breadcrumbs, source, date and editor lines, tools,
# and a newspaper's byline (记者 X 通讯员 Y) opening the text
PAGE_CHROME = re.compile(r"当前位置|您的位置|现在位置|所在的?位置|首页\s*[>＞»/]|欢迎访问|来源[:：]|來源[:：]|"
                         r"发布时间|發布時間|日期[:：]|责任编辑|責任編輯|编辑[:：]|浏览(?:次数|量|[:：])|字号\s*[:：大]|分享到|"
                         r"打印本页|关闭窗口|"
                         r"(?:[>＞»]{1,2}[^>＞»]+){2}|(?:\|[^|]+){2}|"           # breadcrumbs, a row of links
                         r"主办$|主辦$|正文$|评论\s*[(（]\d|評論\s*[(（]\d|查看原文|查看更多|"   # site lines, tools
                         r"(?:供图|供圖|摄影?|攝影?|图片来源|圖片來源)$|"                  # a photo caption
                         r"^\s*[（(][^）)]*[）)]\s*$|"                                 # an aside in brackets: (资料图片)
                         r"^(?:[\u4e00-\u9fff]{2,3}\s+)+[\u4e00-\u9fff]{2,3}$|"      # names alone: a byline
                         r"^\s*[（(]?\s*(?:本报)?(?:记者|記者|通讯员|通訊員)\s*[\u4e00-\u9fff]{2,3}(?:\s|$|[（(）)、，,])")   # a byline
HAN = re.compile(r"[\u4e00-\u9fff]")
DATETIME = re.compile(r"\d{2,4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?|"
                      r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?|星期.|周[一二三四五六日天]")


def split_headline(text: str) -> tuple[str, str]:
    """An article given without a title (a web page, a search excerpt) usually starts with its
    headline: a short line that does not end a sentence, on the first line or below the page's
    chrome (breadcrumbs, source and date lines, site tools, photo captions, a column label).
    (headline, the text below it), or ("", text). The chrome above the headline is no part of the
    article the models read: kept, it changed the topics of 12 of 153 articles of ours given a
    source-and-date line above their headline."""
    lines = text.lstrip().split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()][:HEADLINE_LOOK]
    for k, i in enumerate(filled):
        line = lines[i].strip()
        following = [lines[j].strip() for j in filled[k + 1:]]
        if is_page_chrome(line) or len(line) <= LABEL_MAX and following and \
                _is_headline(following[0]) and len(following[0]) > len(line):
            continue
        if _is_headline(line) and "".join(lines[i + 1:]).strip():
            return line, "\n".join(lines[i + 1:])
        break
    return "", text


def is_page_chrome(line: str) -> bool:
    """Whether a line is a web page's or newspaper's furniture rather than its headline: see
    PAGE_CHROME; also a date or time line (日期查询:2022年06月22日, 2023-03-14 14:06), where what is
    left without the date has fewer Chinese characters than a headline."""
    if PAGE_CHROME.search(line):
        return True
    return bool(DATETIME.search(line)) and len(HAN.findall(DATETIME.sub("", line))) < HEADLINE_MIN_HAN + 1


def _is_headline(line: str) -> bool:
    return 4 <= len(line) <= HEADLINE_MAX and line[-1] not in "。！？；：，,.;:!?" and \
        len(HAN.findall(line)) >= HEADLINE_MIN_HAN


# the label of a web page's list of other articles (相关阅读：), or a link to the previous or next one
RELATED_LABEL = re.compile(r"^[【\[<《]?\s*(?:相关(?:阅读|新闻|文章|链接|报道|推荐|资讯|稿件)|(?:推荐|延伸|扩展)阅读|"
                           r"往期(?:回顾|推荐|精选)|(?:热门|热点|精彩|最新|为你|编辑)(?:文章|新闻|推荐|排行)|"
                           r"猜你喜欢|大家都在看|阅读排行|更多(?:新闻|阅读|资讯))\s*[】\]>》]?\s*(?:[:：]?$|[:：|丨｜])|"
                           r"^[【\[]?(?:上一篇|下一篇)[】\]]?\s*[:：]")
TEASERS_MIN = 2             # headline + cut-off lead pairs that make a page's list of other articles
TEASER_MIN = 15             # characters of a teaser's lead
TEASER_MARKS = "，,、：:“\"（("   # a lead is a sentence cut short: it has clause marks (a list of names has none)
SENTENCE_FINAL = "。！？!?；;"
PARAGRAPH_OWN = 40          # characters of a line ending as a sentence: the article's own paragraph
CLOSERS = "”’」』）)\"'"


def related_start(text: str) -> int:
    """Where a web page's list of other articles begins at the end of an article's text, or
    len(text): from a label line (相关阅读, 推荐阅读, 上一篇：…), or at least two headlines at the
    end, each followed by its lead cut off mid-sentence (at most a line, no full stop). A name
    in that list belongs to another article."""
    starts, offset = [], 0
    lines = text.split("\n")
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for k, i in enumerate(filled[1:], 1):
        if RELATED_LABEL.search(lines[i].strip()) and not any(_is_paragraph(lines[j]) for j in filled[k + 1:]):
            return starts[i]
    pairs, k = 0, len(filled) - 1
    while k >= 1 and _is_teaser(lines[filled[k]].strip()) and _is_headline(lines[filled[k - 1]].strip()):
        pairs, k = pairs + 1, k - 2
    return starts[filled[k + 1]] if pairs >= TEASERS_MIN and k >= 0 else len(text)


def _is_paragraph(line: str) -> bool:
    """A paragraph of the article's own: a sentence or more that ends as one (a label found above
    such a paragraph is a sidebar amid the text, not the end of the page)."""
    bare = line.strip().rstrip(CLOSERS)
    return len(bare) >= PARAGRAPH_OWN and bare[-1] in SENTENCE_FINAL


def _is_teaser(line: str) -> bool:
    """A lead cut off: a clause or more of a sentence (TEASER_MARKS) that does not end as one, or ends …"""
    bare = line.rstrip(CLOSERS)
    cut = bare.endswith(("…", "...")) or not bare or bare[-1] not in SENTENCE_FINAL
    return cut and len(line) >= TEASER_MIN and any(mark in line for mark in TEASER_MARKS)


def article_to_prepared(title: str, text: str, words: tuple[str, ...] = (), hmm: bool = False) -> Prepared:
    """Normalise and segment one article (jieba runs once unless t2s changed the length); with no
    title, a headline on the first line of the text is the title."""
    title = " ".join(strip_ruby(str(title or "")).split())
    text = strip_ruby(str(text or ""))
    title_at, text_at = -1, 0
    if not title:
        given = text
        title, text = split_headline(given)
        if title:
            title_at, text_at = given.find(title), len(given) - len(text)
        title = " ".join(title.split())
    full = title + TITLE_SEP + text
    norm = to_simplified(full)
    norm_words = tuple(text_to_tokens(norm, words, hmm))
    if norm == full:                    # nothing was Traditional: the same words
        original = norm_words
    elif len(norm) == len(full):
        original = tuple(_cut_like(full, norm_words))
    else:
        original = tuple(text_to_tokens(full, words, hmm))
    return Prepared(title, text, norm, original, norm_words, title_at, text_at)


def item_to_title_text(item) -> tuple[str, str]:
    """Accept (title, text) pairs, mappings with title/text keys, or objects with those attributes."""
    if isinstance(item, tuple | list):
        return str(item[0] or ""), str(item[1] or "")
    if isinstance(item, dict):
        return str(item.get("title") or ""), str(item.get("text") or "")
    return str(getattr(item, "title", "") or ""), str(getattr(item, "text", "") or "")


def _cut_like(text: str, tokens: Iterable[str]) -> Iterable[str]:
    """Cut `text` at the same offsets as `tokens` (a same-length segmentation)."""
    start = 0
    for token in tokens:
        yield text[start:start + len(token)]
        start += len(token)
