"""The curator's loop: relabel -> retrain -> promote/rollback -> reclassify, no human label lost."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest

from pipeline.resources import open_corpus
from corpus import Corpus
from corpus.curation import reclassify, review_queue
from pipeline.curation import human_examples
from corpus.labels import LabelChange, apply_changes, history, parse_changes
from pipeline.tagging import load_bulletin_tagger, load_text_tagger
from ingest.document import Article, Bulletin, IssueMeta, SourceInfo
from errors import UnknownLabel
from models import Tagger, load_taxonomy, rollback, train_models
from models.promotion import PromotionRefused, promote_checked
from tests.conftest import ROOT

WHO = ("闵行", "浦东", "松江", "嘉定", "宝山", "青浦", "奉贤", "金山", "静安", "徐汇", "杨浦", "普陀")
FIRMS = ("中通快递", "圆通速递", "韵达快递", "申通快递", "顺丰速运", "京东物流")


def donation_articles() -> list[tuple[str, str]]:
    """Blood-donation stories: the default data has none, so the model guesses."""
    out = []
    for i, (district, firm) in enumerate(zip(WHO, FIRMS * 2)):
        out.append((f"{district}{firm}快递小哥参加无偿献血",
                    f"近日，{firm}{district}区网点组织员工参加无偿献血活动，{8 + i}名快递员捋起袖子，"
                    f"累计献血{2000 + 200 * i}毫升。快递员们说，献血是举手之劳，能帮助需要输血的病人，"
                    f"很有意义。街道献血办向网点赠送了锦旗，感谢快递小哥热心公益、奉献爱心。"))
    return out


def _bulletin(no: int, articles: list[tuple[str, str]]) -> Bulletin:
    arts = tuple(Article(i, t, None, (x,), (1,)) for i, (t, x) in enumerate(articles, 1))
    return Bulletin(IssueMeta("某简报", 2025, no, 600 + no, dt.date(2025, no, 5), None), arts,
                    source=SourceInfo(f"{no}.pdf", f"{no:064x}", "pdf", 1))


def _keys():
    tax = load_taxonomy()
    return {"topic": tax.topic_keys, "company": tax.company_keys}


def _model_tags(corpus: Corpus) -> set[tuple]:
    return {tuple(r) for r in corpus.conn.execute(
        "SELECT article_id, kind, label, value, score FROM labels WHERE source = 'model'")}


def _human(corpus: Corpus) -> set[tuple]:
    return {tuple(r) for r in corpus.conn.execute(
        "SELECT article_id, kind, label, value FROM labels WHERE source = 'human'")}


@pytest.fixture
def models(tmp_path):
    folder = tmp_path / "models"
    train_models(ROOT / "models" / "data", folder, seed=0)
    return folder


def test_relabel_retrain_rollback_reclassify(tmp_path, models):
    unseen = ("长宁德邦快递营业部员工参加无偿献血",
              "近日，德邦快递长宁区营业部组织员工参加无偿献血活动，9名快递员参与，累计献血2600毫升。")
    before = Tagger.load(models).tag(*unseen)
    assert "heroic_deeds" not in before.selected_topics
    with open_corpus(tmp_path / "c.db") as corpus:
        tag = load_bulletin_tagger(models)
        articles = donation_articles()
        corpus.add_bulletin(_bulletin(3, articles), tag(_bulletin(3, articles)))
        first_tags = _model_tags(corpus)
        # the curator corrects every donation story: it is a good deed, not a culture item
        changes = [c for i in range(1, len(articles) + 1) for c in parse_changes(
            f"2025-03-{i:02d}", ["+heroic_deeds", "-culture_publicity"], [], _keys())]
        apply_changes(corpus, changes, who="curator")
        human = _human(corpus)
        assert len(human) == 2 * len(articles)
        # retrain with the human labels: the new model has learnt the correction
        info = train_models(ROOT / "models" / "data", models, seed=0,
                            extra_examples=human_examples(corpus))
        assert info.n_human == len(articles) and info.cv_human is not None
        promote_checked(info.version, models)
        assert "heroic_deeds" in Tagger.load(models).tag(*unseen).selected_topics
        # re-tagging changes model rows only; human labels are untouched
        report = reclassify(corpus, load_text_tagger(models))
        assert report.articles == len(articles)
        assert _human(corpus) == human
        assert sum(report.added.values()) + sum(report.removed.values()) > 0
        # rollback, re-tag: exactly the first model's tags again, human labels still there
        rollback(models)
        reclassify(corpus, load_text_tagger(models))
        assert {t[:4] for t in _model_tags(corpus)} == {t[:4] for t in first_tags}
        assert {(a, k, l, v, round(s, 3)) for a, k, l, v, s in _model_tags(corpus)} == \
            {(a, k, l, v, round(s, 3)) for a, k, l, v, s in first_tags}
        assert _human(corpus) == human
        # the human label is what is in force
        force = corpus.conn.execute("SELECT value, source FROM tags_in_force WHERE article_id = "
                                    "'2025-03-01' AND label = 'heroic_deeds'").fetchall()
        assert [tuple(r) for r in force] == [(1, "human")]


def test_promotion_refuses_a_clearly_worse_model(tmp_path, models):
    import json
    from models import active_version, list_models, read_meta
    worse = train_models(ROOT / "models" / "data", models, seed=1)
    meta_path = models / worse.version / "meta.json"
    meta = read_meta(models, worse.version)
    meta["metrics"]["test"]["topics"]["macro_f1"] -= 0.2     # pretend it tested badly
    meta_path.write_text(json.dumps(meta))
    active = active_version(models)
    with pytest.raises(PromotionRefused, match="--force"):
        promote_checked(worse.version, models)
    assert active_version(models) == active
    assert promote_checked(worse.version, models, force=True) == worse.version
    assert len(list_models(models)) == 2


def _label_many(db: str, label: str, n: int) -> None:
    with open_corpus(db) as corpus:
        for i in range(1, n + 1):
            apply_changes(corpus, [LabelChange(f"2025-03-{i:02d}", "topic", label, 1)], who=label)


def test_concurrent_label_commands_lose_nothing(tmp_path):
    db = str(tmp_path / "c.db")
    with Corpus.open(db, segment=str) as corpus:
        corpus.add_bulletin(_bulletin(3, donation_articles()))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_label_many, args=(db, label, 12))
             for label in ("heroic_deeds", "worker_care")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Corpus.open(db, segment=str) as corpus:
        assert len(_human(corpus)) == 24
        assert len(history(corpus.conn)) == 24


def test_label_keys_are_checked_with_a_suggestion():
    with pytest.raises(UnknownLabel, match="did you mean 'anti_fraud'"):
        parse_changes("x", ["+anti_frad"], [], _keys())


def test_review_queue_orders_by_margin_and_resumes(tmp_path, models):
    from corpus.curation import mark_reviewed
    from pipeline.tagging import model_thresholds
    with open_corpus(tmp_path / "c.db") as corpus:
        articles = donation_articles()
        corpus.add_bulletin(_bulletin(3, articles), load_bulletin_tagger(models)(_bulletin(3, articles)))
        thresholds = model_thresholds(models)
        queue = review_queue(corpus.conn, thresholds, limit=50)
        assert len(queue) == len(articles)
        assert [q.margin for q in queue] == sorted(q.margin for q in queue)
        mark_reviewed(corpus, queue[0].article_id, "accepted", "curator")
        mark_reviewed(corpus, queue[1].article_id, "skipped", "curator")
        again = review_queue(corpus.conn, thresholds, limit=50)
        assert [q.article_id for q in again] == [q.article_id for q in queue[2:]]


def test_a_topic_added_later_is_not_reviewed_rather_than_negative(tmp_path, models):
    from corpus.curation import unreviewed_labels
    with open_corpus(tmp_path / "c.db") as corpus:
        articles = donation_articles()[:2]
        corpus.add_bulletin(_bulletin(3, articles), load_bulletin_tagger(models)(_bulletin(3, articles)))
        keys = _keys()
        assert unreviewed_labels(corpus.conn, "2025-03-01", keys) == []
        later = {"topic": keys["topic"] + ("blood_donation",), "company": keys["company"]}
        assert unreviewed_labels(corpus.conn, "2025-03-01", later) == [("topic", "blood_donation")]
        negatives = corpus.conn.execute("SELECT COUNT(*) FROM labels WHERE label = 'blood_donation'").fetchone()[0]
        assert negatives == 0
        apply_changes(corpus, [LabelChange("2025-03-01", "topic", "blood_donation", 1)], "ann")
        assert unreviewed_labels(corpus.conn, "2025-03-01", later) == []
