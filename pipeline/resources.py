"""The resources every entry point opens, wired across stages: a corpus with the search word
segmenter, an analyst's notebook that resolves company names, the model home checked."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from corpus.notebook import Notebook
from corpus.store import Corpus
from errors import ModelNotFound, NoCorpus


def _segment(text: str) -> str:
    from models.tokenize import segment_for_search      # deferred: jieba loads in ~0.5 s
    return segment_for_search(text)


def open_corpus(path: str | Path, create: bool = True) -> Corpus:
    """The corpus at `path` with jieba as its search segmenter; created if absent unless
    `create` is False (then a missing file is NoCorpus, which suggests the fix)."""
    if not create and not Path(path).exists():
        raise NoCorpus(path=path, hint=_near_corpora(Path(path)))
    return Corpus.open(path, segment=_segment)


def _near_corpora(path: Path) -> str:
    """The hint for a missing corpus: databases next to it, or how to make one."""
    import difflib
    here = sorted(p.name for p in (path.parent if path.parent.is_dir() else Path(".")).glob("*.db"))
    close = difflib.get_close_matches(path.name, here, n=1)
    if close:
        return f"did you mean --db {path.parent / close[0]}?"
    return "import documents first (`jianbao ingest FILES --db PATH`), or check --db / JIANBAO_DB"


def memory_corpus() -> Corpus:
    """A throwaway in-memory corpus with the search segmenter (tests, notebooks)."""
    return Corpus.in_memory(segment=_segment)


@lru_cache(maxsize=1)
def _company_matcher():
    from models import load_taxonomy
    from models.companies import build_alias_matcher
    return build_alias_matcher(load_taxonomy())


def resolve_company(name: str) -> str | None:
    """A company name as printed in a 来稿及刊用情况 table -> its taxonomy key (None if unknown)."""
    from models.companies import text_to_alias_spans
    spans = text_to_alias_spans(_company_matcher(), name, frozenset(range(len(name) + 1)))
    return spans[0][0] if spans else None


def notebook(corpus: Corpus) -> Notebook:
    """The analyst's DataFrame API over an open corpus, company names resolved by the taxonomy."""
    return Notebook(corpus, resolve_company)


def checked_models_dir(models_dir: Path) -> Path:
    """Fail before any work if there is no active model to tag with."""
    from models import active_version
    if not active_version(models_dir):
        raise ModelNotFound(f"no trained model in {models_dir}: run `jianbao train` (or ingest with --no-tag)")
    return models_dir


def resolve_filters(topic: str | None = None, company: str | None = None) -> tuple[str | None, str | None]:
    """The --topic / --company a user typed (key, Chinese name or alias) as taxonomy keys; a
    wrong name is an UnknownLabel with a suggestion, never an empty answer."""
    if not topic and not company:
        return None, None                        # nothing to check: no taxonomy (and no sklearn) loaded
    from models import resolve_label
    return (resolve_label("topic", topic) if topic else None,
            resolve_label("company", company) if company else None)
