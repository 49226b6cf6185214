"""The fixed choices the CLI and the HTTP API share, so both accept the same words."""

from __future__ import annotations

from enum import Enum


class OCR(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class OcrEngine(str, Enum):
    """The OCR inference engines (ingest/ocr_options.py ENGINES)."""

    openvino = "openvino"
    onnxruntime = "onnxruntime"


class By(str, Enum):
    """Trend periods, or company/topic for a cross-tab."""

    month = "month"
    quarter = "quarter"
    year = "year"
    issue = "issue"
    company = "company"
    topic = "topic"
