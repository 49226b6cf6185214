"""Training: read labelled JSONL, split by id hash, fit topic + company models, evaluate, save, register."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from errors import InvalidTrainingData
from models.article import article_to_prepared
from models.companies import (CompanyConfig, build_alias_matcher, mentions_to_features,
                              prepared_to_mentions, train_company_model)
from models.persist import model_dir, register_model, save_model
from models.tagger import TagModel, Tagger, top_up
from models.taxonomy import Taxonomy, load_taxonomy
from models.tokenize import dictionary_words
from models.topics import TopicConfig, train_topic_model

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
HOLDOUT_NAME = Path("eval") / "holdout.jsonl"     # beside the data folder; never trained on
TEST_SHARE = 20                 # percent of ids (by hash) held out for the test split


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled article."""

    id: str
    title: str
    text: str
    topics: tuple[str, ...]
    companies: tuple[str, ...]
    provenance: str = ""


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-label scores with micro and macro F1 over `n_docs` articles."""

    labels: tuple[LabelScore, ...]
    micro_f1: float
    macro_f1: float
    n_docs: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    topics: Scores
    companies: Scores


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What `train_models` did: the saved version, its data and its measured quality."""

    version: str
    path: str
    active: bool
    seed: int
    data_hash: str
    n_train: int
    n_test: int
    test: Evaluation
    cv: Evaluation
    seconds: float
    created: str
    n_human: int = 0
    cv_human: Evaluation | None = None     # out-of-fold scores on the human-labelled articles
    holdout: Evaluation | None = None      # the held-out set beside the data folder, if there is one
    n_holdout: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def load_examples(data_dir: str | Path | None = None, taxonomy: Taxonomy | None = None) -> tuple[Example, ...]:
    """All examples of every *.jsonl in `data_dir`, checked against the taxonomy."""
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    files = sorted(data_dir.glob("*.jsonl"))
    if not files:
        raise InvalidTrainingData(f"no *.jsonl training files in {data_dir}")
    taxonomy = taxonomy or load_taxonomy()
    examples = [ex for path in files for ex in _read_jsonl(path, taxonomy)]
    return check_unique_ids(examples)


