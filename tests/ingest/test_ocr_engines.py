"""The OCR inference engine is a setting: OpenVINO (the measured default) or onnxruntime.

Both run the same ONNX models the rapidocr wheel ships; bench/ocr.py measures their speed and
CER side by side (`python -m bench ocr`, `python -m bench ocr --quality`).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from errors import InvalidValue, OCRUnavailable
from fixtures import ocr_traits as traits
from ingest.ocr_options import ENGINES, OcrOptions

LINES = ["本期简报介绍了全市快递企业在绿色包装方面的做法与成效。", "各区邮政管理局结合实际开展安全检查。"]


def test_an_unknown_engine_is_refused_with_the_choices():
    with pytest.raises(InvalidValue, match="openvino, onnxruntime"):
        OcrOptions(engine="tensorrt")


def test_each_engine_has_its_measured_batch_unless_one_is_given():
    assert OcrOptions(engine="openvino").batch == 1
    assert OcrOptions(engine="onnxruntime").batch == 6
    assert OcrOptions(engine="onnxruntime", rec_batch=2).batch == 2


def test_options_that_differ_only_in_page_settings_share_an_engine():
    assert OcrOptions(crop_pad=0.5).engine_key == OcrOptions().engine_key
    assert OcrOptions(engine="onnxruntime").engine_key != OcrOptions().engine_key
    assert OcrOptions(threads=1).engine_key != OcrOptions().engine_key


def test_a_missing_engine_package_says_how_to_fix_it(monkeypatch):
    from ingest import ocr
    monkeypatch.setattr(ocr, "_ENGINES", {})
    monkeypatch.setitem(sys.modules, "openvino", None)        # as if it were not installed
    with pytest.raises(OCRUnavailable) as err:
        ocr.engine("scan.pdf", OcrOptions(engine="openvino"))
    assert "pip install openvino" in str(err.value) and "--ocr-engine" in str(err.value)


def test_the_engine_setting_comes_from_the_environment(tmp_path):
    from pipeline.settings import build_settings
    env = {"JIANBAO_HOME": str(tmp_path)}
    assert build_settings(environ=env).ocr_engine is None
    assert build_settings(environ={**env, "JIANBAO_OCR_ENGINE": "onnxruntime"}).ocr_engine == "onnxruntime"
    with pytest.raises(InvalidValue, match="JIANBAO_OCR_ENGINE"):
        build_settings(environ={**env, "JIANBAO_OCR_ENGINE": "gpu"})


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_reads_drawn_lines(engine):
    from ingest.ocr import ocr_image
    img = np.asarray(traits.render_lines(LINES, 40, margin=1.0))
    page = ocr_image(np.ascontiguousarray(img), 300, 1, threads=OcrOptions(engine=engine))
    assert [ln.text for ln in page.lines] == LINES
