"""Font faces for rendered bulletins: WenQuanYi Micro Hei and Noto Sans CJK SC, cached as files.

Faces are built on demand into `.jianbao/fonts/` (git-ignored): the WQY face is extracted from
its TTC (a renamed copy serves as the "Bold" face); Noto is subset to the characters used and
instanced from the variable font, either as TrueType outlines (decodable text layer) or as a
CID-keyed CFF font (the case pdfminer cannot decode).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("wqy", "noto", "notocff")
_SUFFIX = {"wqy": ".ttf", "noto": ".ttf", "notocff": ".otf"}


@dataclass(frozen=True, slots=True)
class Face:
    """One font file with its advance widths (1/1000 em) and the code points it covers."""

    path: Path
    widths: dict
    default_width: int


def cache_dir() -> Path:
    """Where built faces live: $JIANBAO_FONT_CACHE or <project>/.jianbao/fonts."""
    path = Path(os.environ.get("JIANBAO_FONT_CACHE") or ROOT / ".jianbao" / "fonts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def wqy_path() -> Path:
    """The WenQuanYi Micro Hei collection shipped in the paperang font wheel."""
    import paperang_p2_fonts_cjk

    return Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"


def noto_path() -> Path:
    """The Noto Sans CJK variable collection shipped in the manimgx font wheel."""
    import manimgx_fonts_cjk

    return Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc"


def _rename(font, family: str, style: str) -> None:
    """Set family/style/full/PostScript names so PDF readers see e.g. `...-Bold`."""
    ps = f"{family.replace(' ', '')}-{style}"
    for rec in list(font["name"].names):
        if rec.nameID in (1, 2, 3, 4, 6, 16, 17):
            font["name"].removeNames(nameID=rec.nameID)
    for name_id, value in ((1, family), (2, style), (3, ps), (4, ps), (6, ps)):
        font["name"].setName(value, name_id, 3, 1, 0x409)
        font["name"].setName(value, name_id, 1, 0, 0)


def _save_atomic(font, path: Path) -> Path:
    """Save a TTFont via a temporary file so concurrent builders never see half a file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    font.recalcTimestamp = False
    font.save(tmp)
    os.replace(tmp, path)
    return path


def _build_wqy(path: Path, weight: int) -> None:
    """Extract face 0 of the WQY collection, named Regular or Bold."""
    from fontTools.ttLib import TTFont

    font = TTFont(wqy_path(), fontNumber=0)
    _rename(font, "WenQuanYi Micro Hei", "Bold" if weight >= 700 else "Regular")
    _save_atomic(font, path)


def _noto_static(chars: str, weight: int):
    """Noto Sans CJK SC subset to `chars` and instanced at `weight`: a static CFF2 TTFont."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection
    from fontTools.varLib import instancer

    coll = TTCollection(noto_path(), lazy=True)
    font = next(f for f in coll.fonts if " SC" in f["name"].getDebugName(1))
    opts = subset.Options()
    opts.layout_features, opts.notdef_outline, opts.name_IDs = [], True, ["*"]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "DSIG", "STAT"]
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    font = instancer.instantiateVariableFont(font, {"wght": weight}, static=True)
    _rename(font, "Noto Sans CJK SC", "Bold" if weight >= 700 else "Regular")
    return font


def _to_truetype(font) -> None:
    """Replace CFF2 outlines with quadratic glyf outlines (the otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order, glyph_set = font.getGlyphOrder(), font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    for tag in ("CFF2", "CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["loca"], font["glyf"] = newTable("loca"), newTable("glyf")
    font["glyf"].glyphOrder, font["glyf"].glyphs = order, glyphs
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxPoints", "maxContours",
                 "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def _to_cid_cff(font) -> None:
    """Convert static CFF2 to CFF and rename glyphs to the cidNNNNN names the converter uses."""
    from fontTools.cffLib.CFF2ToCFF import convertCFF2ToCFF

    old = font.getGlyphOrder()
    convertCFF2ToCFF(font)
    new = list(font["CFF "].cff.topDictIndex[0].charset)
    if new == old:
        return
    rename = dict(zip(old, new))
    for table in font["cmap"].tables:
        table.cmap = {code: rename[name] for code, name in table.cmap.items()}
    for tag in ("hmtx", "vmtx"):
        if tag in font:
            font[tag].metrics = {rename[n]: m for n, m in font[tag].metrics.items()}
    font.setGlyphOrder(new)


def _build_noto(path: Path, weight: int, chars: str, truetype: bool) -> None:
    """Build a Noto face for `chars`: TrueType outlines or CID-keyed CFF."""
    font = _noto_static(chars, weight)
    (_to_truetype if truetype else _to_cid_cff)(font)
    _save_atomic(font, path)


def face_path(family: str, weight: int, chars: str = "") -> Path:
    """Path of a built face, building it into the cache if missing."""
    if family not in FAMILIES:
        raise ValueError(f"unknown font family {family!r}; choose from {FAMILIES}")
    style = "Bold" if weight >= 700 else "Regular"
    if family == "wqy":
        path = cache_dir() / f"wqy-microhei-{style}.ttf"
        if not path.exists():
            _build_wqy(path, weight)
        return path
    chars = "".join(sorted(set(chars) | set(map(chr, range(0x20, 0x7F)))))
    key = hashlib.sha1(chars.encode("utf-8")).hexdigest()[:12]
    path = cache_dir() / f"{family}-{style}-{key}{_SUFFIX[family]}"
    if not path.exists():
        _build_noto(path, weight, chars, truetype=family == "noto")
    return path


@lru_cache(maxsize=16)
def load_face(path: Path) -> Face:
    """Read the advance widths of a face file (per code point, in 1/1000 em)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    hmtx = font["hmtx"].metrics
    widths = {code: round(hmtx[name][0] * scale) for code, name in font.getBestCmap().items()}
    return Face(path, widths, round(hmtx[".notdef"][0] * scale))


def missing_chars(face: Face, text: str) -> str:
    """Characters of `text` the face has no glyph for (whitespace aside)."""
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) not in face.widths}))
