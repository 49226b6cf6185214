"""Promotion rules: a model replaces the active one only if it is not clearly worse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from errors import ModelError
from models.persist import active_version, list_models, promote, read_meta

# Macro-F1 on the fixed test split may drop by at most this much (issue 7's rule).
MAX_F1_DROP = 0.02


class PromotionRefused(ModelError):
    pass


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One registered version as `jianbao models list` and `GET /models` show it."""

    version: str
    active: bool
    created: str | None
    test_macro_f1: float          # rounded to 4 places: the mean of the two below
    n_train: int | None
    topics_f1: float = 0.0        # test-split macro-F1 of topics and of companies, as `train` prints
    companies_f1: float = 0.0


def test_macro_f1(meta: dict) -> float:
    """Mean of the topic and company macro-F1 on the fixed test split."""
    test = meta["metrics"]["test"]
    return (test["topics"]["macro_f1"] + test["companies"]["macro_f1"]) / 2


def promote_checked(version: str, models_dir: str | Path, force: bool = False) -> str:
    """Activate `version` unless its test macro-F1 is more than MAX_F1_DROP below the active one."""
    current = active_version(models_dir)
    if current and current != version and not force:
        new, old = test_macro_f1(read_meta(models_dir, version)), test_macro_f1(read_meta(models_dir, current))
        if new < old - MAX_F1_DROP:
            raise PromotionRefused(
                f"model {version} has test macro-F1 {new:.3f}, more than {MAX_F1_DROP} below the "
                f"active {current} ({old:.3f}); use --force to promote it anyway")
    return promote(version, models_dir)


def model_rows(models_dir: str | Path) -> list[ModelRow]:
    """Every registered version, oldest first, with its test macro-F1 and training size."""
    active = active_version(models_dir)
    rows = []
    for version in list_models(models_dir):
        meta = read_meta(models_dir, version)
        test = meta["metrics"]["test"]
        rows.append(ModelRow(version, version == active, meta.get("created"),
                             round(test_macro_f1(meta), 4), meta.get("n_train"),
                             round(test["topics"]["macro_f1"], 4), round(test["companies"]["macro_f1"], 4)))
    return rows
