"""The `tag` section of python -m bench: tagging throughput on one core, jieba's share, training times."""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ARTICLE_CHARS = 800
BATCH = 64


def bench_tag(data_dir: str | Path | None = None, n_articles: int = 800, scale: int = 10, seed: int = 0) -> dict:
    """Train on the default data and on `scale`× it, then time tagging ~800-char articles on one core."""
    from models.train import load_examples

    examples = load_examples(data_dir)
    with tempfile.TemporaryDirectory() as tmp, _one_core():
        base = _timed_training(data_dir, Path(tmp) / "base", seed, ())
        tagging = _bench_tagging(Path(tmp) / "base", examples, n_articles)
        extra = perturbed_copies(examples, scale - 1, seed)
        scaled = _timed_training(data_dir, Path(tmp) / "scaled", seed, extra)
    return {
        **tagging,
        "train_seconds": base["seconds"], "train_examples": base["examples"],
        f"train_seconds_x{scale}": scaled["seconds"], f"train_examples_x{scale}": scaled["examples"],
        "test_topic_macro_f1": base["topic_macro_f1"], "test_company_macro_f1": base["company_macro_f1"],
    }


def _timed_training(data_dir, models_dir: Path, seed: int, extra) -> dict:
    """Wall time of one `train_models` run."""
    from models.train import train_models

    started = time.perf_counter()
    info = train_models(data_dir, models_dir, seed=seed, extra_examples=extra)
    return {"seconds": round(time.perf_counter() - started, 2), "examples": info.n_train + info.n_test,
            "topic_macro_f1": info.test.topics.macro_f1, "company_macro_f1": info.test.companies.macro_f1}


def _bench_tagging(models_dir: Path, examples, n_articles: int) -> dict:
    """Articles/second (per CPU second and per wall second) for tag_many and tag, and jieba's share."""
    from models.tagger import Tagger

    tagger = Tagger.load(models_dir)
    articles = [(e.title, to_length(e.text, ARTICLE_CHARS)) for e in _cycle(examples, n_articles)]
    tagger.tag_many(articles[:8])                                    # warm caches
    batched = _clock(_tag_batches, tagger, articles)
    single = _clock(_tag_one_by_one, tagger, articles[:200])
    jieba = _clock(_segment_only, tagger, articles)
    return {"articles": len(articles), "chars_per_article": ARTICLE_CHARS,
            "articles_per_cpu_second": round(len(articles) / batched["cpu"], 1),
            "articles_per_wall_second": round(len(articles) / batched["wall"], 1),
            "articles_per_cpu_second_one_by_one": round(200 / single["cpu"], 1),
            "jieba_share": round(jieba["cpu"] / batched["cpu"], 3)}


def _clock(function, *args) -> dict:
    """CPU and wall seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def _tag_batches(tagger, articles) -> None:
    for i in range(0, len(articles), BATCH):
        tagger.tag_many(articles[i:i + BATCH])


def _tag_one_by_one(tagger, articles) -> None:
    for title, text in articles:
        tagger.tag(title, text)


def _segment_only(tagger, articles) -> None:
    """What jieba alone costs on the same articles (the Traditional check included)."""
    from models.tokenize import load_tokenizer, to_simplified

    tokenizer = load_tokenizer(tagger.model.words)
    for title, text in articles:
        list(tokenizer.cut(to_simplified(title + "\n" + text), HMM=tagger.model.hmm))


def to_length(text: str, n: int) -> str:
    """Repeat or cut a text to exactly n characters."""
    while len(text) < n:
        text = text + "\n" + text
    return text[:n]


def _cycle(items, n: int) -> list:
    """The first n items of items repeated."""
    return [items[i % len(items)] for i in range(n)]


def perturbed_copies(examples, copies: int, seed: int = 0) -> list:
    """`copies` altered duplicates of every example (new ids, shuffled paragraphs, changed digits)."""
    rng = random.Random(seed)
    return [replace(e, id=f"{e.id}~{k}", text=_perturb(e.text, rng)) for k in range(1, copies + 1) for e in examples]


def _perturb(text: str, rng: random.Random) -> str:
    """Shuffle the paragraphs and replace digits."""
    paragraphs = text.split("\n")
    rng.shuffle(paragraphs)
    return "".join(str(rng.randrange(10)) if ch.isdigit() else ch for ch in "\n".join(paragraphs))


@contextmanager
def _one_core():
    """Pin this process to one CPU and one BLAS/OpenMP thread for the duration."""
    from threadpoolctl import threadpool_limits

    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if affinity:
        os.sched_setaffinity(0, {min(affinity)})
    try:
        with threadpool_limits(1):
            yield
    finally:
        if affinity:
            os.sched_setaffinity(0, affinity)


if __name__ == "__main__":
    print(json.dumps(bench_tag(), ensure_ascii=False, indent=2))
