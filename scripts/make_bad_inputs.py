"""Build a folder of broken and hostile inputs, each named for what is wrong with it.

    python scripts/make_bad_inputs.py [OUT_DIR]      (default: tests/data/bad)

Tests call `make_bad_inputs(tmp_path)`; every file must be refused with a reason naming it,
while the good files beside it still import.
"""

from __future__ import annotations

import io
import os
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


def _bomb_png() -> bytes:
    """A tiny PNG that claims 30000 x 30000 pixels: a decompression bomb."""
    import struct
    import zlib
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (30001 * 64), 9)                 # first rows only
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _pdf(objects: list[bytes]) -> bytes:
    """A well-formed PDF from object bodies (1-based), with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _blank_pages(n: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n), *pages])


def _nested() -> bytes:
    """A page whose resources nest arrays 50,000 deep."""
    deep = b"[" * 50000 + b"]" * 50000
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /X %s >> >>" % deep])


def _huge_page() -> bytes:
    """One page of 200 x 200 metres: rasterising it naively would need terabytes."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /UserUnit 40 >>"])


def _blank_scan() -> bytes:
    """An image-only PDF of a blank grey page: a scan with no text at all."""
    from PIL import Image
    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 235).save(buf, "PDF", resolution=150)
    return buf.getvalue()


def _image(fmt: str) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, fmt)
    return buf.getvalue()


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
        "bomb.png": _bomb_png(),
        "blank_300_pages.pdf": _blank_pages(300),
        "nested_objects.pdf": _nested(),
        "huge_page.pdf": _huge_page(),
        "blank_scan.pdf": _blank_scan(),
        "truncated.jpg": _image("JPEG")[:300],
        "corrupt.tiff": _image("TIFF")[:64] + b"\x00" * 64,
        "no_eof_marker.pdf": sample.rsplit(b"%%EOF", 1)[0][: len(sample) // 2],
    }


def make_bad_inputs(out: Path, sample: Path = SAMPLE) -> list[Path]:
    """Write the bad inputs into `out`; returns their paths (the symlink loop is one path)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    sample = sample.read_bytes()
    for name, data in bad_files(sample).items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    odd = out / os.fsdecode(b"\xb7\xa2\xcb\xcd-gbk-name.pdf")    # GBK bytes: not UTF-8
    odd.write_bytes(sample[:500])
    locked = out / "unreadable.pdf"
    locked.write_bytes(sample[:700])
    locked.chmod(0)                          # (root can still read it: then it is truncated)
    loop_a, loop_b = out / "loop_a.pdf", out / "loop_b.pdf"
    for link, target in ((loop_a, loop_b.name), (loop_b, loop_a.name)):
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)
    return paths + [odd, locked, loop_a, loop_b]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "bad"
    for p in make_bad_inputs(target):
        print(p)
