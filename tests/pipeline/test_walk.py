"""Folder walks and inputs that are not documents: nothing hangs, nothing is skipped silently,
the content decides what a file is (not its name), names are printed safely."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from typer.testing import CliRunner

from jianbao.cli import app
from pipeline.importer import import_paths
from pipeline.resources import memory_corpus
from tests.conftest import ROOT

SAMPLE = ROOT / "examples" / "2025-06.pdf"


def test_a_fifo_inside_a_folder_is_skipped_with_a_reason_not_read(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "good.pdf")
    os.mkfifo(folder / "pipe.pdf")                 # opening it to read would block forever
    with memory_corpus() as corpus:
        report = import_paths(corpus, [folder])
    assert report.counts["imported"] == 1
    assert [(p.rsplit("/", 1)[1], r) for p, r in report.skipped] == \
        [("pipe.pdf", "not a regular file (a FIFO, device or socket)")]


def test_a_fifo_or_device_named_on_the_command_line_fails_at_once(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    with memory_corpus() as corpus:
        report = import_paths(corpus, [fifo, "/dev/zero", SAMPLE])
    assert report.counts["imported"] == 1
    assert [f.error_type for f in report.failures] == ["NotARegularFile", "NotARegularFile"]


def test_content_not_the_name_decides(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "2025-06.PDF.txt")         # a PDF whatever its name says
    (folder / "notes.txt").write_text("会议记录", encoding="utf-8")
    (folder / ".hidden.pdf").write_bytes(SAMPLE.read_bytes())
    with memory_corpus() as corpus:
        report = import_paths(corpus, [folder])
    assert report.counts["imported"] == 1 and report.counts["skipped"] == 2
    reasons = dict((p.rsplit("/", 1)[1], r) for p, r in report.skipped)
    assert reasons[".hidden.pdf"] == "hidden" and "unsupported file type" in reasons["notes.txt"]


def test_skipped_files_are_listed_and_counted_by_the_cli(env, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a.pdf")
    (folder / "readme.md").write_text("说明", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-tag"])
    assert result.exit_code == 0
    assert f"Skipped: {folder / 'readme.md'}: unsupported file type" in result.stderr
    assert "skipped 1" in result.stderr


def test_a_gbk_file_name_does_not_stop_the_batch(env, tmp_path):
    name = os.fsdecode("报告.pdf".encode("gbk"))            # not UTF-8: a surrogate-escaped str
    bad = tmp_path / name
    shutil.copy(SAMPLE, bad)
    result = CliRunner().invoke(app, ["ingest", str(bad), "--no-tag"])
    assert result.exit_code == 0, result.output
    assert "imported 1" in result.stderr


@pytest.mark.parametrize("name", ["a\nb.txt", "x\x1b[31mred.txt"])
def test_control_characters_in_file_names_are_escaped(env, tmp_path, name):
    path = tmp_path / name
    path.write_text("不是PDF", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(path), "--no-tag"])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "a\nb" not in result.stderr
    assert "\\x0a" in result.stderr or "\\x1b" in result.stderr


def test_ctrl_c_records_the_runs_true_counts_and_says_how_to_resume(tmp_path):
    from corpus.queries import run_records
    from errors import Interrupted
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("2025-06", "2025-11"):
        shutil.copy(ROOT / "examples" / f"{name}.pdf", folder / f"{name}.pdf")

    def stop_after_first(path, outcome, report):
        raise KeyboardInterrupt

    with memory_corpus() as corpus:
        with pytest.raises(Interrupted, match="run the same command again") as err:
            import_paths(corpus, [folder], progress=stop_after_first)
        assert err.value.exit_code == 130
        run, = run_records(corpus.conn)
        assert (run["state"], run["imported"]) == ("interrupted", 1) and run["seconds"] is not None


def test_a_killed_run_shows_what_it_stored(tmp_path):
    from corpus.queries import run_records
    from ingest import parse_file
    with memory_corpus() as corpus:
        run_id = corpus.start_run({"paths": ["x"]})
        corpus.add_bulletin(parse_file(SAMPLE), run_id=run_id)     # then kill -9: no finish_run
        run, = run_records(corpus.conn)
        assert (run["state"], run["imported"], run["seconds"]) == ("killed or running", 1, None)


def test_a_text_pdf_is_parsed_once_when_the_corpus_knows_text_issues(monkeypatch):
    """Before: the scan probe read every page of a text PDF to see that page 1 had text, then the
    parse read them all again (each document after the first of a bulk import)."""
    import ingest.pdf
    from pipeline.worker import Job, work
    read, real = [], ingest.pdf._read_page
    monkeypatch.setattr(ingest.pdf, "_read_page", lambda pdfium, plumber, i: read.append(i) or real(pdfium, plumber, i))
    parsed = work(Job(str(SAMPLE), "d", known_issues=frozenset({"2019-03"}), isolated=False))
    assert parsed.bulletin is not None and parsed.duplicate_of is None
    assert sorted(read) == list(range(parsed.pages))          # page 1's text told the probe enough


def test_a_scan_of_an_issue_stored_from_its_text_pdf_is_known_from_page_one(tmp_path):
    """The duplicate is recorded after one page of OCR, not a whole scan's (first `make run`)."""
    from pipeline.worker import Job, work
    scan = ROOT / "examples" / "scans" / "2025-06-scan.pdf"
    parsed = work(Job(str(scan), "d", known_issues=frozenset({"2025-06"}), isolated=False))
    assert (parsed.duplicate_of, parsed.bulletin) == ("2025-06", None)
    assert work(Job(str(scan), "d", known_issues=frozenset({"2019-03"}), isolated=False)).bulletin is not None
    folder = tmp_path / "batch"
    (folder / "scans").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "2025-06.pdf")
    shutil.copy(scan, folder / "scans" / "2025-06-scan.pdf")
    with memory_corpus() as corpus:
        report = import_paths(corpus, [folder])
        assert (report.counts["imported"], report.counts["duplicate"]) == (1, 1)
        status = corpus.conn.execute("SELECT status, issue_id FROM documents WHERE path LIKE '%scan.pdf'").fetchone()
        assert tuple(status) == ("duplicate", "2025-06")


