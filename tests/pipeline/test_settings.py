"""Settings: the OCR engine is chosen once, from the environment, and checked there."""

from __future__ import annotations

import pytest

from errors import InvalidValue


def test_the_engine_setting_comes_from_the_environment(tmp_path):
    from pipeline.settings import build_settings
    env = {"JIANBAO_HOME": str(tmp_path)}
    assert build_settings(environ=env).ocr_engine is None
    assert build_settings(environ={**env, "JIANBAO_OCR_ENGINE": "onnxruntime"}).ocr_engine == "onnxruntime"
    with pytest.raises(InvalidValue, match="JIANBAO_OCR_ENGINE"):
        build_settings(environ={**env, "JIANBAO_OCR_ENGINE": "gpu"})
