"""Trend charts with matplotlib: Chinese labels when a CJK font is installed, keys otherwise."""

from __future__ import annotations

from pathlib import Path

from errors import OutputNotWritable

CJK_FONT_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                  "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC")


def cjk_font() -> str | None:
    """The name of an installed CJK font matplotlib can use, if any."""
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONT_NAMES if name in installed), None)


def plot_trends(frame, out: str | Path, names: dict[str, str] | None = None,
                title: str = "articles per period") -> Path:
    """Line chart of `count` per period, one line per label; PNG or SVG by the file suffix."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=120)
    for label, part in frame.groupby("label", sort=True):
        name = names.get(label, label) if (names and font) else label
        ax.plot(part["period"], part["count"], marker="o", linewidth=1.5, label=name)
    ax.set_title(title)
    ax.set_ylabel("articles")
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    fig.tight_layout()
    out = Path(out)
    try:
        fig.savefig(out, format=out.suffix.lstrip(".").lower() or "png")
    except OSError as exc:
        raise OutputNotWritable(path=out, detail=exc.strerror or str(exc)) from exc
    plt.close(fig)
    return out
