"""Progress and summary of an import on stderr."""

from __future__ import annotations

from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from errors import display_path
from jianbao.render import err_console


@contextmanager
def ingest_progress():
    """A progress callback for import_paths: files and pages done, rate and ETA."""
    console = err_console()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[pages]} pages, {task.fields[rate]:.1f} pages/s"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("files", total=None, pages=0, rate=0.0)

        def update(path, outcome, report):
            status = getattr(outcome, "status", "failed")
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, advance=1, pages=report.pages, rate=report.pages / elapsed)
            if not console.is_terminal:
                console.print(f"  {status:9} {display_path(path)}", markup=False)
        yield update


def print_report(report) -> None:
    console = err_console()
    for failure in report.failures:
        console.print(f"Error: {failure.path}: {failure.reason}", markup=False)
    for path, warning in report.warnings:
        console.print(f"Warning: {display_path(path)}: {warning}", markup=False)
    for path, reason in report.skipped:
        console.print(f"Skipped: {path}: {reason}", markup=False)
    c = report.counts
    console.print(f"imported {c['imported']} ({c['articles']} articles, {c['pages']} pages), "
                  f"already present {c['present']}, duplicates {c['duplicate']}, "
                  f"failed {c['failed']}, skipped {c['skipped']}, warnings {c['warnings']}", markup=False)
