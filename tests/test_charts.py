"""Trend charts: Chinese names with a CJK font (or a warning naming what was searched), gaps
for periods with no issue, whole-article ticks, a title that says what is plotted."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from jianbao import charts
from jianbao.cli import app
from tests.conftest import ROOT


def _frame():
    """Two issues a year apart, monthly: the months between hold no issue."""
    rows = [("2025-01", "anti_fraud", 1, 10), ("2025-02", "anti_fraud", 0, 0), ("2025-03", "anti_fraud", 0, 8),
            ("2025-01", "sf", 2, 10), ("2025-02", "sf", 0, 0), ("2025-03", "sf", 1, 8)]
    return pd.DataFrame(rows, columns=["period", "label", "count", "articles"])


def test_no_issue_is_a_gap_ticks_are_whole_articles_and_the_title_says_what():
    fig = charts.trends_figure(_frame(), {"anti_fraud": "反诈", "sf": "顺丰"},
                               charts.chart_title("month", "topic"), charts.cjk_font())
    ax = fig.axes[0]
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert set(lines) == {"反诈", "顺丰"}
    assert lines["反诈"][0] == 1 and math.isnan(lines["反诈"][1]) and lines["反诈"][2] == 0
    assert all(float(t).is_integer() for t in ax.get_yticks())
    assert ax.get_title() == "Articles per month by topic, 2025-01 to 2025-03"


def test_a_cjk_font_is_found_in_the_declared_package():
    assert charts.cjk_font() in ("WenQuanYi Micro Hei", *charts.CJK_FONT_NAMES)


def test_without_a_cjk_font_the_chart_says_so_and_uses_keys(env, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "CJK_FONT_NAMES", ())
    monkeypatch.setattr(charts, "PACKAGED_FONTS", ())
    chart = charts.plot_trends(_frame(), tmp_path / "t.png", {"sf": "顺丰"})
    assert chart.font is None and chart.warnings == (charts.NO_FONT,) and chart.path.stat().st_size > 0
    assert CliRunner().invoke(app, ["ingest", str(ROOT / "examples" / "2025-06.pdf"), "--no-tag"]).exit_code == 0
    result = CliRunner().invoke(app, ["trends", "--by", "year", "--plot", str(tmp_path / "t.svg")])
    assert result.exit_code == 0
    assert "Warning: no CJK font found (searched the installed fonts for" in result.stderr
    assert "paperang-p2-fonts-cjk" in result.stderr


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_the_cli_writes_the_chart_with_the_font_it_used(env, tmp_path, suffix):
    assert CliRunner().invoke(app, ["ingest", str(ROOT / "examples" / "2025-06.pdf")]).exit_code == 0
    out = tmp_path / f"trend.{suffix}"
    result = CliRunner().invoke(app, ["trends", "--by", "quarter", "--companies", "--plot", str(out)])
    assert result.exit_code == 0 and out.stat().st_size > 0
    assert "Warning" not in result.stderr and "(font " in result.stderr
