"""Trained-model behaviour: tagging, traditional twins, passing mentions, persistence and the registry."""

from __future__ import annotations

import json
import shutil

import pytest

from errors import IncompatibleModel, ModelNotFound
from models import Tagger, active_version, list_models, load_model, promote, rollback, train_models
from models import datafile
from models.persist import (ARRAYS_FILE, CHECKED_LIBRARIES, META_FILE, MODEL_FILE, check_model, file_sha256,
                            library_versions)
from models.train import DEFAULT_DATA_DIR

PASSING = (
    "圆通速递青浦转运中心开展夏季送清凉活动",
    "7月15日，圆通速递青浦转运中心为一线分拣员和驾驶员送上绿豆汤、防暑药品和清凉礼包。\n"
    "圆通速递相关负责人介绍，转运中心调整了作业时间，避开午间高温时段，并在场地内增设休息区和饮水点。\n"
    "据统计，今年上半年全市快递业务量同比增长12%，业务量排名靠前的有中国邮政、顺丰、中通、韵达、申通、京东物流等品牌。\n"
    "圆通速递还为户外快递员购买了高温补充保险，让一线员工安心度夏。",
)


def test_training_reports_every_label(trained):
    _, info = trained
    assert info.active and info.n_train > 0 and info.n_test > 0
    assert len(info.test.topics.labels) == 10 and len(info.cv.companies.labels) == 10
    assert 0 <= info.test.topics.macro_f1 <= 1


def test_tags_have_scores_for_every_label(tagger):
    tags = tagger.tag(*PASSING)
    assert len(tags.topics) == 10 and len(tags.companies) == 10
    assert all(0.0 <= p.score <= 1.0 for p in (*tags.topics, *tags.companies))
    assert tags.model_version == tagger.version and tags.selected_topics


def test_firms_named_in_a_market_statistic_are_not_tags(tagger):
    tags = tagger.tag(*PASSING)
    assert {m.company for m in tags.mentions} >= {"yto", "china_post", "sf", "zto", "jd"}
    assert tags.selected_companies == ("yto",)
    assert {m.role for m in tags.mentions if m.company == "sf"} == {"passing"}
    assert {m.role for m in tags.mentions if m.company == "yto"} <= {"actor", "participant", "object"}


def test_clash_names_yield_no_company(tagger):
    tags = tagger.tag("市邮政管理局联合申通地铁开展宣传",
                      "国家邮政局、上海市邮政管理局与申通地铁、中通客车、邮储银行和中国邮政储蓄银行共同开展宣传活动。")
    assert tags.mentions == () and tags.selected_companies == ()
    assert any(e.label == "ORG" and "邮政管理局" in e.text for e in tags.entities)
    # 上海邮政 is China Post's Shanghai branch, but not inside 上海邮政快递行业 (the whole industry)
    industry = tagger.tag("第三届上海邮政快递行业文化节开幕", "上海邮政快递行业文化节在静安区开幕，全市邮政快递企业职工参加。")
    assert industry.mentions == ()
    assert [m.text for m in tagger.tag("上海邮政开展集邮进校园", "上海邮政走进小学讲解邮票知识。").mentions] == ["上海邮政"] * 2


def test_mention_offsets_and_entities(tagger):
    tags = tagger.tag("快递员救人", "顺丰速运浦东营业部快递员在浦东新区救起落水老人。")
    sf = [m for m in tags.mentions if m.company == "sf"]
    assert sf and (sf[0].start, sf[0].end, sf[0].text, sf[0].in_title) == (0, 4, "顺丰速运", False)
    assert any(e.label == "GPE" and e.key == "pudong" for e in tags.entities)


def test_traditional_twin_gets_the_same_topics(tagger, anti_fraud_example):
    from opencc import OpenCC

    record = anti_fraud_example
    to_traditional = OpenCC("s2t")
    simple = tagger.tag(record["title"], record["text"])
    traditional = tagger.tag(to_traditional.convert(record["title"]), to_traditional.convert(record["text"]))
    assert traditional.selected_topics == simple.selected_topics
    assert traditional.selected_companies == simple.selected_companies
    for a, b in zip(simple.topics, traditional.topics):
        assert abs(a.score - b.score) < 0.05


