"""The curator's loop across stages: train on the authored data plus the corpus's human
labels, and re-tag the corpus with the active model (human labels are never touched)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from corpus.curation import ReclassifyReport, human_labelled, reclassify
from corpus.store import Corpus


def human_examples(corpus: Corpus) -> list:
    """Human-labelled corpus articles as training examples (tags in force: human over model)."""
    from models import Example
    return [Example(r["id"], r["title"], r["text"], tuple(r["topics"]), tuple(r["companies"]),
                    "human labels in the corpus") for r in human_labelled(corpus.conn)]


def train_with_corpus(db: str | Path | None, data_dir: str | Path, models_dir: str | Path,
                      seed: int = 0, activate: bool = False):
    """Train a new model version on the authored data plus the corpus's human labels (if the
    database exists); with `activate`, promote it under the usual rule."""
    from models import train_models
    from models.promotion import promote_checked
    from pipeline.resources import open_corpus
    extra = []
    if db is not None and Path(db).exists():
        with open_corpus(db) as corpus:
            extra = human_examples(corpus)
    info = train_models(data_dir, models_dir, seed=seed, extra_examples=extra)
    if activate and not info.active:
        promote_checked(info.version, models_dir)
        info = replace(info, active=True)
    return info


def reclassify_corpus(corpus: Corpus, models_dir: str | Path, since: str | None = None,
                      until: str | None = None, version: str | None = None) -> ReclassifyReport:
    """Re-tag the corpus's articles with the active (or given) model."""
    from pipeline.tagging import load_text_tagger
    return reclassify(corpus, load_text_tagger(models_dir, version), since, until)


def ensure_default_model(settings, say=lambda message: None) -> Path:
    """The model home of `settings`, with an active model: when there is none, the default model
    is trained from the authored data shipped with the package (seeded, so the same model
    everywhere) and activated; `say` tells the user, since it takes about a minute."""
    from models import active_version
    models_dir = Path(settings.models_dir)
    if active_version(models_dir):
        return models_dir
    from models import train_models                     # scikit-learn: only when training
    say(f"no model in {models_dir} yet: training the default model from the authored data "
        "(once, about a minute)")
    info = train_models(settings.data_dir, models_dir, seed=settings.seed)
    if not info.active:
        from models import promote
        promote(info.version, models_dir)
    say(f"default model {info.version} trained and active")
    return models_dir
