"""Shared fixtures: sample sources, PDFs rendered from them (once per session), tmp corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples" / "src").glob("*.txt"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden from examples/src (review the diff)")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """render(source_stem, variant) -> path of a text PDF rendered at most once per session."""
    from fixtures.render_bulletin import render_pdf
    cache: dict[tuple[str, str], Path] = {}
    folder = tmp_path_factory.mktemp("rendered")

    def render(stem: str, variant: str = "standard") -> Path:
        if (stem, variant) not in cache:
            out = folder / f"{stem}-{variant}.pdf"
            render_pdf(ROOT / "examples" / "src" / f"{stem}.txt", out, variant=variant)
            cache[stem, variant] = out
        return cache[stem, variant]
    return render


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """The default model trained once per session from the repo's data (fixed seed);
    JIANBAO_TEST_DATA points at another data folder (e.g. a snapshot while data is being edited)."""
    import os

    from models import train_models
    folder = tmp_path_factory.mktemp("models")
    train_models(os.environ.get("JIANBAO_TEST_DATA") or ROOT / "models" / "data", folder, seed=0)
    return folder


@pytest.fixture
def env(tmp_path, models_dir, monkeypatch):
    """CLI environment: a fresh database and the session's models."""
    monkeypatch.setenv("JIANBAO_DB", str(tmp_path / "test.db"))
    monkeypatch.setenv("JIANBAO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JIANBAO_MODELS", str(models_dir))
    return tmp_path


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory, models_dir) -> Path:
    """A corpus of the four sample PDFs (38 articles, 2019-2026), imported once per session;
    copy it before writing to it."""
    from pipeline.importer import import_paths
    from pipeline.resources import open_corpus
    path = tmp_path_factory.mktemp("examples-corpus") / "examples.db"
    with open_corpus(path) as corpus:
        report = import_paths(corpus, sorted((ROOT / "examples").glob("*.pdf")), models_dir)
    assert report.counts["imported"] == 4
    return path
