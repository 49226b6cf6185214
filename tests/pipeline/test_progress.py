"""Progress inside one long document: the display moves page by page while a scan is OCR'd,
with the document read in this process (--jobs 1) or in a worker (--jobs 2)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from jianbao import progress as shown
from jianbao.cli import app
from tests.conftest import ROOT

SCAN = ROOT / "examples" / "scans" / "2025-06-scan.pdf"          # 6 image-only pages, rendered


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_log_says_which_page_of_a_scan_is_read_before_the_scan_is_done(env, monkeypatch, jobs):
    """Issue 17: during a scan's OCR the bar and the log did not move for a minute."""
    monkeypatch.setattr(shown, "HEARTBEAT", 0.0)             # a line each second while a file is read
    other = ROOT / "examples" / "2025-11.pdf"
    result = CliRunner().invoke(app, ["ingest", str(SCAN), str(other), "--no-tag", "--jobs", jobs])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    done = next(i for i, line in enumerate(lines) if re.search(r"imported +.*2025-06-scan\.pdf$", line))
    pages = [int(m.group(1)) for line in lines[:done]
             if (m := re.search(r"\] page (\d)/6 of .*2025-06-scan\.pdf \(\d+ s\)$", line))]
    assert len({p for p in pages if 0 < p < 6}) >= 2, lines          # moved page by page, before the end
    assert pages == sorted(pages)


def _reading_the_second_file(out: io.StringIO) -> shown.IngestProgress:
    """A log display (no bar) of a plan of two files, a.pdf (4 pages) done, scan.pdf (20) begun."""
    display = shown.IngestProgress(Console(file=out, width=200), None)
    display.planned(2, {"a.pdf": 4, "scan.pdf": 20})
    display.started("a.pdf")
    display("a.pdf", None, None)
    display.started("scan.pdf")
    return display


def test_a_long_document_gets_a_still_reading_line_in_a_log(monkeypatch):
    out = io.StringIO()
    display = _reading_the_second_file(out)
    display.heartbeat()
    assert "still reading" not in out.getvalue()             # said something less than 30 s ago
    monkeypatch.setattr(shown, "HEARTBEAT", 0.0)
    display.heartbeat()
    assert re.search(r"\[files 1/2, pages 4/24, ETA \d+s\] still reading scan\.pdf \(\d+ s\)", out.getvalue())


def test_pages_read_move_the_counts_and_the_heartbeat_names_the_page():
    out = io.StringIO()
    display = _reading_the_second_file(out)
    display.pages_read("scan.pdf", 0)                      # its pages file is created: nothing read yet
    display.last_line -= shown.HEARTBEAT
    display.heartbeat()
    assert out.getvalue().endswith("] still reading scan.pdf (0 s)\n")
    display.pages_read("scan.pdf", 3)
    display.last_line -= shown.HEARTBEAT
    display.heartbeat()
    assert re.search(r"\[files 1/2, pages 7/24, ETA \d+(m\d\d)?s\] page 3/20 of scan\.pdf \(\d+ s\)$", out.getvalue())
    display("scan.pdf", None, None)
    display.pages_read("scan.pdf", 4)                      # a late poll of a finished file: ignored
    assert display._pages() == "pages 24/24"


def test_the_bar_moves_by_the_pages_read_inside_a_file():
    from rich.progress import Progress
    console = Console(file=io.StringIO(), width=200, force_terminal=True)
    with Progress(console=console) as bar:
        display = shown.IngestProgress(console, bar)
        display.planned(1, {"scan.pdf": 6})
        display.started("scan.pdf")
        display.pages_read("scan.pdf", 2)
        task, = bar.tasks
        assert (task.completed, task.total, task.fields["current"]) == (2, 6, "scan.pdf p2")
        display.pages_read("scan.pdf", 9)                   # never past the pages counted
        assert task.completed == 6
