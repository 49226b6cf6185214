"""Pure text rules for OCR output: full-width punctuation in Chinese context, and the width
of a text in ems (from which the OCR path estimates font sizes)."""

from __future__ import annotations

import functools
import re

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2026"
CJK_CHAR_RE = re.compile(f"[{_HAN}{_CJK_PUNCT}]")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}


def cjk(ch: str) -> bool:
    """A Han character or CJK punctuation."""
    return bool(ch) and bool(CJK_CHAR_RE.match(ch))


def normalise_text(text: str) -> str:
    """OCR text in Chinese context gets full-width punctuation; Latin/number context keeps ASCII.

    `,;:!?` next to a CJK character become `，；：！？` (not between two digits: 10:30, 1,000);
    a bracket pair becomes `（）` if it encloses or touches CJK text.
    """
    text = text.strip()
    chars = list(text)
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch not in ",;:!?":
            continue
        prev = chars[i - 1] if i else ""
        nxt = chars[i + 1] if i + 1 < n else ""
        if prev.isdigit() and nxt.isdigit() and prev.isascii() and nxt.isascii():
            continue
        if cjk(prev) or cjk(nxt) or (prev and not nxt and _cjk_context(chars, i)):
            chars[i] = _FULL[ch]
    stack: list[int] = []
    for i, ch in enumerate(chars):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            j = stack.pop()
            inner = "".join(chars[j + 1:i])
            outer = (chars[j - 1] if j else "") + (chars[i + 1] if i + 1 < n else "")
            if any(cjk(c) for c in inner) or any(cjk(c) for c in outer) or chars[j] == "（" \
                    or chars[i] == "）":
                chars[j], chars[i] = "（", "）"
    for j in stack:                              # an unmatched bracket: judge by its neighbours
        if chars[j] == "(" and ((j + 1 < n and cjk(chars[j + 1])) or (j and cjk(chars[j - 1]))):
            chars[j] = "（"
    for i, ch in enumerate(chars):
        if ch == ")" and ((i and cjk(chars[i - 1])) or (i + 1 < n and cjk(chars[i + 1]))):
            chars[i] = "）"
    out = "".join(chars)
    # 一 touching an Arabic digit is a dash: 4月1日一6月30日 -> 4月1日—6月30日, — 4 —
    return DIGIT_DASH_RE.sub("—", out)


DIGIT_DASH_RE = re.compile(r"(?<=[0-9])一|一(?=[0-9])")
LEADING_DASH_RE = re.compile(r"^[一—－\-―]+")


def _cjk_context(chars: list[str], i: int) -> bool:
    return sum(cjk(c) for c in chars[max(0, i - 4):i]) >= 2


def em_width(text: str) -> float:
    """Advance of a text in ems: CJK and full-width forms 1, Latin letters and digits ~0.55."""
    total = 0.0
    for ch in text:
        if ch.isspace():
            total += 0.25
        elif cjk(ch) or ord(ch) > 0x2e7f:
            total += 1.0
        elif ch in ".,:;'|!`":
            total += 0.27
        elif ch in "-()[]/\"":
            total += 0.33
        elif ch in "%@&#":
            total += 0.85
        else:
            total += 0.55
    return total


# Ink is narrower than the advance: CJK glyphs leave ~0.06 em each side, and punctuation that
# sits in one side of its em box (，。、 at the left; “（《 at the right) leaves more.
_LEFT_HEAVY = "，。、；：！？”’）》」』】〕"
_RIGHT_HEAVY = "“‘（《「『【〔"


def ink_ems(text: str) -> float:
    """The width in ems that a line's ink (not its advance) spans."""
    text = text.strip()
    if not text:
        return 0.0
    ems = em_width(text) - 0.12
    if text[-1] in _LEFT_HEAVY:
        ems -= 0.6
    if text[0] in _RIGHT_HEAVY:
        ems -= 0.6
    return max(ems, 0.3)


LIST_SPLIT_RE = re.compile(r"[，、,；;]")


def split_recipients(text: str) -> list[str]:
    """A 报/送 line's recipients: split on Chinese and Western commas and semicolons."""
    return [part.strip() for part in LIST_SPLIT_RE.split(text) if part.strip()]


# Latin-1 signs Chinese documents use (§ ° ± · × ÷ and the no-break space) are not mojibake.
_LATIN1_SIGNS = set("\u00a0\u00a7\u00b0\u00b1\u00b7\u00d7\u00f7")


def common_han(ch: str) -> bool:
    """A Han character in everyday use: in GB2312 (6,763 simplified) or Big5's frequent level
    (5,401 traditional, 0xA440-0xC67E). Mojibake lands in the rare rest about half the time."""
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        code = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= int.from_bytes(code, "big") <= 0xC67E


@functools.lru_cache(maxsize=1 << 16)       # a page repeats its characters: ask once each
def _suspicious(ch: str) -> bool:
    code = ord(ch)
    if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
        return not common_han(ch)
    if 0x80 <= code <= 0x24F:                       # GBK bytes read as Latin-1: 'ÉÏº£'
        return ch not in _LATIN1_SIGNS
    return code < 0x20 and ch not in "\t\n\r" or 0xE000 <= code <= 0xF8FF or ch == "\ufffd"


def garbled_share(text: str) -> float:
    """Share of a text's non-space characters that a sound Chinese text layer does not produce:
    rare Han characters, Latin-1 letters, control, private-use and replacement characters."""
    ink = [ch for ch in text if not ch.isspace()]
    return sum(map(_suspicious, ink)) / len(ink) if ink else 0.0
