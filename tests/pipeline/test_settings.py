"""Settings: the OCR engine and a worker's start-up are read once, from the environment, and checked there."""

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


def test_a_workers_start_up_comes_from_the_environment_as_seconds(tmp_path):
    from pipeline.settings import build_settings
    env = {"JIANBAO_HOME": str(tmp_path)}
    assert build_settings(environ=env).worker_start_s is None          # measured
    assert build_settings(environ={**env, "JIANBAO_WORKER_START_S": "0"}).worker_start_s == 0.0
    assert build_settings(environ={**env, "JIANBAO_WORKER_START_S": "2.5"}).worker_start_s == 2.5
    for bad in ("-1", "soon", "nan"):
        with pytest.raises(InvalidValue, match="JIANBAO_WORKER_START_S must be a number of seconds"):
            build_settings(environ={**env, "JIANBAO_WORKER_START_S": bad})
