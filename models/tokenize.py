"""Word segmentation (a private jieba tokenizer) and Traditional→Simplified normalisation.

This is the only module that imports jieba. The global `jieba.dt` is never initialised or
changed: each dictionary (a tuple of extra words) gets its own `jieba.Tokenizer`, built on first
use and kept for the life of the process, with its cache file in a directory we choose.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

USERDICT_PATH = Path(__file__).resolve().parent / "userdict.txt"
USER_WORD_FREQ = 5000        # strong enough that industry terms and aliases stay whole


def default_cache_dir() -> Path:
    """Where jieba's prefix-dictionary cache lives unless a caller says: the per-user cache folder
    (a cache only: deleting it costs a second at the next start)."""
    import platformdirs
    return Path(platformdirs.user_cache_dir("jianbao", appauthor=False))


def load_userdict(path: str | Path | None = None) -> tuple[str, ...]:
    """Read a user dictionary: one word per line (optional frequency), `#` comments."""
    lines = Path(path or USERDICT_PATH).read_text(encoding="utf-8").splitlines()
    words = (line.split()[0] for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return tuple(dict.fromkeys(words))


def build_tokenizer(words: tuple[str, ...] = (), cache_dir: str | Path | None = None):
    """A fresh private jieba.Tokenizer with `words` added (its cache file in `cache_dir`)."""
    tokenizer = _memo_tokenizer_class()()
    directory = Path(cache_dir) if cache_dir else default_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.tmp_dir = str(directory)
    with _quiet_jieba():
        tokenizer.initialize()
    for word in words:
        if word.strip():
            tokenizer.add_word(word.strip(), freq=USER_WORD_FREQ)
    return tokenizer


@lru_cache(maxsize=1)
def _memo_tokenizer_class():
    """jieba.Tokenizer whose route scoring remembers each word's log-probability.

    jieba's `calc` takes log(FREQ[word]) − log(total) afresh for every candidate word at every
    position, and that is 40% of segmentation time; here the value is computed once per word (and
    forgotten when `add_word` changes the totals). Same arithmetic, same order, so the same cuts
    as jieba (tests/models/test_models_text.py compares them). `get_DAG` is jieba's loop with
    one lookup per prefix where jieba does two; `cut(..., HMM=False)` (the tagger's) runs
    `cut_words`, which finds the words and the best route in one pass and returns a list."""
    from math import log

    jieba = _import_jieba()
    han, skip = jieba.re_han_default, jieba.re_skip_default

    class MemoTokenizer(jieba.Tokenizer):
        def get_DAG(self, sentence):            # jieba's, with the dictionary in a local name
            self.check_initialized()
            freq, dag, n = self.FREQ, {}, len(sentence)
            # one lookup where jieba does `in` then `[]`; a LazyFreq's answers so far are read
            # from its dict directly, the dictionary file only for a word not seen before
            peek, get = getattr(freq, "known", freq).get, freq.get
            for k in range(n):
                ends, i, frag = [], k, sentence[k]
                while i < n:
                    value = peek(frag, _UNSEEN)
                    if value is _UNSEEN:
                        value = get(frag)
                    if value is None:
                        break
                    if value:
                        ends.append(i)
                    i += 1
                    frag = sentence[k:i + 1]
                dag[k] = ends or [k]
            return dag

        def calc(self, sentence, DAG, route):
            N = len(sentence)
            route[N] = (0, 0)
            memo = self.__dict__.get("_memo")
            if memo is None or memo[0] != self.total:
                memo = self._memo = (self.total, log(self.total), {})
            _, logtotal, logp = memo
            freq = self.FREQ
            for idx in range(N - 1, -1, -1):
                best = None
                for x in DAG[idx]:
                    word = sentence[idx:x + 1]
                    value = logp.get(word)
                    if value is None:
                        value = logp[word] = log(freq.get(word) or 1) - logtotal
                    candidate = (value + route[x + 1][0], x)
                    if best is None or candidate > best:
                        best = candidate
                route[idx] = best

        def cut(self, sentence, cut_all=False, HMM=True, use_paddle=False):
            if cut_all or HMM or use_paddle:
                return super().cut(sentence, cut_all, HMM, use_paddle)
            return iter(self.cut_words(jieba.strdecode(sentence)))

        def cut_words(self, sentence: str) -> list[str]:
            """jieba's `cut(sentence, HMM=False)` as a list: the same blocks, routes and cuts."""
            self.check_initialized()
            out, in_run = [], False
            for block in han.split(sentence):           # the runs of Han/alnum (captured) at odd places
                if block and in_run:
                    self._cut_block(block, out)
                elif block:
                    for k, part in enumerate(skip.split(block)):
                        if k % 2:                       # a whitespace run, whole
                            out.append(part)
                        else:
                            out.extend(part)            # anything else, one character a token
                in_run = not in_run
            return out

        def add_word(self, word, freq=None, tag=None):
            super().add_word(word, freq, tag)
            self.__dict__.pop("_table", None)       # a word added or deleted: routes read afresh

        def _route_table(self) -> tuple[float, dict]:
            """(log total, fragment → its log-probability if a word, False if only the start of
            one, None if neither), kept while the dictionary and its total stay the same."""
            table = self.__dict__.get("_table")
            if table is None or table[0] is not self.FREQ or table[1] != self.total or \
                    len(table[3]) > ROUTE_TABLE_MAX:
                table = self._table = (self.FREQ, self.total, log(self.total), {})
            return table[2], table[3]

        def _cut_block(self, block: str, out: list[str]) -> None:
            """jieba's get_DAG, calc and __cut_DAG_NO_HMM in one pass over a block: the best route
            from the end backwards (ties to the longer word, as jieba's max over (score, end)).
            Where no word starts, the character alone scores log(1) − log(total), as in calc."""
            logtotal, table = self._route_table()
            look, n = table.get, len(block)
            score, end = [0.0] * (n + 1), [0] * n
            for k in range(n - 1, -1, -1):
                best, best_end, i, frag = -_INF, k, k, block[k]
                while True:
                    p = look(frag, _UNSEEN)
                    if p is _UNSEEN:
                        p = table[frag] = self._fragment_logp(frag, logtotal)
                    if p is None:
                        break
                    if p is not False and p + score[i + 1] >= best:
                        best, best_end = p + score[i + 1], i
                    i += 1
                    if i == n:
                        break
                    frag = block[k:i + 1]
                if best == -_INF:
                    best = score[k + 1] - logtotal
                score[k], end[k] = best, best_end
            _route_to_words(block, end, out)

        def _fragment_logp(self, frag: str, logtotal: float) -> float | bool | None:
            value = self.FREQ.get(frag)
            if value is None:
                return None
            return log(value) - logtotal if value else False

    return MemoTokenizer


_UNSEEN = object()
_INF = float("inf")
ROUTE_TABLE_MAX = 1_000_000     # fragments whose route value a tokenizer remembers before starting again
_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")   # jieba's re_eng


def _route_to_words(block: str, end: list[int], out: list[str]) -> None:
    """Follow the route's word ends; single Latin letters and digits in a row join into one token
    (jieba's __cut_DAG_NO_HMM)."""
    x, n, buf = 0, len(block), ""
    while x < n:
        y = end[x] + 1
        if y == x + 1 and block[x] in _ENG:
            buf += block[x]
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(block[x:y])
        x = y
    if buf:
        out.append(buf)


def _import_jieba():
    """jieba, imported without pkg_resources: jieba 0.42 imports it only to open its own data
    files and falls back to plain paths without it; importing it costs 0.1-0.3 s per process."""
    import sys
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None          # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


@lru_cache(maxsize=8)
def load_tokenizer(words: tuple[str, ...] = (), cache_dir: str | None = None):
    """The process-wide tokenizer for this dictionary (built once, then reused); it reads the
    dictionary on demand from a SQLite copy (models.wordfreq), written the first time."""
    return lazy_tokenizer(words, cache_dir)


def lazy_tokenizer(words: tuple[str, ...] = (), cache_dir: str | Path | None = None):
    """A tokenizer with `words` added whose dictionary is read word by word from its SQLite copy
    in `cache_dir`; when there is none yet, the full tokenizer is built, written there, and
    returned (a cache folder that cannot be written costs the full load each time, nothing else)."""
    from models.wordfreq import CacheError, cache_key, open_freq, write_freq
    jieba = _import_jieba()
    directory = Path(cache_dir) if cache_dir else default_cache_dir()
    words = tuple(w.strip() for w in words if w.strip())
    key = cache_key(jieba.__version__, Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME, words,
                    USER_WORD_FREQ)
    path = directory / f"jieba-{key}.sqlite"
    opened = open_freq(path)
    if opened is None:
        full = build_tokenizer(words, directory)
        try:
            write_freq(path, full.FREQ, full.total)
        except (OSError, CacheError):
            pass
        return full
    tokenizer = _memo_tokenizer_class()()
    tokenizer.FREQ, tokenizer.total = opened
    tokenizer.initialized = True
    return tokenizer


def text_to_tokens(text: str, words: tuple[str, ...] = (), hmm: bool = False) -> list[str]:
    """Segment text into words; every character of `text` is in exactly one token, in order."""
    tokenizer = load_tokenizer(words)
    if not hmm:
        return tokenizer.cut_words(text)
    return [token for token in tokenizer.cut(text, HMM=hmm) if token]


def segment_for_search(text: str) -> str:
    """Text as FTS5 tokens: Simplified, jieba's search mode (words and their sub-words), spaced.

    SQLite's unicode61 tokenizer cannot split Chinese; indexing and querying through this one
    function keeps both sides identical.
    """
    tokenizer = load_tokenizer(search_words())
    tokens = tokenizer.cut_for_search(to_simplified(text), HMM=False)
    return " ".join(t for t in tokens if any(ch.isalnum() for ch in t))


@lru_cache(maxsize=1)
def search_words() -> tuple[str, ...]:
    """The search dictionary: the models' dictionary for the default taxonomy."""
    from models.taxonomy import load_taxonomy
    return dictionary_words(load_taxonomy())


def dictionary_words(taxonomy) -> tuple[str, ...]:
    """The segmenter's extra words: the user dictionary plus every name in the taxonomy."""
    return tuple(dict.fromkeys(load_userdict() + taxonomy.words()))


def to_simplified(text: str) -> str:
    """Traditional→Simplified Chinese (OpenCC t2s); texts with nothing to convert are returned as is."""
    chars = _traditional_chars()
    if chars.isdisjoint(text):
        return text
    converter = _t2s()
    pieces = getattr(converter, "split_chars_re", None)
    if pieces is None:
        return converter.convert(text)
    # OpenCC.convert converts the pieces between its separators one by one (a separator stays
    # as it is); a piece with nothing to convert is kept without building its parse tree
    return "".join(piece if k % 2 or chars.isdisjoint(piece) else converter._convert(piece, converter._dict_chain_data)
                   for k, piece in enumerate(pieces.split(text)))


@lru_cache(maxsize=1)
def _t2s():
    """The OpenCC converter, built on first use."""
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters without which t2s leaves a text unchanged (all, if OpenCC's tables are not found)."""
    # Every character the table changes, plus one character of each changed phrase made only of
    # other characters (a rare one such as 瞭 of 瞭解, else the first: 沈 of 沈默).
    import opencc

    folder = Path(opencc.__file__).resolve().parent / "dictionary"
    try:
        chars = _read_table(folder / "TSCharacters.txt")
        phrases = _read_table(folder / "TSPhrases.txt")
    except OSError:
        return _Everything()
    changing = {key for key, target in chars.items() if key != target}
    kept = set(chars) - changing
    loose = (key for key, target in phrases.items() if key != target and changing.isdisjoint(key))
    return frozenset(changing | {next((ch for ch in key if ch in kept), key[0]) for key in loose})


def _read_table(path: Path) -> dict[str, str]:
    """An OpenCC table: source string → its first target."""
    pairs = (line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return {key: (targets.split() or [key])[0] for key, targets in pairs}


class _Everything(frozenset):
    """A set that meets every text: forces conversion when OpenCC's tables cannot be read."""

    def isdisjoint(self, other) -> bool:
        return False


@contextmanager
def _quiet_jieba():
    """Silence jieba's 'Building prefix dict' debug lines while a dictionary loads."""
    logger = logging.getLogger("jieba")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