def test_loose_pages_beside_issue_folders_are_one_issue_and_each_folder_its_own(tmp_path):
    """Issue 17: a folder with one loose page and a 6-page sub-folder was one 1-page issue and the
    sub-folder was skipped with no message."""
    from PIL import Image

    from pipeline.importer import iter_inputs
    folder = tmp_path / "scans"
    (folder / "2025-06").mkdir(parents=True)
    (folder / "2025-07").mkdir()
    Image.new("L", (120, 160), 255).save(folder / "cover.png")
    for issue in ("2025-06", "2025-07"):
        for n in (1, 2):
            Image.new("L", (120, 160), 255).save(folder / issue / f"page{n}.png")
    (folder / ".thumbs.png").write_bytes(b"")
    skipped = []
    assert list(iter_inputs([folder], skipped=skipped)) == [folder, folder / "2025-06", folder / "2025-07"]
    assert skipped == [(str(folder / ".thumbs.png"), "hidden")]
    with memory_corpus() as corpus:              # blank pages: each issue is read (and named) on its own
        report = import_paths(corpus, [folder])
    assert sorted(f.path for f in report.failures) == sorted(str(p) for p in
                                                             (folder, folder / "2025-06", folder / "2025-07"))
    assert {f.error_type for f in report.failures} == {"NoTextFound"}


def test_an_import_piped_to_a_log_has_totals_an_eta_and_a_line_per_file(env):
    """Issue 17: the bar read `files 1/?` with no total or ETA, and a log got nothing for a minute."""
    samples = [ROOT / "examples" / f"{name}.pdf" for name in ("2025-06", "2025-11", "2026-02")]
    result = CliRunner().invoke(app, ["ingest", *map(str, samples), "--no-tag"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    total = sum(int(re.search(r"(\d+) pages", line).group(1)) for line in lines if line.startswith("imported"))
    assert lines[0] == f"to read: 3 file(s), {total} page(s)"
    assert re.fullmatch(rf"\[files 1/3, pages \d+/{total}, ETA \d+(m\d\d)?s\] imported  .*2025-06\.pdf", lines[1])
    assert re.fullmatch(rf"\[files 3/3, pages {total}/{total}\] imported  .*2026-02\.pdf", lines[3])


def test_pages_are_counted_without_reading_them(tmp_path):
    from PIL import Image

    from ingest.pagecount import count_pages
    Image.new("L", (50, 50), 255).save(tmp_path / "p.tif", save_all=True,
                                        append_images=[Image.new("L", (50, 50), 255)] * 2)
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4\n")
    assert count_pages(SAMPLE) == 6 and count_pages(tmp_path / "p.tif") == 3
    assert count_pages(tmp_path / "junk.pdf") is None and count_pages(tmp_path / "missing.pdf") is None


def test_a_huge_file_is_named_as_too_slow_to_read_and_the_batch_goes_on(env, tmp_path):
    """Issue 18: the importing process hashed a file whole before any time limit applied
    (20 GB: minutes of nothing, the batch held up)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    huge = folder / "huge.bin"                  # in a folder: sniffed from its head, a PDF
    huge.write_bytes(b"%PDF-1.7\n")
    os.truncate(huge, 20 << 30)                 # sparse: 20 GB of zeros that take no disk
    shutil.copy(SAMPLE, folder / "good.pdf")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-tag", "--time-limit", "5",
                                      "--max-memory-mb", str(64 << 10)])      # not refused by its size
    assert result.exit_code == 1, result.output
    assert (f"Error: {huge}: took longer than the time limit per document: 5 s reading its 20.0 GB "
            "to compute its hash") in result.stderr
    assert "imported 1" in result.stderr and "failed 1" in result.stderr
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-tag", "--max-memory-mb", "4096"])
    assert result.exit_code == 1, result.output                 # named before a byte of it is read
    assert (f"Error: {huge}: needed more than the memory ceiling per document: the file is 20480 MB, "
            "over the ceiling of 4096 MB (--max-memory-mb)") in result.stderr


def test_a_folder_of_page_images_is_hashed_under_the_time_limit_too(tmp_path):
    from errors import DocumentTooSlow
    from pipeline.importer import digest_of
    folder = tmp_path / "2025-06"
    folder.mkdir()
    page = folder / "page1.png"
    page.write_bytes(b"\x89PNG\r\n\x1a\n")                 # a page image by its head, 20 GB long
    os.truncate(page, 20 << 30)
    with pytest.raises(DocumentTooSlow, match=r"0\.5 s reading its 20\.0 GB to compute its hash") as err:
        digest_of(folder, within=0.5)
    assert err.value.path == folder                          # the document named, not its page
