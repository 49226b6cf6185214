"""Trend charts with matplotlib: Chinese labels with a CJK font, and a warning naming what was
searched when there is none; periods with no issue at all are gaps, not zeros."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from errors import OutputNotWritable

CJK_FONT_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                  "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC")
# font files shipped by Python packages: paperang-p2-fonts-cjk is a dependency of jianbao
# (WenQuanYi Micro Hei), manimgx-fonts-cjk one of its dev extra (Noto Sans CJK)
PACKAGED_FONTS = (("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc"), ("manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc"))
NO_FONT = ("no CJK font found (searched the installed fonts for " + ", ".join(CJK_FONT_NAMES) +
           ", and the Python packages " + ", ".join(p for p, _ in PACKAGED_FONTS) +
           "): the chart labels are keys, not Chinese names. Install one, e.g. "
           "`pip install paperang-p2-fonts-cjk` or `apt install fonts-noto-cjk`")


@dataclass(frozen=True, slots=True)
class Chart:
    path: Path
    font: str | None
    warnings: tuple[str, ...] = ()


def cjk_font() -> str | None:
    """The name of a CJK font matplotlib can use: an installed one, else one shipped by a
    Python package (registered with matplotlib here); None if there is none."""
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONT_NAMES if name in installed), None)
    return found or _packaged_font(font_manager)


def _packaged_font(font_manager) -> str | None:
    import importlib.util
    for package, relative in PACKAGED_FONTS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.origin:
            continue
        path = Path(spec.origin).parent / relative
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def chart_title(by: str, kind: str = "topic", label: str | None = None, mentions: bool = False) -> str:
    """What the chart plots, in words: 'Articles per quarter about anti_fraud, 2019-Q1 to 2026-Q1'."""
    what = f"about {label}" if label else f"by {kind}"
    return f"Articles per {by} {what}" + (" (every article naming the firm)" if mentions else "")


def plot_trends(frame, out: str | Path, names: dict[str, str] | None = None,
                title: str = "Articles per period") -> Chart:
    """Line chart of `count` per period, one line per label; PNG or SVG by the file suffix."""
    import matplotlib.pyplot as plt
    font = cjk_font()
    fig = trends_figure(frame, names if font else None, title, font)
    out = Path(out)
    try:
        fig.savefig(out, format=out.suffix.lstrip(".").lower() or "png")
    except OSError as exc:
        raise OutputNotWritable(path=out, detail=exc.strerror or str(exc)) from exc
    finally:
        plt.close(fig)
    return Chart(out, font, () if font else (NO_FONT,))


def trends_figure(frame, names: dict[str, str] | None = None, title: str = "Articles per period",
                  font: str | None = None):
    """The figure of `plot_trends`: a period without any article (no issue) is a gap in every
    line, not a zero; the y axis counts whole articles; the title says what and when."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=120)
    for label, part in frame.groupby("label", sort=True):
        counts = part["count"].where(part["articles"] > 0)         # NaN: no issue, drawn as a gap
        ax.plot(part["period"], counts, marker="o", linewidth=1.5, label=(names or {}).get(label, label))
    periods = list(dict.fromkeys(frame["period"]))
    ax.set_title(f"{title}, {periods[0]} to {periods[-1]}" if periods else title)
    ax.set_ylabel("articles")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(frame):
        ax.legend(fontsize=8, ncol=2, loc="upper left")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    fig.tight_layout()
    return fig
