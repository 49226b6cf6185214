"""Taxonomy, tokenizer, normalisation and company matching (no trained model needed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from errors import InvalidTaxonomy
from models.article import article_to_prepared
from models.companies import build_alias_matcher, prepared_to_mentions, text_to_alias_spans, words_to_cuts
from models.taxonomy import load_taxonomy
from models.tokenize import build_tokenizer, text_to_tokens, to_simplified
from models.topics import prepared_to_words
from models.train import dictionary_words, id_in_test_split

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def words(taxonomy):
    return dictionary_words(taxonomy)


def test_taxonomy_has_the_labels(taxonomy):
    assert len(taxonomy.topic_keys) == 10 and "green_packaging" in taxonomy.topic_keys
    assert set(taxonomy.company_keys) == {"china_post", "sf", "yto", "yunda", "zto", "sto", "jt", "jd",
                                          "deppon", "cainiao"}
    clashes = {c.key: c.clashes for c in taxonomy.companies}
    assert {"邮政管理局", "国家邮政局", "邮储银行", "中国邮政储蓄银行"} <= set(clashes["china_post"])
    assert "申通地铁" in clashes["sto"] and "中通客车" in clashes["zto"]


def test_bad_taxonomy_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[[topics]]\nkey = "a"\nname = "A"\n', encoding="utf-8")
    with pytest.raises(InvalidTaxonomy):
        load_taxonomy(path)


def test_tokenizer_keeps_one_character_words(words):
    tokens = text_to_tokens("我在上海寄了一个快递", words)
    assert "".join(tokens) == "我在上海寄了一个快递"
    assert {"我", "在", "寄"} <= set(tokens)
    features = prepared_to_words(article_to_prepared("寄", "我在上海寄了一个快递", words))
    assert "寄" in features and "我" in features


def test_user_dictionary_and_aliases_stay_whole(words):
    tokens = text_to_tokens("快递小哥在申通地铁站协助收寄验视", words)
    assert {"快递小哥", "申通地铁", "收寄验视"} <= set(tokens)


def test_private_tokenizer_uses_our_cache_dir(tmp_path):
    tokenizer = build_tokenizer(("测试词语",), cache_dir=tmp_path)
    assert tokenizer.tmp_dir == str(tmp_path)
    assert any(tmp_path.iterdir())


def test_memoised_tokenizer_cuts_exactly_like_jieba(words, tmp_path):
    import jieba

    from models.train import load_examples

    ours = build_tokenizer(words, cache_dir=tmp_path)
    plain = jieba.Tokenizer()
    plain.tmp_dir = str(tmp_path)
    plain.initialize()
    for word in words:
        plain.add_word(word, freq=5000)
    texts = [e.title + "\n" + e.text for e in load_examples()[::6]]
    assert len(texts) >= 200
    for text in texts:
        assert list(ours.cut(text, HMM=False)) == list(plain.cut(text, HMM=False))
    ours.add_word("寄递渠道安全", freq=9000)          # totals change: the memo must not go stale
    plain.add_word("寄递渠道安全", freq=9000)
    text = "全市加强寄递渠道安全管理，确保寄递渠道安全畅通。"
    assert list(ours.cut(text, HMM=False)) == list(plain.cut(text, HMM=False))
    assert "寄递渠道安全" in list(ours.cut(text, HMM=False))


def test_a_deleted_word_is_no_longer_cut_whole(words, tmp_path):
    tokenizer = build_tokenizer(words, cache_dir=tmp_path)
    text = "快递员在邮政网点收寄快递。"
    assert "快递员" in list(tokenizer.cut(text, HMM=False))
    tokenizer.del_word("快递员")                  # the word's frequency becomes 0, the total stays
    assert "快递员" not in list(tokenizer.cut(text, HMM=False))


def test_simplified_text_is_exactly_what_opencc_makes():
    from opencc import OpenCC

    from models.train import load_examples

    t2s = OpenCC("t2s")
    texts = [e.title + "\n" + e.text for e in load_examples()[::12]]
    for rendering in ("s2t", "s2hk", "s2tw"):
        for text in map(OpenCC(rendering).convert, texts):
            assert to_simplified(text) == t2s.convert(text)


def test_tokenizer_reading_its_dictionary_on_demand_cuts_like_the_full_one(words, tmp_path):
    from models.tokenize import lazy_tokenizer
    from models.train import load_examples

    first = lazy_tokenizer(words, tmp_path)           # builds the full tokenizer, writes the copy
    assert isinstance(first.FREQ, dict) and list(tmp_path.glob("jieba-*.sqlite"))
    lazy = lazy_tokenizer(words, tmp_path)
    assert not isinstance(lazy.FREQ, dict) and lazy.total == first.total
    texts = [e.title + "\n" + e.text for e in load_examples()[::6]]
    for text in texts:
        assert list(lazy.cut(text, HMM=False)) == list(first.cut(text, HMM=False))
        assert list(lazy.cut_for_search(text, HMM=False)) == list(first.cut_for_search(text, HMM=False))
        assert list(lazy.cut(text, HMM=True)) == list(first.cut(text, HMM=True))


def test_a_broken_dictionary_copy_is_built_again(words, tmp_path):
    from models.tokenize import lazy_tokenizer

    lazy_tokenizer(words, tmp_path)
    (copy,) = tmp_path.glob("jieba-*.sqlite")
    copy.write_bytes(b"not a database")
    assert isinstance(lazy_tokenizer(words, tmp_path).FREQ, dict)     # rebuilt, not an error
    assert not isinstance(lazy_tokenizer(words, tmp_path).FREQ, dict)


def test_global_jieba_is_never_touched():
    script = textwrap.dedent("""
        import jieba
        from models.article import article_to_prepared
        from models.taxonomy import load_taxonomy
        from models.train import dictionary_words
        doc = article_to_prepared("顺丰速运", "申通地铁站内的中通快递员", dictionary_words(load_taxonomy()))
        assert "申通地铁" in doc.words
        assert not jieba.dt.initialized and not jieba.dt.FREQ
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_import_loads_no_models():
    script = "import sys, models; print('jieba' in sys.modules, 'spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False False", out.stderr


