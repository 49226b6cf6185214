"""Build a folder of broken and hostile inputs, each named for what is wrong with it.

    python scripts/make_bad_inputs.py [OUT_DIR]      (default: tests/data/bad)

Tests call `make_bad_inputs(tmp_path)`; every file must be refused with a reason naming it,
while the good files beside it still import.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "2025-06.pdf"

ZERO_PAGES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
              b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
              b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _encrypted() -> bytes:
    from fpdf import FPDF
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="locked")
    return bytes(pdf.output())


def _png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, "PNG")
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("issue.txt", "not a bulletin")
    return buf.getvalue()


def _broken_xref(sample: bytes) -> bytes:
    """Keep the header, scramble the body: objects and xref are gone."""
    return sample[:1024] + bytes((b * 7 + 3) % 256 for b in sample[1024:20000])


def bad_files(sample: bytes) -> dict[str, bytes]:
    """name -> content of each bad input that is just bytes."""
    return {
        "empty.pdf": b"",
        "truncated.pdf": sample[: len(sample) * 2 // 5],
        "encrypted.pdf": _encrypted(),
        "broken_xref.pdf": _broken_xref(sample),
        "html_named.pdf": b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
        "zip_named.pdf": _zip(),
        "zero_pages.pdf": ZERO_PAGES,
        "garbage.pdf": bytes(range(256)) * 8,
        "header_only.pdf": b"%PDF-1.7\n",
        "text_named.pdf": "第1期 简报正文".encode("utf-8"),
        "zero_size.png": b"",
        "png_named.pdf": _png(),
    }


def make_bad_inputs(out: Path, sample: Path = SAMPLE) -> list[Path]:
    """Write the bad inputs into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in bad_files(sample.read_bytes()).items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "bad"
    for p in make_bad_inputs(target):
        print(p)
