"""Shared fixtures: one small model trained once per session in temporary folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.train import DEFAULT_DATA_DIR

SUBSET_EVERY = 2          # keep every 2nd example of each file: fast, still covers every label


@pytest.fixture(scope="session", autouse=True)
def jianbao_home(tmp_path_factory):
    """Point JIANBAO_HOME (jieba cache, default models dir) at a temporary folder."""
    home = tmp_path_factory.mktemp("jianbao_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JIANBAO_HOME", str(home))
        yield home


def write_subset(target: Path, every: int, limit: int | None = None) -> Path:
    """Copy every `every`-th line of each shipped data file (at most `limit` per file) to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(DEFAULT_DATA_DIR.glob("*.jsonl")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        kept = lines[::every][:limit]
        (target / path.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def subset_writer():
    """write_subset, for tests that need their own data folder."""
    return write_subset


@pytest.fixture(scope="session")
def small_data(tmp_path_factory) -> Path:
    return write_subset(tmp_path_factory.mktemp("data"), SUBSET_EVERY)


@pytest.fixture(scope="session")
def trained(tmp_path_factory, small_data):
    """(models_dir, ModelInfo) of one model trained on the small subset."""
    from models.train import train_models

    models_dir = tmp_path_factory.mktemp("models")
    info = train_models(small_data, models_dir, seed=0)
    return models_dir, info


@pytest.fixture(scope="session")
def tagger(trained):
    from models.tagger import Tagger

    models_dir, _ = trained
    return Tagger.load(models_dir)


@pytest.fixture(scope="session")
def anti_fraud_example(small_data) -> dict:
    """The first anti_fraud example of the small data (for twin tests)."""
    for path in sorted(small_data.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "anti_fraud" in record["topics"]:
                return record
    raise LookupError("anti_fraud")