def test_segmenting_imports_no_learning_library():
    """Search segments its query: that must not import scikit-learn, SciPy, pandas, spaCy or
    pkg_resources (seconds of start-up for a query of milliseconds)."""
    script = ("import sys; from models.tokenize import segment_for_search; segment_for_search('无人机配送');"
              "from models import label_keys; label_keys();"
              "print(sorted({'sklearn', 'scipy', 'pandas', 'spacy', 'pkg_resources'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def test_traditional_is_normalised_for_features_only(words):
    assert to_simplified("郵政管理局舉辦反詐宣傳") == "邮政管理局举办反诈宣传"
    plain = "快递员参加反诈宣传"
    assert to_simplified(plain) is plain
    doc = article_to_prepared("順豐快遞", "快遞員參加反詐宣傳", words)
    assert doc.full == "順豐快遞\n快遞員參加反詐宣傳"
    assert doc.norm_full == "顺丰快递\n快递员参加反诈宣传"
    assert "".join(doc.words) == doc.full


@pytest.mark.parametrize("text", ["上海市邮政管理局召开会议", "国家邮政局发布通知", "申通地铁运营的车站",
                                  "中通客车提供的新能源车", "邮储银行和中国邮政储蓄银行的网点", "我们集中通知了大家"])
def test_clash_names_give_no_mention(taxonomy, words, text):
    matcher = build_alias_matcher(taxonomy)
    assert prepared_to_mentions(matcher, article_to_prepared("", text, words)) == []


def test_alias_inside_a_longer_word_is_found_with_offsets(taxonomy, words):
    matcher = build_alias_matcher(taxonomy)
    mentions = prepared_to_mentions(matcher, article_to_prepared("", "顺丰速运浦东营业部", words))
    assert [(m.company, m.start, m.end, m.text, m.in_title) for m in mentions] == [("sf", 0, 4, "顺丰速运", False)]
    titled = prepared_to_mentions(matcher, article_to_prepared("圆通速递上海区域", "中通和韵达", words))
    assert [(m.company, m.start, m.in_title) for m in titled] == [("yto", 0, True), ("zto", 0, False),
                                                                  ("yunda", 3, False)]


def test_latin_and_legal_names(taxonomy):
    matcher = build_alias_matcher(taxonomy)
    spans = text_to_alias_spans(matcher, "J&T极兔与SF Express、中国邮政集团有限公司上海市分公司，STORE不算", frozenset(range(60)))
    assert [s[0] for s in spans] == ["jt", "jt", "sf", "china_post"]
    assert spans[-1][2] - spans[-1][1] == len("中国邮政集团有限公司上海市分公司")


def test_short_alias_needs_word_boundaries(taxonomy):
    matcher = build_alias_matcher(taxonomy)
    text = "实践中通过审核"
    assert text_to_alias_spans(matcher, text, words_to_cuts(("实践", "中", "通过", "审核"))) == []
    assert text_to_alias_spans(matcher, "中通上海", words_to_cuts(("中通", "上海"))) == [("zto", 0, 2)]


def test_test_split_is_fixed_by_id():
    ids = [f"x-{i:04d}" for i in range(2000)]
    share = sum(map(id_in_test_split, ids)) / len(ids)
    assert 0.17 < share < 0.23
    assert [id_in_test_split(i) for i in ids[:50]] == [id_in_test_split(i) for i in ids[:50]]


def test_unknown_labels_in_training_data_are_refused(tmp_path):
    from errors import InvalidTrainingData
    from models.train import load_examples

    (tmp_path / "x.jsonl").write_text('{"id": "x-1", "title": "t", "text": "正文", "topics": ["nope"], '
                                      '"companies": []}\n', encoding="utf-8")
    with pytest.raises(InvalidTrainingData, match="x.jsonl:1.*nope"):
        load_examples(tmp_path)


def test_pinyin_annotations_of_mirror_sites_are_dropped():
    from models.article import article_to_prepared, strip_ruby
    assert strip_ruby("推動(dòng)快遞行業(yè)發(fā)展(2023年)") == "推動快遞行業發展(2023年)"
    assert article_to_prepared("標(biāo)題", "正文(zhèng)內容").text == "正文內容"


def test_an_untitled_text_takes_its_first_short_line_as_title():
    from models.article import split_headline
    assert split_headline("邮政网点延长营业时间\n本报讯 近日，某区邮政分公司……") == \
        ("邮政网点延长营业时间", "本报讯 近日，某区邮政分公司……")
    assert split_headline("近日，某区邮政分公司延长了营业时间。\n第二段。")[0] == ""   # a sentence
    assert split_headline("只有一行")[0] == ""
    # a newspaper's byline opening the text is not a headline; 记者节 in a headline is
    assert split_headline("记者 周文 通讯员 韩立\n昨天凌晨，有市民在路口发现散落的包裹。\n第二段。")[0] == ""
    assert split_headline("（本报记者 方圆）\n昨天凌晨，有市民在路口发现散落的包裹。")[0] == ""
    assert split_headline("记者节里的快递小哥\n第一段正文写得很长很长。")[0] == "记者节里的快递小哥"


def test_paragraphs_are_cut_from_the_articles_own_words():
    from models.article import article_to_prepared
    from models.topics import prepared_to_paragraphs
    long_a, long_b = "快递员送清凉活动在各网点展开" * 8, "无人机航线开通运送药品" * 9
    doc = article_to_prepared("标题", f"{long_a}\n短句\n{long_b}")
    paragraphs = prepared_to_paragraphs(doc, 80)
    assert [p.text for p in paragraphs] == [long_a, long_b]
    assert "".join(paragraphs[1].norm_words[1:]) == long_b
    assert prepared_to_paragraphs(article_to_prepared("标题", long_a), 80) == []   # one is no choice


def test_cue_words_are_features_of_title_body_and_paragraphs():
    from models.article import article_to_prepared
    from models.topics import cues_to_patterns, prepared_to_cues

    patterns = cues_to_patterns((("慰问", "送清凉"), ("无人机",)))
    doc = article_to_prepared("夏日送清凉", "工会慰问了快递员。\n第二段没有提到。\n第三段再次慰问。")
    title_care, body_care, share_care, title_drone, body_drone, share_drone = prepared_to_cues(doc, patterns)
    assert title_care == 1.0 and 0 < body_care < 1 and share_care == pytest.approx(2 / 3)
    assert (title_drone, body_drone, share_drone) == (0.0, 0.0, 0.0)


def test_a_web_page_headline_is_found_below_its_chrome():
    from models.article import split_headline

    page = "本地资讯\n\n县快递协会走访慰问一线快递员\n\n来源：某县融媒体中心\n\n1月20日，协会为快递员送去年货。"
    title, rest = split_headline(page)
    assert title == "县快递协会走访慰问一线快递员"
    # the column label above it is the page's, not the article's; the lines below it stay
    assert "本地资讯" not in rest and "来源：某县融媒体中心" in rest and "送去年货" in rest
    crumbs = "当前位置：首页 > 新闻 > 正文\n邮政网点开设暖心驿站\n驿站里有热水和充电宝。"
    assert split_headline(crumbs)[0] == "邮政网点开设暖心驿站"
    # a short headline over its body is still the headline; a first paragraph is none
    assert split_headline("夏日送清凉\n工会为快递员送去清凉。") == ("夏日送清凉", "工会为快递员送去清凉。")
    assert split_headline("这是一个以句号结束的长段落，不是标题。\n第二段。")[0] == ""


@pytest.mark.parametrize("chrome", [
    "日期查询：2025年07月08日",                       # a date line with a label
    "2025-07-08 09:12:40",                            # a time stamp alone
    "（资料图片）",                                    # a photo's aside
    "快递员在驿站休息。区总工会供图",                   # a photo caption
    "某某网>>本地频道>>本网专稿",                       # breadcrumbs
    "设为首页|加入收藏|手机版",                         # a row of site links
    "您所在的位置：某某网 > 要闻 > 正文",
    "某某新媒体集团  主办",
    "正文内容 评论(0)",
    "李文 赵小勇",                                     # two names: a byline
    "![]()",                                          # no Chinese at all
])
def test_page_furniture_is_never_the_headline(chrome):
    from models.article import split_headline

    page = f"{chrome}\n快递小哥夏日领到清凉包\n7月8日，街道工会为辖区快递员送去绿豆汤和藿香正气水。"
    assert split_headline(page)[0] == "快递小哥夏日领到清凉包"


def test_a_headline_with_a_date_or_short_words_stays_a_headline():
    from models.article import split_headline

    body = "\n今年起，新规定在全市寄递企业施行。"
    assert split_headline("2025年7月1日起寄递新规正式施行" + body)[0] == "2025年7月1日起寄递新规正式施行"
    assert split_headline("春节我在岗 快递不打烊" + body)[0] == "春节我在岗 快递不打烊"
    # words a page's tools use (字号, 浏览) inside a headline, and 记者 opening a sentence
    assert split_headline("老字号邮局焕新颜" + body)[0] == "老字号邮局焕新颜"
    assert split_headline("记者节前夕走访快递网点" + body)[0] == "记者节前夕走访快递网点"


def test_an_untitled_article_s_lead_stands_for_its_title_in_the_cues():
    """A web excerpt without a headline states its subject in its first sentence: the title cue
    reads it; a short first line (a source line) is not the lead; a titled article keeps its title."""
    from models.cues import cues_to_patterns, prepared_to_cues

    patterns = cues_to_patterns((("春节", "坚守"), ("慰问",)))
    lead = "来源：区融媒体中心\n春节期间，全区三百多名快递员坚守岗位，各分拨中心满负荷运转，包裹当日送达率保持在九成以上。\n区总工会还上门慰问了他们。"
    untitled = article_to_prepared("", lead)
    assert untitled.title == ""
    guarantee_title, _, _, care_title, care_body, _ = prepared_to_cues(untitled, patterns)
    assert guarantee_title == 1.0 and care_title == 0.0 and care_body > 0
    keywords = "快递小哥,寄件优惠,同城急送,包裹查询,网点地址,寄件价格表,上门取件,快递柜,驿站加盟,物流专线\n"
    assert prepared_to_cues(article_to_prepared("", keywords + lead), patterns)[0] == 1.0   # not the lead
    titled = article_to_prepared("区总工会走访一线", lead)
    assert prepared_to_cues(titled, patterns)[0] == 0.0 and prepared_to_cues(titled, patterns)[3] == 0.0


TEASERS = ("\n区局召开寄递渠道安全生产工作会议\n  为进一步压实企业主体责任，区局于近日召开了全区寄递渠道安全"
           "\n市局开展夏季高温慰问活动\n  连日来持续高温，市局党组成员带队深入邮政、顺丰等企业")


def test_a_pages_list_of_other_articles_is_found_at_the_end():
    from models.article import related_start

    body = "近日，区局联合消防部门对辖区分拨中心开展突击检查。检查组查看了消防通道和灭火器配备情况。"
    assert related_start(body + TEASERS) == len(body) + 1
    assert (body + "\n相关阅读：\n区局召开座谈会")[related_start(body + "\n相关阅读：\n区局召开座谈会"):] \
        .startswith("相关阅读")
    assert related_start(body + "\n上一篇：区局召开座谈会") == len(body) + 1


@pytest.mark.parametrize("tail", [
    # a list of awarded units: headline-like lines, but none is a sentence cut off
    "\n获奖单位名单\n上海邮政松江区分公司\n顺丰速运上海区\n中通快递闵行网点\n韵达快递浦东分拨中心",
    # one section heading and the excerpt's last paragraph cut off: a single pair
    "\n二、加强源头管控\n  各企业要严格落实收寄验视制度，对禁寄物品",
    # a sidebar's label amid the text: the article's paragraphs follow it
    "\n【热门推荐】\n区局召开座谈会\n  会议要求，各企业要落实安全主体责任，确保旺季平稳运行，"
    "对检查中发现的问题要立行立改，举一反三。",
    # a paragraph that ends as a sentence is the article's own
    "\n区局召开座谈会\n  会议要求，各企业要落实安全主体责任，确保旺季平稳运行。"
    "\n市局开展慰问活动\n  连日来持续高温，市局党组成员带队深入一线，送去防暑降温物品。",
])
def test_the_end_of_an_article_is_its_own(tail):
    from models.article import related_start

    text = "近日，区局联合消防部门对辖区分拨中心开展突击检查。" + tail
    assert related_start(text) == len(text)


def test_the_chrome_above_a_headline_is_no_part_of_the_article(words):
    body = "市快递行业党委组织各企业党支部开展主题党日活动，重温入党誓词。"
    plain = article_to_prepared("", "行业党委开展主题党日活动\n" + body, words)
    under = article_to_prepared("", "来源：市邮政管理局　发布时间：2026-05-12　编辑：王某\n行业党委开展主题党日活动\n" + body,
                                words)
    assert (under.title, under.text, under.norm_full) == (plain.title, plain.text, plain.norm_full)
    given = "来源：市邮政管理局　发布时间：2026-05-12　编辑：王某\n行业党委开展主题党日活动\n" + body
    assert given[under.title_at:under.title_at + len(under.title)] == under.title
    assert given[under.text_at:] == under.text