def _read_jsonl(path: Path, taxonomy: Taxonomy) -> Iterable[Example]:
    """Examples of one file; a bad line is an error naming file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidTrainingData(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise InvalidTrainingData(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield record_to_example(json.loads(line), taxonomy)
            except (ValueError, KeyError, TypeError, InvalidTrainingData) as exc:
                raise InvalidTrainingData(f"{path}:{number}: {exc}") from exc


def record_to_example(record: dict, taxonomy: Taxonomy) -> Example:
    """A JSON record → Example, refusing labels the taxonomy does not define. Our training
    format ({id, title, text, topics, companies}) or `jianbao export`'s (article_id, tags as
    {label, score, source} objects: the tags in force are the labels)."""
    if "id" not in record and "article_id" in record:
        record = {**record, "id": record["article_id"]}
    example = Example(str(record["id"]), str(record.get("title") or ""), str(record["text"]),
                      _labels(record.get("topics")), _labels(record.get("companies")),
                      str(record.get("provenance") or ""))
    return check_labels(example, taxonomy)


NO_LABEL = ("other", "none")      # GUIDE.md's markers for "none of ours" (and other:<firm>)


def _labels(values) -> tuple[str, ...]:
    """A label list as written by an annotator: the markers of 'no label of ours' dropped."""
    values = [v["label"] if isinstance(v, dict) and "label" in v else v for v in (values or ())]
    return tuple(v for v in values if v not in NO_LABEL and not str(v).startswith("other:"))


def check_labels(example: Example, taxonomy: Taxonomy) -> Example:
    """Refuse an example whose labels the taxonomy does not define."""
    unknown = (set(example.topics) - set(taxonomy.topic_keys)) | (set(example.companies) - set(taxonomy.company_keys))
    if unknown:
        raise InvalidTrainingData(f"unknown label(s) {sorted(unknown)} in example {example.id!r}")
    return example


def check_unique_ids(examples: Iterable[Example]) -> tuple[Example, ...]:
    """Refuse two examples with one id."""
    examples, seen = tuple(examples), set()
    for example in examples:
        if example.id in seen:
            raise InvalidTrainingData(f"duplicate example id {example.id!r}")
        seen.add(example.id)
    return examples


def id_in_test_split(example_id: str) -> bool:
    """The fixed test split: 20% of ids by sha256, whatever the data around them."""
    return int(hashlib.sha256(example_id.encode("utf-8")).hexdigest()[:8], 16) % 100 < TEST_SHARE


def split_examples(examples: Iterable[Example]) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    """(train, test) by `id_in_test_split`."""
    examples = tuple(examples)
    return (tuple(e for e in examples if not id_in_test_split(e.id)),
            tuple(e for e in examples if id_in_test_split(e.id)))


def examples_hash(examples: Iterable[Example]) -> str:
    """sha256 of the examples in id order (labels included)."""
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda e: e.id):
        digest.update(json.dumps(asdict(example), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def sets_to_scores(labels: tuple[str, ...], gold: list[set[str]], pred: list[set[str]]) -> Scores:
    """Per-label precision/recall/F1/support and micro/macro F1 of predicted label sets."""
    rows, tp_all, fp_all, fn_all = [], 0, 0, 0
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, pred))
        fp = sum(label not in g and label in p for g, p in zip(gold, pred))
        fn = sum(label in g and label not in p for g, p in zip(gold, pred))
        rows.append(LabelScore(label, *_prf(tp, fp, fn), tp + fn))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    scored = [r.f1 for r in rows if r.support > 0]
    macro = round(float(np.mean(scored)), 4) if scored else 0.0
    return Scores(tuple(rows), _prf(tp_all, fp_all, fn_all)[2], macro, len(gold))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0 when undefined), rounded."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def fit_tag_model(examples: tuple[Example, ...], taxonomy: Taxonomy, seed: int = 0,
                  subset: tuple[bool, ...] | None = None) -> tuple[TagModel, Evaluation, Evaluation | None]:
    """Fit both models on `examples`; also returns their K-fold (out-of-fold) evaluation, on all
    examples and on the `subset` marked True (None if nothing is marked)."""
    words = dictionary_words(taxonomy)
    docs = [article_to_prepared(e.title, e.text, words) for e in examples]
    labels = taxonomy.topic_keys
    Y = np.array([[k in e.topics for k in labels] for e in examples], dtype=bool)
    cues = tuple(t.cues for t in taxonomy.topics) if any(t.cues for t in taxonomy.topics) else ()
    topics, oof = train_topic_model(docs, Y, labels, TopicConfig(words=words, seed=seed, cues=cues))
    matcher = build_alias_matcher(taxonomy)
    features = [mentions_to_features(d, prepared_to_mentions(matcher, d)) for d in docs]
    gold_companies = [set(e.companies) for e in examples]
    companies, oof_companies = train_company_model(features, gold_companies, taxonomy.company_keys,
                                                   CompanyConfig(seed=seed))
    model = TagModel(taxonomy, words, False, topics, companies)
    chosen = top_up(topics.select(oof), oof, model.min_topics)
    topic_sets = [{labels[j] for j in np.flatnonzero(row)} for row in chosen]
    cv = Evaluation(sets_to_scores(labels, [set(e.topics) for e in examples], topic_sets),
                    sets_to_scores(taxonomy.company_keys, gold_companies, oof_companies))
    part = None
    if subset is not None and any(subset):
        pick = [i for i, keep in enumerate(subset) if keep]
        part = Evaluation(
            sets_to_scores(labels, [set(examples[i].topics) for i in pick], [topic_sets[i] for i in pick]),
            sets_to_scores(taxonomy.company_keys, [gold_companies[i] for i in pick],
                           [oof_companies[i] for i in pick]))
    return model, cv, part


def evaluate(tagger: Tagger, examples: tuple[Example, ...]) -> Evaluation:
    """Scores of a tagger on labelled examples."""
    return tags_to_evaluation(tagger.model.taxonomy, examples, tagger.tag_many([(e.title, e.text) for e in examples]))


def tags_to_evaluation(taxonomy: Taxonomy, examples: tuple[Example, ...], tags: list) -> Evaluation:
    """Scores of the tags already given to labelled examples."""
    return Evaluation(
        sets_to_scores(taxonomy.topic_keys, [set(e.topics) for e in examples], [set(t.selected_topics) for t in tags]),
        sets_to_scores(taxonomy.company_keys, [set(e.companies) for e in examples],
                       [set(t.selected_companies) for t in tags]),
    )


@dataclass(frozen=True, slots=True)
class Miss:
    """An article whose predicted label sets differ from its gold ones."""

    id: str
    title: str
    topics: tuple[str, ...]
    predicted_topics: tuple[str, ...]
    companies: tuple[str, ...]
    predicted_companies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalReport:
    """A saved model scored on a labelled file: which version, the scores, every article it got
    wrong, which label was predicted instead of which, and how far its scores can be trusted."""

    version: str
    evaluation: Evaluation
    misses: tuple[Miss, ...]
    confusions: dict[str, tuple[tuple[str, str, int], ...]]       # kind → (gold, predicted, n)
    reliability: dict[str, tuple[tuple[float, float, int, float], ...]]  # kind → (lo, hi, n, right)


RELIABILITY_BINS = (0.0, 0.3, 0.5, 0.7, 0.9, 1.0001)


def evaluate_file(path: str | Path, models_dir: str | Path, version: str | None = None) -> EvalReport:
    """Score a saved model on a labelled JSONL file ({id, title, text, topics, companies} per line:
    ours, or the dev-set format whose `other`, `none` and `other:<firm>` mean no label of ours)."""
    tagger = Tagger.load(models_dir, version)
    path = Path(path)
    if path.is_dir():
        raise InvalidTrainingData(f"{path}: is a folder, not a labelled JSONL file")
    if not path.is_file():
        raise InvalidTrainingData(f"{path}: no such file")
    examples = check_unique_ids(_read_jsonl(path, tagger.model.taxonomy))
    if not examples:
        raise InvalidTrainingData(f"{path}: no labelled articles")
    tags = tagger.tag_many([(e.title, e.text) for e in examples])
    evaluation = tags_to_evaluation(tagger.model.taxonomy, examples, tags)
    misses = tuple(
        Miss(e.id, e.title, tuple(sorted(e.topics)), tuple(sorted(t.selected_topics)),
             tuple(sorted(e.companies)), tuple(sorted(t.selected_companies)))
        for e, t in zip(examples, tags)
        if set(e.topics) != set(t.selected_topics) or set(e.companies) != set(t.selected_companies))
    gold = {"topics": [set(e.topics) for e in examples], "companies": [set(e.companies) for e in examples]}
    scored = {"topics": [t.topics for t in tags], "companies": [t.companies for t in tags]}
    return EvalReport(tagger.version, evaluation, misses,
                      {k: confusion_pairs(gold[k], scored[k]) for k in gold},
                      {k: reliability_table(gold[k], scored[k]) for k in gold})


def confusion_pairs(gold: list[set[str]], predictions: list) -> tuple[tuple[str, str, int], ...]:
    """(gold label missed, label predicted instead, articles): pairs within one article, most first."""
    pairs: Counter = Counter()
    for labels, preds in zip(gold, predictions):
        chosen = {p.label for p in preds if p.selected}
        for missed in labels - chosen:
            for wrong in chosen - labels:
                pairs[missed, wrong] += 1
    return tuple((g, p, n) for (g, p), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])))


def reliability_table(gold: list[set[str]], predictions: list) -> tuple[tuple[float, float, int, float], ...]:
    """For score bins, how many labels the model scored there and the share that were right
    (right: in the gold set) — a calibrated model's share tracks the bin."""
    bins = []
    for lo, hi in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]):
        hits = [p.label in labels for labels, preds in zip(gold, predictions) for p in preds
                if lo <= p.score < hi and (p.score > 0 or lo > 0)]
        bins.append((lo, min(hi, 1.0), len(hits), sum(hits) / len(hits) if hits else 0.0))
    return tuple(bins)