def test_tag_many_matches_tag(tagger):
    items = [("标题", "快递员拾金不昧归还钱包"), {"title": "无人机", "text": "邮政无人机航线开通"}]
    assert [t.topics for t in tagger.tag_many(items)] == [tagger.tag(*items[0]).topics,
                                                          tagger.tag("无人机", "邮政无人机航线开通").topics]


def _copy_model(trained, tmp_path):
    models_dir, info = trained
    target = tmp_path / "models"
    shutil.copytree(models_dir, target)
    return target, info.version


def test_load_refuses_a_tampered_model(trained, tmp_path, monkeypatch):
    models_dir, version = _copy_model(trained, tmp_path)
    path = models_dir / version / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(datafile, "load_tree", _never_unpickle)
    with pytest.raises(IncompatibleModel, match="jianbao train"):
        load_model(models_dir, version)


def test_load_refuses_other_library_versions(trained, tmp_path, monkeypatch):
    models_dir, version = _copy_model(trained, tmp_path)
    meta_path = models_dir / version / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["libraries"]["scikit-learn"] = "0.0.1"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    monkeypatch.setattr(datafile, "load_tree", _never_unpickle)
    with pytest.raises(IncompatibleModel, match="scikit-learn 0.0.1.*jianbao train"):
        load_model(models_dir, version)


def test_library_versions_are_those_importlib_metadata_reads():
    from importlib import metadata
    versions = library_versions()
    assert {name: versions[name] for name in CHECKED_LIBRARIES} == \
        {name: metadata.version(name) for name in CHECKED_LIBRARIES}


def test_load_refuses_a_model_of_another_format(trained, tmp_path, monkeypatch):
    models_dir, version = _copy_model(trained, tmp_path)
    meta_path = models_dir / version / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["format"]                              # what a model saved before calibration has
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    monkeypatch.setattr(datafile, "load_tree", _never_unpickle)
    with pytest.raises(IncompatibleModel, match="model format 1, this jianbao reads format 5.*jianbao train"):
        load_model(models_dir, version)


def test_missing_or_escaping_models_are_not_found(trained, tmp_path):
    models_dir, _ = trained
    with pytest.raises(ModelNotFound):
        load_model(tmp_path / "empty")
    with pytest.raises(ModelNotFound):
        load_model(models_dir, "../outside")
    with pytest.raises(ModelNotFound):
        load_model(models_dir, "no-such-version")


def _never_unpickle(*args, **kwargs):
    raise AssertionError("read an unchecked model")


