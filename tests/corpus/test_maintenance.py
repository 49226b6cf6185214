"""`jianbao backup` and `jianbao check`, and what every command says about a damaged corpus."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from corpus.maintenance import backup, check
from errors import OutputNotWritable
from jianbao.cli import app
from pipeline.resources import open_corpus
from tests.conftest import ROOT

SAMPLES = [ROOT / "examples" / "2025-06.pdf", ROOT / "examples" / "2025-11.pdf"]


def run(*args):
    result = CliRunner().invoke(app, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def db(env):
    assert run("ingest", *SAMPLES, "--no-tag").exit_code == 0
    return env / "test.db"


def _damage(db):
    """Overwrite the root pages of the tables every command reads (the schema stays readable,
    as after a disk error in the middle of the file)."""
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE rootpage > 0 AND tbl_name IN"
                                        " ('articles', 'issues', 'tags', 'labels', 'articles_fts_data')")]
    conn.close()
    data = bytearray(db.read_bytes())
    for page in roots:
        start = (page - 1) * size
        data[start: start + size] = b"\xff" * size
    db.write_bytes(bytes(data))


def test_a_backup_is_a_checked_copy_with_every_article(db, tmp_path):
    with open_corpus(db) as corpus:
        report = backup(corpus, tmp_path / "copy.db")
        with pytest.raises(OutputNotWritable, match="exists already"):
            backup(corpus, tmp_path / "copy.db")
    assert report.articles == 19
    with open_corpus(tmp_path / "copy.db", create=False) as copy:
        assert copy.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 19
        assert check(copy).ok
    assert not list(tmp_path.glob("*.partial"))


def test_check_finds_a_search_row_lost_and_tags_out_of_step(db):
    with open_corpus(db) as corpus:
        assert check(corpus).ok
        corpus.conn.execute("DELETE FROM articles_fts WHERE article_id = '2025-06-03'")
        corpus.conn.execute("INSERT INTO tags VALUES ('2025-06-04', 'topic', 'anti_fraud', 1, 'human', NULL)")
        report = check(corpus)
    problems = {c.name: c.problems for c in report.checks}
    assert problems["search rows"] == ("article 2025-06-03 is missing from the search index",)
    assert problems["tags"] and "2025-06-04" in problems["tags"][0]
    assert not report.ok and problems["integrity"] == ()


def test_backup_and_check_from_the_cli(db, tmp_path):
    result = run("backup", tmp_path / "copy.db")
    assert result.exit_code == 0 and "19 articles" in result.stderr
    assert run("--db", tmp_path / "copy.db", "check").exit_code == 0
    again = run("backup", tmp_path / "copy.db")
    assert again.exit_code == 1 and again.stderr.startswith(f"Error: {tmp_path / 'copy.db'}: cannot be written")


def test_check_lists_the_damage_of_a_corrupt_file_and_exits_1(db):
    _damage(db)
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    assert "integrity" in result.stdout and "ok" in result.stdout    # the schema check still passes
    assert result.stderr.startswith(f"Error: {db}: damaged") and "jianbao backup" in result.stderr


# (trends read the small monthly count tables, which a damage elsewhere in the file may spare)
@pytest.mark.parametrize("args", [("stats",), ("search", "快递"), ("articles",), ("labels", "export"),
                                  ("backup", "{tmp}/copy.db")], ids=" ".join)
def test_a_damaged_corpus_is_named_with_the_way_out_not_a_traceback(db, args):
    _damage(db)
    result = run(*(a.format(tmp=db.parent) for a in args))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {db}: the database is damaged")
    assert "jianbao check" in result.stderr and "jianbao backup" in result.stderr


def test_a_truncated_corpus_is_named(db):
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    result = run("stats")
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {db}: the database is damaged")


def test_a_db_in_a_missing_folder_is_named(env):
    missing = env / "no-such-folder" / "jianbao.db"
    result = run("--db", missing, "ingest", SAMPLES[0], "--no-tag")
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {missing}: cannot be opened: its folder")


def test_sqlite_errors_that_are_not_damage_keep_their_type():
    with pytest.raises(sqlite3.OperationalError):
        with open_corpus(":memory:") as corpus:
            corpus.conn.execute("SELECT * FROM no_such_table")