def train_models(data_dir: str | Path | None, models_dir: str | Path, seed: int = 0,
                 extra_examples: Iterable[Example] = (), taxonomy_path: str | Path | None = None) -> ModelInfo:
    """Train on the train split, evaluate (test split + K-fold), save, register; active if none is."""
    started = time.perf_counter()
    taxonomy = load_taxonomy(taxonomy_path)
    extra = tuple(check_labels(e, taxonomy) for e in extra_examples)
    # a human label wins over authored data for the same article; human-labelled articles all
    # train (the fixed test split stays the authored one, so versions compare on the same test)
    human_texts = {_text_key(e) for e in extra}
    authored = tuple(e for e in load_examples(data_dir, taxonomy) if _text_key(e) not in human_texts)
    examples = check_unique_ids((*authored, *extra))
    train_authored, test = split_examples(authored)
    train = (*train_authored, *extra)
    if not train or not test:
        raise InvalidTrainingData(f"need examples in both splits (have {len(train)} train, {len(test)} test)")
    with threadpool_limits(1):          # BLAS/OpenMP threads only contend with liblinear here
        model, cv, cv_human = fit_tag_model(
            train, taxonomy, seed, subset=(False,) * len(train_authored) + (True,) * len(extra))
        tagger = Tagger(model)
        test_eval = evaluate(tagger, test)
        held = _holdout_examples(data_dir, taxonomy)
        holdout = evaluate(tagger, held) if held else None
    models_dir = Path(models_dir)
    created = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    data_hash = examples_hash(examples)
    version = _new_version(models_dir, created, data_hash)
    info = ModelInfo(version, str(model_dir(models_dir, version)), False, seed, data_hash, len(train), len(test),
                     test_eval, cv, round(time.perf_counter() - started, 2), created.isoformat(),
                     len(extra), cv_human, holdout, len(held))
    save_model(model, models_dir, version, _meta(info, taxonomy))
    return replace(info, active=register_model(models_dir, version))


