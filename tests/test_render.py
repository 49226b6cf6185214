"""Terminal rendering: a long table stops with a note saying how to get every row; CSV and JSON
are never cut."""

from __future__ import annotations

import json

import pandas as pd

from jianbao.render import TABLE_ROWS, print_frame, print_rows


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"period": [f"p{i:05d}" for i in range(n)], "count": range(n)})


def test_a_long_table_shows_its_first_rows_and_says_how_to_get_them_all(capsys):
    print_frame(_frame(TABLE_ROWS + 7))
    out, err = capsys.readouterr()
    assert f"p{TABLE_ROWS - 1:05d}" in out and f"p{TABLE_ROWS:05d}" not in out
    assert err.strip() == (f"showing {TABLE_ROWS:,} of {TABLE_ROWS + 7:,} rows; --format csv or "
                           "--format json prints them all")


def test_a_table_that_fits_has_no_note(capsys):
    print_rows(("period", "count"), [(f"p{i}", i) for i in range(TABLE_ROWS)])
    out, err = capsys.readouterr()
    assert "p0" in out and f"p{TABLE_ROWS - 1}" in out and err == ""


def test_rows_given_as_a_generator_are_cut_and_counted(capsys):
    print_rows(("n",), ((i,) for i in range(TABLE_ROWS + 1)))
    assert f"of {TABLE_ROWS + 1:,} rows" in capsys.readouterr().err


def test_csv_and_json_print_every_row(capsys):
    frame = _frame(TABLE_ROWS + 7)
    print_frame(frame, "csv")
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == TABLE_ROWS + 8 and err == ""
    print_rows(list(frame.columns), frame.values.tolist(), "json")
    assert len(json.loads(capsys.readouterr().out)) == TABLE_ROWS + 7


MESSAGES = ["imported 1 (10 articles, 10 pages), already present 0", "Error: 简报/2025-06.pdf: 文件已损坏",
            "bell\a back\b vt\v ff\f cr\r end  ", "tab\t简报\tend", "a :fire: b", "tcp://host:8786 x:y:z",
            "[bold]not markup[/bold]", "", "multi\nline"]


def test_plain_stderr_writes_what_richs_console_writes_off_a_terminal(capsys, monkeypatch):
    from jianbao.render import PlainStderr, _rich_stderr
    for name in ("TTY_COMPATIBLE", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    assert PlainStderr.fits()
    for message in MESSAGES:
        _rich_stderr().print(message, markup=False)
        rich_err = capsys.readouterr().err
        PlainStderr().print(message, markup=False, highlight=False)
        assert capsys.readouterr().err == rich_err
    PlainStderr().print("two", "parts", markup=False)
    assert capsys.readouterr().err == "two parts\n"
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not PlainStderr.fits()


def test_show_names_every_reason_a_mention_is_set_aside():
    from jianbao.render import ASIDE, _aside
    from models.aside import SET_ASIDE

    assert set(ASIDE) == set(SET_ASIDE)
    assert _aside({"aside": "former"}) == ": a former employer" and _aside({"aside": None}) == ""
