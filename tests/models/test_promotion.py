"""The model list both `jianbao models list` and `GET /models` show."""

from __future__ import annotations

from models import active_version, list_models
from models.promotion import model_rows


def test_model_rows_are_the_registered_versions_with_their_scores(models_dir):
    rows = model_rows(models_dir)
    assert [r.version for r in rows] == list(list_models(models_dir))
    assert [r.version for r in rows if r.active] == [active_version(models_dir)]
    assert all(0 < r.test_macro_f1 <= 1 and r.n_train > 0 and r.created for r in rows)


def test_no_models_no_rows(tmp_path):
    assert model_rows(tmp_path) == []


def test_a_registry_that_is_json_but_no_registry_is_named(tmp_path):
    import pytest

    from errors import ModelError
    from models.promotion import model_rows
    for garbage in ("{{{", "[]", '{"versions": 5}', '{"versions": ["a"], "active": 3}', "null"):
        (tmp_path / "registry.json").write_text(garbage, encoding="utf-8")
        with pytest.raises(ModelError, match="registry.json .*delete it and run `jianbao train`"):
            model_rows(tmp_path)
