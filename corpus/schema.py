"""The corpus schema as numbered migrations; `PRAGMA user_version` records where a database is.

An older database upgrades in place inside one transaction; a newer one is refused.
"""

from __future__ import annotations

import sqlite3

from corpus.counts import ISSUE_COUNTS_SCHEMA
from errors import SchemaOutOfDate

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE documents (
        sha256      TEXT PRIMARY KEY,
        path        TEXT NOT NULL,
        kind        TEXT,
        pages       INTEGER,
        ocr_pages   TEXT NOT NULL DEFAULT '[]',
        status      TEXT NOT NULL CHECK (status IN ('imported', 'duplicate', 'failed')),
        error       TEXT,
        issue_id    TEXT,
        run_id      INTEGER REFERENCES runs(run_id),
        added_at    TEXT NOT NULL
    );
    CREATE TABLE issues (
        issue_id    TEXT PRIMARY KEY,
        series      TEXT,
        year        INTEGER,
        issue_no    INTEGER,
        total_no    INTEGER,
        date        TEXT,
        editor      TEXT,
        sha256      TEXT NOT NULL REFERENCES documents(sha256),
        source_kind TEXT NOT NULL,
        n_pages     INTEGER,
        report_to   TEXT NOT NULL DEFAULT '[]',
        copy_to     TEXT NOT NULL DEFAULT '[]',
        warnings    TEXT NOT NULL DEFAULT '[]'
    );
    CREATE UNIQUE INDEX issues_key ON issues(series, year, issue_no) WHERE issue_no IS NOT NULL;
    CREATE INDEX issues_date ON issues(date);
    CREATE TABLE articles (
        article_id  TEXT PRIMARY KEY,
        issue_id    TEXT NOT NULL REFERENCES issues(issue_id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        title       TEXT NOT NULL,
        subtitle    TEXT,
        text        TEXT NOT NULL,
        pages       TEXT NOT NULL DEFAULT '[]',
        ocr_confidence REAL,
        low_confidence INTEGER NOT NULL DEFAULT 0,
        UNIQUE (issue_id, seq)
    );
    CREATE TABLE labels (
        article_id  TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('topic', 'company')),
        label       TEXT NOT NULL,
        source      TEXT NOT NULL CHECK (source IN ('model', 'human')),
        value       INTEGER NOT NULL CHECK (value IN (0, 1)),
        score       REAL,
        model_version TEXT,
        who         TEXT,
        at          TEXT NOT NULL,
        PRIMARY KEY (article_id, kind, label, source)
    );
    CREATE INDEX labels_by_label ON labels(kind, label, value);
    CREATE TABLE label_history (
        id          INTEGER PRIMARY KEY,
        article_id  TEXT NOT NULL,
        kind        TEXT NOT NULL,
        label       TEXT NOT NULL,
        source      TEXT NOT NULL,
        old_value   INTEGER,
        new_value   INTEGER,
        old_score   REAL,
        new_score   REAL,
        model_version TEXT,
        who         TEXT,
        at          TEXT NOT NULL
    );
    CREATE INDEX label_history_article ON label_history(article_id);
    CREATE TABLE entities (
        id          INTEGER PRIMARY KEY,
        article_id  TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        label       TEXT,
        text        TEXT NOT NULL,
        start       INTEGER NOT NULL,
        end         INTEGER NOT NULL,
        field       TEXT NOT NULL DEFAULT 'text'
    );
    CREATE INDEX entities_article ON entities(article_id);
    CREATE TABLE doc_tables (
        table_id    INTEGER PRIMARY KEY,
        issue_id    TEXT NOT NULL REFERENCES issues(issue_id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        title       TEXT,
        period      TEXT,
        note        TEXT,
        header      TEXT NOT NULL DEFAULT '[]',
        pages       TEXT NOT NULL DEFAULT '[]',
        UNIQUE (issue_id, seq)
    );
    CREATE TABLE table_rows (
        table_id    INTEGER NOT NULL REFERENCES doc_tables(table_id) ON DELETE CASCADE,
        row_no      INTEGER NOT NULL,
        cells       TEXT NOT NULL,
        PRIMARY KEY (table_id, row_no)
    );
    CREATE TABLE runs (
        run_id      INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        args        TEXT,
        imported    INTEGER NOT NULL DEFAULT 0,
        present     INTEGER NOT NULL DEFAULT 0,
        duplicates  INTEGER NOT NULL DEFAULT 0,
        failed      INTEGER NOT NULL DEFAULT 0,
        warnings    INTEGER NOT NULL DEFAULT 0
    );
    -- the tags in force: a human label beats the model's for the same article and label
    CREATE VIEW tags_in_force AS
        SELECT l.* FROM labels l
        WHERE l.source = 'human' OR NOT EXISTS (
            SELECT 1 FROM labels h WHERE h.article_id = l.article_id AND h.kind = l.kind
            AND h.label = l.label AND h.source = 'human');
    -- Chinese full-text search: the text is stored pre-segmented by jieba (space separated)
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        article_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 0'
    );
    """,
    # 2: the review queue remembers what a curator has seen, so `jianbao review` resumes
    """
    CREATE TABLE reviews (
        article_id  TEXT PRIMARY KEY REFERENCES articles(article_id) ON DELETE CASCADE,
        action      TEXT NOT NULL CHECK (action IN ('accepted', 'edited', 'skipped')),
        who         TEXT,
        at          TEXT NOT NULL
    );
    """,
    # 3: the tags in force, materialised with the article's date: trends and cross-tabs over
    # 200,000 articles read one index instead of resolving human-over-model per label row
    """
    ALTER TABLE articles ADD COLUMN date TEXT;
    UPDATE articles SET date = (SELECT date FROM issues WHERE issues.issue_id = articles.issue_id);
    CREATE INDEX articles_date ON articles(date);
    CREATE TABLE tags (
        article_id  TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        label       TEXT NOT NULL,
        score       REAL,
        source      TEXT NOT NULL,
        date        TEXT,
        PRIMARY KEY (article_id, kind, label)
    ) WITHOUT ROWID;
    CREATE INDEX tags_by_label ON tags(kind, label, date);
    INSERT INTO tags SELECT t.article_id, t.kind, t.label, t.score, t.source, a.date
        FROM tags_in_force t JOIN articles a USING (article_id) WHERE t.value = 1;
    """,
    # 4: article listings page through date order without sorting the whole corpus
    """
    CREATE INDEX articles_listing ON articles(date, issue_id, seq);
    """,
    # 5: each article's tags as bit masks (bits from label_bits), so a topic x company
    # cross-tab is one GROUP BY over the articles instead of a self-join of the tags
    """
    CREATE TABLE label_bits (
        kind  TEXT NOT NULL,
        label TEXT NOT NULL,
        bit   INTEGER NOT NULL,
        PRIMARY KEY (kind, label),
        UNIQUE (kind, bit)
    );
    INSERT INTO label_bits SELECT kind, label, ROW_NUMBER() OVER (PARTITION BY kind ORDER BY label) - 1
        FROM (SELECT DISTINCT kind, label FROM tags);
    ALTER TABLE articles ADD COLUMN topic_mask INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN company_mask INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET
        topic_mask = (SELECT COALESCE(SUM(1 << b.bit), 0) FROM tags t JOIN label_bits b USING (kind, label)
                      WHERE t.article_id = articles.article_id AND t.kind = 'topic'),
        company_mask = (SELECT COALESCE(SUM(1 << b.bit), 0) FROM tags t JOIN label_bits b USING (kind, label)
                        WHERE t.article_id = articles.article_id AND t.kind = 'company');
    """,
    # 6: each company mention's role (actor, participant, object, passing, impersonated, payment),
    # its firm's score and the local unit it names; older rows stay NULL until `jianbao reclassify`
    """
    ALTER TABLE entities ADD COLUMN role TEXT;
    ALTER TABLE entities ADD COLUMN score REAL;
    ALTER TABLE entities ADD COLUMN unit TEXT;
    CREATE INDEX entities_company_role ON entities(label, role) WHERE kind = 'company';
    """,
    # 7: what a document holds besides articles and tables: its cover (front matter) and its
    # navigation (目录 entries, group headings), kept so that no text of a page is lost
    """
    ALTER TABLE issues ADD COLUMN front TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE issues ADD COLUMN navigation TEXT NOT NULL DEFAULT '[]';
    """,
    # 8: how a run ended (finished | interrupted; NULL while running or after a kill) and how
    # many folder entries it skipped
    """
    ALTER TABLE runs ADD COLUMN state TEXT;
    ALTER TABLE runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
    UPDATE runs SET state = 'finished' WHERE finished_at IS NOT NULL;
    """,
    # 9: articles, tags, topic x company pairs and company mentions counted per month, kept exact by triggers on
    # every write (ingest, human labels, reclassify, replaced issues and their cascades): trends
    # and cross-tabs over 200,000 articles read a few thousand counts instead of every tag
    # (first the tag masks are mended: two labels an article brought in at once got one bit,
    # and the second was missing from that article's mask; and each search row takes its
    # article's rowid, so that search ranks and filters without reading the rows' content)
    """
    INSERT INTO label_bits SELECT kind, label, (SELECT COALESCE(MAX(bit) + 1, 0) FROM label_bits b
        WHERE b.kind = n.kind) + ROW_NUMBER() OVER (PARTITION BY kind ORDER BY label) - 1 FROM
        (SELECT DISTINCT t.kind, t.label FROM tags t WHERE NOT EXISTS (SELECT 1 FROM label_bits b
         WHERE b.kind = t.kind AND b.label = t.label)) n;
    CREATE TEMP TABLE masks AS SELECT article_id, topic_mask, company_mask FROM (SELECT article_id,
        (SELECT COALESCE(SUM(1 << b.bit), 0) FROM tags t JOIN label_bits b USING (kind, label)
         WHERE t.article_id = a.article_id AND t.kind = 'topic') topic_mask,
        (SELECT COALESCE(SUM(1 << b.bit), 0) FROM tags t JOIN label_bits b USING (kind, label)
         WHERE t.article_id = a.article_id AND t.kind = 'company') company_mask,
        a.topic_mask old_topics, a.company_mask old_companies FROM articles a)
        WHERE topic_mask != old_topics OR company_mask != old_companies;
    UPDATE articles SET topic_mask = (SELECT topic_mask FROM masks m WHERE m.article_id = articles.article_id),
        company_mask = (SELECT company_mask FROM masks m WHERE m.article_id = articles.article_id)
        WHERE article_id IN (SELECT article_id FROM masks);
    DROP TABLE masks;
    CREATE TEMP TABLE fts_moved AS SELECT f.rowid old, f.article_id, f.title, f.text
        FROM articles_fts f LEFT JOIN articles a ON a.rowid = f.rowid WHERE a.article_id IS NOT f.article_id;
    DELETE FROM articles_fts WHERE rowid IN (SELECT old FROM fts_moved);
    INSERT INTO articles_fts (rowid, article_id, title, text)
        SELECT a.rowid, m.article_id, m.title, m.text FROM fts_moved m JOIN articles a USING (article_id);
    DROP TABLE fts_moved;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        DELETE FROM articles_fts WHERE rowid = OLD.rowid;
    END;
    CREATE TABLE month_articles (
        month TEXT PRIMARY KEY,
        n     INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE month_tags (
        kind  TEXT NOT NULL,
        label TEXT NOT NULL,
        month TEXT NOT NULL,
        n     INTEGER NOT NULL,
        PRIMARY KEY (kind, label, month)
    ) WITHOUT ROWID;
    CREATE TABLE month_pairs (
        month   TEXT NOT NULL,
        topic   TEXT NOT NULL,
        company TEXT NOT NULL,
        n       INTEGER NOT NULL,
        PRIMARY KEY (month, topic, company)
    ) WITHOUT ROWID;
    INSERT INTO month_articles SELECT substr(date, 1, 7), COUNT(*) FROM articles
        WHERE date IS NOT NULL GROUP BY 1;
    INSERT INTO month_tags SELECT kind, label, substr(date, 1, 7), COUNT(*) FROM tags
        WHERE date IS NOT NULL GROUP BY 1, 2, 3;
    INSERT INTO month_pairs SELECT substr(t.date, 1, 7), t.label, c.label, COUNT(*) FROM tags t
        JOIN tags c ON c.article_id = t.article_id AND c.kind = 'company'
        WHERE t.kind = 'topic' AND t.date IS NOT NULL GROUP BY 1, 2, 3;
    CREATE TABLE month_mentions (
        label TEXT NOT NULL,
        month TEXT NOT NULL,
        n     INTEGER NOT NULL,
        PRIMARY KEY (label, month)
    ) WITHOUT ROWID;
    INSERT INTO month_mentions SELECT e.label, substr(a.date, 1, 7), COUNT(DISTINCT e.article_id)
        FROM entities e JOIN articles a USING (article_id)
        WHERE e.kind = 'company' AND e.label IS NOT NULL AND a.date IS NOT NULL GROUP BY 1, 2;
    CREATE TRIGGER month_articles_insert AFTER INSERT ON articles WHEN NEW.date IS NOT NULL BEGIN
        INSERT INTO month_articles VALUES (substr(NEW.date, 1, 7), 1)
            ON CONFLICT (month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_articles_delete AFTER DELETE ON articles WHEN OLD.date IS NOT NULL BEGIN
        UPDATE month_articles SET n = n - 1 WHERE month = substr(OLD.date, 1, 7);
        DELETE FROM month_articles WHERE month = substr(OLD.date, 1, 7) AND n = 0;
    END;
    CREATE TRIGGER month_articles_update AFTER UPDATE OF date ON articles
            WHEN OLD.date IS NOT NEW.date BEGIN
        UPDATE month_articles SET n = n - 1 WHERE month = substr(OLD.date, 1, 7);
        DELETE FROM month_articles WHERE month = substr(OLD.date, 1, 7) AND n = 0;
        INSERT INTO month_articles SELECT substr(NEW.date, 1, 7), 1 WHERE NEW.date IS NOT NULL
            ON CONFLICT (month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_tags_insert AFTER INSERT ON tags WHEN NEW.date IS NOT NULL BEGIN
        INSERT INTO month_tags VALUES (NEW.kind, NEW.label, substr(NEW.date, 1, 7), 1)
            ON CONFLICT (kind, label, month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_tags_delete AFTER DELETE ON tags WHEN OLD.date IS NOT NULL BEGIN
        UPDATE month_tags SET n = n - 1
            WHERE kind = OLD.kind AND label = OLD.label AND month = substr(OLD.date, 1, 7);
        DELETE FROM month_tags
            WHERE kind = OLD.kind AND label = OLD.label AND month = substr(OLD.date, 1, 7) AND n = 0;
    END;
    CREATE TRIGGER month_tags_update AFTER UPDATE OF kind, label, date ON tags BEGIN
        UPDATE month_tags SET n = n - 1
            WHERE kind = OLD.kind AND label = OLD.label AND month = substr(OLD.date, 1, 7);
        DELETE FROM month_tags
            WHERE kind = OLD.kind AND label = OLD.label AND month = substr(OLD.date, 1, 7) AND n = 0;
        INSERT INTO month_tags SELECT NEW.kind, NEW.label, substr(NEW.date, 1, 7), 1
            WHERE NEW.date IS NOT NULL ON CONFLICT (kind, label, month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_mentions_insert AFTER INSERT ON entities
            WHEN NEW.kind = 'company' AND NEW.label IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e
            WHERE e.article_id = NEW.article_id AND e.kind = 'company' AND e.label = NEW.label
            AND e.id != NEW.id) BEGIN
        INSERT INTO month_mentions SELECT NEW.label, substr(a.date, 1, 7), 1 FROM articles a
            WHERE a.article_id = NEW.article_id AND a.date IS NOT NULL
            ON CONFLICT (label, month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_mentions_delete AFTER DELETE ON entities
            WHEN OLD.kind = 'company' AND OLD.label IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e
            WHERE e.article_id = OLD.article_id AND e.kind = 'company' AND e.label = OLD.label) BEGIN
        UPDATE month_mentions SET n = n - 1 WHERE label = OLD.label
            AND month = (SELECT substr(date, 1, 7) FROM articles WHERE article_id = OLD.article_id);
        DELETE FROM month_mentions WHERE label = OLD.label AND n = 0;
    END;
    -- an article's mentions go before it, while its date can still be read
    CREATE TRIGGER month_mentions_article_delete BEFORE DELETE ON articles BEGIN
        DELETE FROM entities WHERE article_id = OLD.article_id;
    END;
    CREATE TRIGGER month_mentions_article_date AFTER UPDATE OF date ON articles
            WHEN OLD.date IS NOT NEW.date BEGIN
        UPDATE month_mentions SET n = n - 1 WHERE month = substr(OLD.date, 1, 7) AND label IN
            (SELECT label FROM entities WHERE article_id = NEW.article_id AND kind = 'company');
        DELETE FROM month_mentions WHERE month = substr(OLD.date, 1, 7) AND n = 0;
        INSERT INTO month_mentions SELECT DISTINCT label, substr(NEW.date, 1, 7), 1 FROM entities
            WHERE article_id = NEW.article_id AND kind = 'company' AND label IS NOT NULL
            AND NEW.date IS NOT NULL ON CONFLICT (label, month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_pairs_insert AFTER INSERT ON articles
            WHEN NEW.date IS NOT NULL AND NEW.topic_mask != 0 AND NEW.company_mask != 0 BEGIN
        INSERT INTO month_pairs SELECT substr(NEW.date, 1, 7), t.label, c.label, 1
            FROM label_bits t, label_bits c WHERE t.kind = 'topic' AND c.kind = 'company'
            AND (NEW.topic_mask >> t.bit) & 1 AND (NEW.company_mask >> c.bit) & 1
            ON CONFLICT (month, topic, company) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER month_pairs_delete AFTER DELETE ON articles
            WHEN OLD.date IS NOT NULL AND OLD.topic_mask != 0 AND OLD.company_mask != 0 BEGIN
        UPDATE month_pairs SET n = n - 1 WHERE month = substr(OLD.date, 1, 7) AND (topic, company) IN
            (SELECT t.label, c.label FROM label_bits t, label_bits c WHERE t.kind = 'topic'
             AND c.kind = 'company' AND (OLD.topic_mask >> t.bit) & 1 AND (OLD.company_mask >> c.bit) & 1);
        DELETE FROM month_pairs WHERE month = substr(OLD.date, 1, 7) AND n = 0;
    END;
    CREATE TRIGGER month_pairs_update AFTER UPDATE OF topic_mask, company_mask, date ON articles
            WHEN OLD.topic_mask IS NOT NEW.topic_mask OR OLD.company_mask IS NOT NEW.company_mask
            OR OLD.date IS NOT NEW.date BEGIN
        UPDATE month_pairs SET n = n - 1 WHERE month = substr(OLD.date, 1, 7) AND (topic, company) IN
            (SELECT t.label, c.label FROM label_bits t, label_bits c WHERE t.kind = 'topic'
             AND c.kind = 'company' AND (OLD.topic_mask >> t.bit) & 1 AND (OLD.company_mask >> c.bit) & 1);
        DELETE FROM month_pairs WHERE month = substr(OLD.date, 1, 7) AND n = 0;
        INSERT INTO month_pairs SELECT substr(NEW.date, 1, 7), t.label, c.label, 1
            FROM label_bits t, label_bits c WHERE NEW.date IS NOT NULL AND t.kind = 'topic'
            AND c.kind = 'company' AND (NEW.topic_mask >> t.bit) & 1 AND (NEW.company_mask >> c.bit) & 1
            ON CONFLICT (month, topic, company) DO UPDATE SET n = n + 1;
    END;
    """,
    # 10: the same counts per issue (and date), kept by triggers like the monthly ones: trends
    # --by issue read them instead of grouping every article and tag (corpus.counts)
    ISSUE_COUNTS_SCHEMA,
    # 11: why a passing mention is set aside whatever the model scores (models.aside.SET_ASIDE:
    # related, credit, recipient, former, comparison, landmark, policy, case); NULL otherwise
    """
    ALTER TABLE entities ADD COLUMN aside TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: str = ":memory:") -> int:
    """Bring the database to SCHEMA_VERSION in one transaction; refuse a newer database."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaOutOfDate(
            f"{path}: database schema v{current} is newer than this jianbao (v{SCHEMA_VERSION}); "
            "upgrade jianbao to open it")
    if current == SCHEMA_VERSION:
        return current
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3's executescript would commit on its own)."""
    out, buf = [], ""
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s.strip(" ;\n")]