class _Payload:
    """What a hostile pickle does when loaded: here, create a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def _rehash(folder, **files):
    """Rewrite the hashes in meta.json as someone who can write the folder would."""
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    meta.update(files)
    meta["sha256"] = {name: file_sha256(folder / name) for name in (MODEL_FILE, ARRAYS_FILE)}
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")


def test_a_pickle_with_a_rewritten_hash_never_runs(trained, tmp_path):
    """Issue 18, item 7: the old format was a pickle whose hash sat beside it; a model is now
    data, so a pickle dropped into the folder is never read, whatever meta.json says."""
    import pickle
    models_dir, version = _copy_model(trained, tmp_path)
    folder, marker = models_dir / version, tmp_path / "payload-ran"
    (folder / "model.joblib").write_bytes(pickle.dumps(_Payload(marker)))
    for files in ({}, {"format": 3}):
        _rehash(folder, **files)
        try:
            load_model(models_dir, version)
        except IncompatibleModel:
            pass
        assert not marker.exists()


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "subprocess.Popen", "models.persist.promote"])
def test_a_model_file_naming_code_off_the_allowlist_is_refused_before_building(trained, tmp_path, name):
    models_dir, version = _copy_model(trained, tmp_path)
    folder = models_dir / version
    tree = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    tree["$object"] = "models.tagger.TagModel"
    tree["state"]["$map"]["hmm"] = {"$object": name, "state": {"$map": {}}} if name[0] == "s" else \
        {"$function": name}
    (folder / MODEL_FILE).write_text(json.dumps(tree), encoding="utf-8")
    _rehash(folder)
    with pytest.raises(IncompatibleModel, match=f"names '{name}'.*tampered"):
        load_model(models_dir, version)


def test_arrays_holding_objects_are_refused(trained, tmp_path):
    import numpy as np
    models_dir, version = _copy_model(trained, tmp_path)
    folder = models_dir / version
    with open(folder / ARRAYS_FILE, "wb") as fh:           # an object array is a pickle inside
        np.savez(fh, a0=np.array([_Payload(tmp_path / "ran")], dtype=object))
    _rehash(folder)
    with pytest.raises(IncompatibleModel, match="jianbao train"):
        load_model(models_dir, version)
    assert not (tmp_path / "ran").exists()


def test_a_model_saved_as_data_tags_exactly_as_the_fitted_one(tmp_path, subset_writer):
    from models import load_taxonomy
    from models.train import fit_tag_model, load_examples
    taxonomy = load_taxonomy()
    fitted, _, _ = fit_tag_model(load_examples(subset_writer(tmp_path / "data", every=4, limit=25), taxonomy),
                                 taxonomy)
    datafile.save_tree(fitted, tmp_path / MODEL_FILE, tmp_path / ARRAYS_FILE)
    loaded = datafile.load_tree(tmp_path / MODEL_FILE, tmp_path / ARRAYS_FILE)
    assert loaded.taxonomy == fitted.taxonomy and loaded.words == fitted.words
    items = [PASSING, ("反诈", "快递员识破冒充客服诈骗，帮助老人挽回损失。"), ("順豐", "順豐速運  SF Express")]
    assert Tagger(loaded, "x").tag_many(items) == Tagger(fitted, "x").tag_many(items)


def test_registry_promote_and_rollback(trained, tmp_path):
    models_dir, first = _copy_model(trained, tmp_path)
    (models_dir / first).rename(models_dir / "aaa")
    shutil.copytree(models_dir / "aaa", models_dir / "bbb")
    (models_dir / "registry.json").write_text(
        json.dumps({"versions": ["aaa", "bbb"], "active": "aaa", "previous": None}), encoding="utf-8")
    check_model(models_dir, "bbb")
    assert list_models(models_dir) == ("aaa", "bbb") and active_version(models_dir) == "aaa"
    assert promote("bbb", models_dir) == "bbb" and active_version(models_dir) == "bbb"
    assert rollback(models_dir) == "aaa" and active_version(models_dir) == "aaa"
    with pytest.raises(ModelNotFound):
        promote("ccc", models_dir)


def test_training_twice_with_one_seed_gives_identical_predictions(tmp_path, subset_writer):
    data = subset_writer(tmp_path / "data", every=4, limit=25)
    a = train_models(data, tmp_path / "a", seed=3)
    b = train_models(data, tmp_path / "b", seed=3)
    assert a.data_hash == b.data_hash and a.cv == b.cv and a.test == b.test
    tag_a, tag_b = Tagger.load(tmp_path / "a"), Tagger.load(tmp_path / "b")
    items = [(PASSING[0], PASSING[1]), ("反诈", "快递员识破冒充客服诈骗，帮助老人挽回损失。")]
    assert [(t.topics, t.companies) for t in tag_a.tag_many(items)] == \
           [(t.topics, t.companies) for t in tag_b.tag_many(items)]


def test_default_data_dir_has_data():
    assert list(DEFAULT_DATA_DIR.glob("*.jsonl"))


def test_direct_scoring_equals_the_sklearn_pipeline(trained):
    import numpy as np

    from models.topics import calibrate

    items = [PASSING, ("巾帼文明岗", "行业妇联在三八节为女快递员举办健康讲座。")]
    model = Tagger.load(trained[0], full=True).model.topics
    # the fast path computes the pipeline's probabilities, then the per-label Platt maps
    assert np.allclose(model.predict_proba(items),
                       calibrate(model.pipeline.predict_proba(items), model.calibration), atol=1e-9)
    # the features themselves, family by family, on real articles (Traditional and Latin included)
    from models.topics import _family
    from models.train import load_examples

    articles = [(e.title, e.text) for e in load_examples()[::25]] + [("順豐", "順豐速運  SF Express\n\n  EMS 快遞")]
    prepared = model.pipeline.named_steps["prepare"].transform(articles)
    for _, step in model.pipeline.named_steps["features"].transformer_list:
        fast, slow = _family(step, prepared), step.transform(prepared)
        assert fast.shape == slow.shape and fast.dtype == slow.dtype
        assert abs(fast - slow).max() < 1e-6 and (fast != 0).sum() == (slow != 0).sum()


def test_organisations_are_built_from_place_and_head(tagger):
    tags = tagger.tag("", "浦东新区总工会和松江区邮政管理局走访了快递网点。")
    orgs = {e.text for e in tags.entities if e.label == "ORG"}
    assert {"浦东新区总工会", "松江区邮政管理局"} <= orgs


def test_the_compact_model_tags_like_the_fitted_pipelines(trained):
    """compact.npz/json (numpy, no sklearn) against the full model: the same scores to 1e-9 and the
    same selections, on every 4th training article and a Traditional/Latin text."""
    import numpy as np

    from models.compact import CompactTagModel
    from models.train import load_examples

    compact, full = Tagger.load(trained[0]), Tagger.load(trained[0], full=True)
    assert isinstance(compact.model, CompactTagModel) and compact.model.taxonomy == full.model.taxonomy
    items = [(e.title, e.text) for e in load_examples()[::4]] + [PASSING, ("順豐", "順豐速運  SF Express\n\n  EMS 快遞")]
    docs = [full.prepare(*item) for item in items]
    fast, slow = compact.model.topics.predict_proba(docs), full.model.topics.predict_proba(docs)
    assert np.abs(fast - slow).max() < 1e-9
    assert (compact.model.topics.select(fast) == full.model.topics.select(slow)).all()
    a, b = compact.tag_many(items), full.tag_many(items)
    assert [(t.selected_topics, t.selected_companies, t.mentions, t.entities) for t in a] == \
        [(t.selected_topics, t.selected_companies, t.mentions, t.entities) for t in b]
    scores = lambda tags: np.array([[p.score for p in t.topics + t.companies] for t in tags])  # noqa: E731
    assert np.abs(scores(a) - scores(b)).max() <= 1e-4      # rounded to 4 places: at most one step


def test_a_tampered_compact_file_is_refused(trained, tmp_path):
    models_dir, version = _copy_model(trained, tmp_path)
    (models_dir / version / "compact.json").write_text("{}", encoding="utf-8")
    with pytest.raises(IncompatibleModel, match="sha256"):
        Tagger.load(models_dir)


def test_entity_ruler_without_spacy_finds_what_spacys_entityruler_finds(tagger):
    """models.ruler against the spaCy pipeline it replaces (companies.build_nlp), on every 3rd
    training article and on texts made to collide (a place inside a company name, places that
    overlap, a place before an organisation head)."""
    from models.companies import build_nlp, doc_to_entities, prepared_to_doc, prepared_to_mentions
    from models.ruler import prepared_to_entities
    from models.train import load_examples

    model = tagger.model
    nlp = build_nlp(model.taxonomy, model.words, model.hmm)
    articles = [(e.title, e.text) for e in load_examples()[::3]] + [
        ("上海浦东新区总工会", "浦东新区邮政分公司与上海市浦东新区邮政管理局、青浦区总工会走访顺丰速运上海浦东网点。"),
        ("", "松江区松江区人民政府和嘉定区快递协会在嘉定区嘉定镇开展活动。")]
    checked = 0
    for title, text in articles:
        doc = tagger.prepare(title, text)
        mentions = prepared_to_mentions(tagger.matcher, doc)
        ours = prepared_to_entities(tagger.ruler, doc, mentions, model.taxonomy.org_heads)
        spacy_found = doc_to_entities(doc, prepared_to_doc(nlp, doc, mentions), model.taxonomy.org_heads)
        assert ours == spacy_found, title
        checked += bool(ours)
    assert checked >= 100


def test_tagging_imports_no_spacy_scipy_or_pandas(trained):
    """Loading the model and tagging with it needs numpy only (seconds of imports saved per
    process: python -m bench startup)."""
    import subprocess
    import sys
    models_dir, _ = trained
    script = ("import sys; from models import Tagger; t = Tagger.load(sys.argv[1]);"
              "t.tag('顺丰开展反诈宣传', '浦东新区总工会走访快递网点。');"
              "print(sorted({'spacy', 'scipy', 'pandas', 'sklearn'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", script, str(models_dir)], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.strip() == "[]", out.stderr