def _holdout_examples(data_dir: str | Path | None, taxonomy: Taxonomy) -> tuple[Example, ...]:
    """The held-out articles (`eval/holdout.jsonl` next to the data folder), or none."""
    path = Path(data_dir or DEFAULT_DATA_DIR).parent / HOLDOUT_NAME
    return check_unique_ids(_read_jsonl(path, taxonomy)) if path.is_file() else ()


def _text_key(example: Example) -> str:
    return "".join((example.title + example.text).split())


def _new_version(models_dir: Path, created: dt.datetime, data_hash: str) -> str:
    """`YYYYmmdd-HHMMSS-<data hash>`, suffixed if that folder exists."""
    base = f"{created:%Y%m%d-%H%M%S}-{data_hash[:8]}"
    version, n = base, 1
    while (models_dir / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def _meta(info: ModelInfo, taxonomy: Taxonomy) -> dict:
    """meta.json content (save_model adds sha256 and library versions)."""
    return {
        "created": info.created, "seed": info.seed, "data_hash": info.data_hash,
        "n_train": info.n_train, "n_test": info.n_test,
        "topics": list(taxonomy.topic_keys), "companies": list(taxonomy.company_keys),
        "n_human": info.n_human,
        "metrics": {"test": asdict(info.test), "cv": asdict(info.cv),
                    "cv_human": asdict(info.cv_human) if info.cv_human else None,
                    "holdout": asdict(info.holdout) if info.holdout else None},
    }


def info_to_text(info: ModelInfo) -> str:
    """A plain-text report of a training run (per-label tables for test and CV)."""
    lines = [f"model {info.version} ({'active' if info.active else 'not active'}), seed {info.seed}, "
             f"{info.n_train} train / {info.n_test} test articles, {info.seconds:.1f}s"]
    evaluations = [("test split", info.test), ("5-fold CV on train", info.cv)]
    if info.holdout is not None:
        evaluations.append((f"held-out set ({info.n_holdout} articles, {HOLDOUT_NAME})", info.holdout))
    if info.cv_human is not None:
        evaluations.append((f"5-fold CV on the {info.n_human} human-labelled articles", info.cv_human))
    for name, evaluation in evaluations:
        lines.append(evaluation_to_text(name, evaluation))
    return "\n".join(lines)


def report_to_text(name: str, report: EvalReport) -> str:
    """evaluation_to_text, then the confusion pairs and the reliability table of each kind."""
    lines = [f"model {report.version} on {name}", evaluation_to_text(name, report.evaluation)]
    for kind in ("topics", "companies"):
        pairs = report.confusions[kind][:10]
        if pairs:
            lines.append(f"\n{kind}: missed → predicted instead (articles)")
            lines += [f"  {g:<20} → {p:<20}{n:>4}" for g, p, n in pairs]
        lines.append(f"\n{kind}: reliability (labels scored in the bin, share right)")
        lines += [f"  [{lo:.1f}, {hi:.1f})  {n:>6}  {right:>6.3f}" for lo, hi, n, right in report.reliability[kind] if n]
    return "\n".join(lines)


def evaluation_to_text(name: str, evaluation: Evaluation) -> str:
    """Per-label precision, recall, F1 and support, with micro and macro F1, for topics and companies."""
    lines = []
    for kind, scores in (("topics", evaluation.topics), ("companies", evaluation.companies)):
        lines.append(f"\n{kind} — {name}: micro-F1 {scores.micro_f1:.3f}, macro-F1 {scores.macro_f1:.3f}")
        lines.append(f"  {'label':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
        lines += [f"  {s.label:<20}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.support:>6}"
                  for s in scores.labels]
    return "\n".join(lines)
