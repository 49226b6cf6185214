"""Company mentions as real articles write them (GUIDE.md): every firm of a list that takes part,
local units anywhere in China, sub-brands and group names, and the names that concern no firm.
One test per error class found on real articles; every article here is written by us."""

from __future__ import annotations

import pytest

from models import Tagger, load_taxonomy
from models.companies import build_alias_matcher, gazetteer_places, span_to_unit, text_to_alias_spans


@pytest.fixture(scope="module")
def matcher():
    return build_alias_matcher(load_taxonomy())


@pytest.fixture(scope="module")
def full(models_dir):
    """The default model (all authored data), as `make run` trains it."""
    return Tagger.load(models_dir)


def found(matcher, text):
    return sorted({key for key, _, _ in text_to_alias_spans(matcher, text, frozenset(range(len(text) + 1)))})


def test_the_gazetteer_knows_places_all_over_china():
    places = gazetteer_places()
    assert len(places) > 5000
    assert {"赣州市", "赣州", "十堰", "喀什地区", "喀什"} <= places


@pytest.mark.parametrize("text", ["赣州邮政开展助农直播", "某县邮政分公司组织投递员培训",
                                  "德州市郵政分公司營業員識破騙局", "市邮政工会为职工体检"])
def test_local_post_office_units_are_china_post(full, text):
    assert {m.company for m in full.tag("", text).mentions} == {"china_post"}


def test_a_mention_extends_over_its_place_and_unit(matcher):
    text = "日前，十堰市邮政分公司组织投递员开展培训"
    (key, start, end), = text_to_alias_spans(matcher, text, frozenset(range(len(text) + 1)))
    assert text[slice(*span_to_unit(matcher, text, start, end))] == "十堰市邮政分公司"


@pytest.mark.parametrize("text", ["市邮政管理局召开座谈会", "国家邮政局发布消费提示", "邮储银行开展金融知识宣传",
                                  "全市邮政快递企业参加培训", "邮政、快递企业要落实实名收寄", "申通地铁开通新线"])
def test_regulator_bank_and_industry_are_no_firm(matcher, text):
    assert found(matcher, text) == []


def test_sub_brands_and_groups(matcher):
    assert found(matcher, "兔喜快递超市开到了小区门口") == ["zto"]
    assert found(matcher, "京邦达公司的分拣中心投用") == ["jd"]
    assert found(matcher, "菜鸟驿站推出夜间取件") == ["cainiao"]
    assert found(matcher, "四通一达的网点都参加了培训") == ["sto", "yto", "yunda", "zto"]
    assert found(matcher, "丰巢快递柜进驻小区") == [] and found(matcher, "顺丰同城骑手送药上门") == []


def test_every_inspected_firm_of_a_list_is_tagged(full):
    tags = full.tag("区邮政管理局开展寄递安全检查",
                    "6月3日，区邮政管理局会同消防部门检查了邮政、顺丰、中通、韵达、极兔等企业的分拨中心，"
                    "重点查看了安检机运行和实名收寄落实情况，对发现的问题当场督促整改。")
    assert set(tags.selected_companies) == {"china_post", "sf", "zto", "yunda", "jt"}
    assert {m.role for m in tags.mentions} == {"participant"}


def test_an_impersonated_brand_is_not_tagged(full):
    tags = full.tag("警惕冒充快递客服的理赔骗局",
                    "近日，市民王女士接到自称京东客服的电话，对方称其包裹丢失需要理赔，要求她下载会议软件共享屏幕。"
                    "王女士察觉异常后挂断电话并报警。民警提醒，冒充京东客服、假冒顺丰理赔的骗局时有发生，"
                    "接到此类电话要通过官方渠道核实。")
    assert tags.selected_companies == ()
    assert {m.role for m in tags.mentions} <= {"impersonated", "passing"}


def test_a_local_post_office_acting_is_tagged(full):
    tags = full.tag("县邮政分公司开展“送清凉”活动",
                    "7月20日，某县邮政分公司工会为一线投递员送去防暑降温物品，并为每个揽投部配备了冰柜和药箱。")
    assert tags.selected_companies == ("china_post",)
    assert any("邮政分公司" in m.unit for m in tags.mentions)


def mentions_of(tagger, title, text):
    from models.companies import prepared_to_mentions
    return prepared_to_mentions(tagger.matcher, tagger.prepare(title, text))


def test_firms_of_one_enumeration_are_one_list(full):
    from models.companies import mentions_to_lists

    title, text = "物流园二期开工", ("园区一期已于去年投用，申通、韵达和极兔三家企业已经入驻。"
                                  "另据统计，顺丰在本市设有网点40个。")
    doc = full.prepare(title, text)
    lists = mentions_to_lists(doc, mentions_of(full, title, text))
    # 顺丰 sits in another sentence: not a member of the list
    assert lists == [frozenset({"sto", "yunda", "jt"})]


def test_every_firm_listed_with_a_tagged_one_is_tagged(full):
    # a long list where the last names carry no cue of their own
    tags = full.tag("市局走访慰问一线快递员",
                    "1月20日，市邮政管理局联合市总工会组成慰问组，先后走访了顺丰、中通、圆通、申通、"
                    "宅急送、韵达、德邦和京东等企业的基层网点，为坚守岗位的快递员送去米面油和防寒手套。")
    assert {"sf", "zto", "yto", "sto", "yunda", "deppon", "jd"} <= set(tags.selected_companies)
    listed = {m.company: m.role for m in tags.mentions}
    assert listed["jd"] == "participant" and listed["deppon"] == "participant"


def test_a_contact_list_shares_no_fate_with_an_acting_firm(full):
    tags = full.tag("关于春节期间快件收寄的温馨提示",
                    "春节期间，本县邮政分公司营业网点正常营业，投递员按时投递。\n"
                    "如需查询快件，请联系：顺丰公司刘经理 13800000001，中通公司陈经理 13800000002。")
    assert "china_post" in tags.selected_companies
    assert not {"sf", "zto"} & set(tags.selected_companies)


@pytest.mark.parametrize("year, expected", [("2019", set()), ("2023", {"jt"})])
def test_best_express_is_jt_only_from_2021(full, year, expected):
    text = f"{year}年5月8日，百世快递在本县新开设了一个乡镇网点，方便村民寄取包裹。"
    assert {m.company for m in mentions_of(full, "", text)} == expected


def test_an_undated_article_names_the_old_firm(full):
    # the brand was retired after the merger: an article that names 百世 and no year is older
    assert {m.company for m in mentions_of(full, "", "百世快递的网点开始代收村民包裹。")} == set()
    dated = "发布时间：08.11.2022 09:30\n百世快递的网点开始代收村民包裹。"
    assert {m.company for m in mentions_of(full, "", dated)} == {"jt"}


def test_the_latest_year_an_article_names():
    from models.companies import text_to_latest_year

    assert text_to_latest_year("2019年总结，2021-03起执行，共1998件") == 2021
    assert text_to_latest_year("共计2020件快递") is None
    assert text_to_latest_year("发布于 13.03.2020 20:40，版本1.2.2019") == 2020


def test_a_quoted_group_name_shares_the_fate_of_its_list(full):
    # the group name sits in quotes inside a list of inspected firms: each member is inspected
    tags = full.tag("区检察院走访寄递企业",
                    "3月8日，区检察院联合区商务局深入辖区“四通一达”、京东、顺丰等快递企业的分拣中心实地检查，"
                    "了解收寄验视和从业人员管理情况。")
    assert {"sto", "zto", "yto", "yunda", "jd", "sf"} <= set(tags.selected_companies)


@pytest.mark.parametrize("text, expected", [
    ("应急管理站检查了邮政快递营业网点和分拣场所20个", []),             # the industry qualifies a noun
    ("推动邮政快递低空物流设施建设", []),
    ("工会先后走访了韵达、中通、邮政快递以及两家物流企业", ["china_post", "yunda", "zto"]),   # a firm of a list
    ("中国邮政快递包裹在村口驿站集中存放", ["china_post"]),
])
def test_postal_and_express_is_the_industry_unless_a_firm(matcher, text, expected):
    assert found(matcher, text) == expected


def test_a_bad_clash_pattern_is_a_malformed_taxonomy(tmp_path):
    from errors import InvalidTaxonomy
    from models.taxonomy import dict_to_taxonomy

    data = {"topics": [{"key": "t", "name": "话题", "definition": "d"}],
            "companies": [{"key": "c", "name": "某快递", "not_patterns": ["(某"]}]}
    with pytest.raises(InvalidTaxonomy, match="not_patterns"):
        dict_to_taxonomy(data)


def test_what_the_firm_undergoes_counts_far_from_its_name(full):
    # the verb (前往…慰问) and the firm's site are a sentence apart from the other firm's name
    tags = full.tag("区妇联关爱快递行业女职工",
                    "4月18日下午，区妇联负责人前往位于城东工业园区、去年刚刚扩建的韵达速递分拨中心，"
                    "看望慰问在分拣线上工作的女职工，送上防晒用品和体检卡。\n"
                    "随后，慰问组一行又来到中通快递城南网点，与网点负责人座谈，了解女快递员的工作和生活情况。")
    assert {"yunda", "zto"} <= set(tags.selected_companies)


def test_a_firm_in_the_pages_list_of_other_articles_is_not_tagged(full):
    tags = full.tag("区局开展消防安全检查",
                    "近日，区局联合消防部门对辖区寄递企业开展消防安全突击检查，查看了消防通道、灭火器配备和"
                    "用电安全，要求企业落实消防安全主体责任。\n"
                    "区局召开寄递渠道安全生产工作会议\n  为进一步压实企业主体责任，区局于近日召开了全区邮政"
                    "\n市局开展夏季高温慰问活动\n  连日来持续高温，市局党组成员带队深入顺丰、中通等企业")
    assert tags.selected_companies == ()
    assert {(m.company, m.role, m.aside) for m in tags.mentions} == {
        ("china_post", "passing", "related"), ("sf", "passing", "related"), ("zto", "passing", "related")}


def test_the_examples_of_a_plans_support_are_not_tagged(full):
    tags = full.tag("新区发布低空物流发展规划",
                    "规划提出，新区将发挥机场和高铁枢纽优势，支持邮政、顺丰、京东等头部快递企业在园区布局"
                    "无人机起降场和区域分拨中心，到2028年开通低空物流航线30条以上。")
    assert tags.selected_companies == ()
    assert {m.aside for m in tags.mentions} == {"policy"}


def test_a_list_of_firms_that_act_now_is_not_a_plans_example(full):
    tags = full.tag("多家企业开通无人机航线",
                    "今年以来，区局积极协调空域资源，支持顺丰、京东等企业开通无人机航线，目前顺丰已开通航线6条，"
                    "京东的无人机每天往返山区运送包裹40余架次。")
    assert {"sf", "jd"} <= set(tags.selected_companies)
    assert not any(m.aside for m in tags.mentions)


def test_the_carrier_of_a_victims_parcel_is_not_tagged_but_the_clerk_who_stops_a_scam_is(full):
    story = ("近日，市民李先生网购了一双运动鞋，包裹由中通快递从杭州寄往本市。两天后，一名自称客服的男子来电，"
             "称包裹在运输中丢失，可以双倍理赔，诱导李先生扫码填写银行卡信息，李先生被骗走6000元。")
    tags = full.tag("警惕快递理赔诈骗", story)
    assert tags.selected_companies == ()
    assert {m.aside for m in tags.mentions if m.company == "zto"} == {"case"}
    stopped = full.tag("营业员识破理赔诈骗", story + "\n同类骗局中，某县邮政分公司营业员发现一名老人要汇款给“理赔客服”，"
                       "当即劝阻并报警，为老人挽回损失2万元。")
    assert "china_post" in stopped.selected_companies and "zto" not in stopped.selected_companies


@pytest.mark.parametrize("text", ["刚入职时我还是个菜鸟，师傅手把手教我分拣", "作为一名菜鸟司机，小李开车格外小心",
                                  "他从“菜鸟”成长为业务骨干", "区局组织邮政行政执法人员开展检查",
                                  "德邦证券发布研报称快递价格战趋缓", "中通服旗下公司中标智慧城市项目",
                                  "申通德高承接地铁广告", "游客在圆通山观赏樱花"])
def test_an_everyday_word_or_another_firm_sharing_a_brands_name_is_no_firm(matcher, text):
    assert found(matcher, text) == []


def test_the_beginner_word_still_lets_the_firm_be_found(matcher):
    assert found(matcher, "一名菜鸟驿站站长除夕坚守岗位") == ["cainiao"]
    assert found(matcher, "12位菜鸟快递员驰援兄弟城市") == ["cainiao"]


@pytest.mark.parametrize("text", ["一路顺丰，平安到家", "哈尔滨邮政街上的老字号", "中華郵政發行新郵票",
                                  "香港郵政同步發行紀念郵票", "他做事一向圆通", "作为一名编程菜鸟，小李第一次参赛就获奖",
                                  "游客走进京东大峡谷", "中邮人寿推出新险种", "美国邮政宣布涨价", "德国邮政集团发布年报",
                                  "万国邮政联盟大会召开", "顺丰路与学府街交叉口", "圆通路小学开学"])
def test_puns_streets_other_posts_and_everyday_words_are_no_firm(matcher, text):
    assert found(matcher, text) == []


@pytest.mark.parametrize("text", ["村里的邮政代办所增加了取件服务", "一辆邮政车停在村口", "中邮揽投员冒雪投递"])
def test_more_forms_of_china_post_are_found(matcher, text):
    assert found(matcher, text) == ["china_post"]


def test_a_sub_brands_store_is_the_firm_not_a_payment_label(full):
    tags = full.tag("兔喜生活超市开进社区", "近日，中通旗下的兔喜生活超市在本区新开10家门店，为居民提供代收代寄快递服务。")
    assert "zto" in tags.selected_companies
    assert "payment" not in {m.role for m in tags.mentions}


def test_a_firms_own_results_are_its_news_but_a_market_statistic_is_not(full):
    own = full.tag("申通快递10月业务量同比增长15%", "申通快递公布月度数据：10月快递服务业务收入43亿元，同比增长15%；"
                   "完成业务量21亿票。公司表示，四季度将继续加大自动化设备投入。")
    assert own.selected_companies == ("sto",)
    market = full.tag("10月全国快递业务量增长18%", "国家邮政局数据显示，10月全国快递业务量完成165亿件，同比增长18%。"
                      "从市场份额看，中通、圆通、韵达、申通位居前列，合计占比超过六成。")
    assert market.selected_companies == ()


def test_firms_announcing_their_own_figures_in_one_sentence_are_no_market_statistic(full):
    results = full.tag("", "韵达发布11月经营简报\n韵达股份发布公告称，11月快递服务业务收入45亿元，同比增长8%。同日，申通快递、"
                       "圆通速递也披露了11月经营数据，业务量均实现两位数增长。")
    assert {"yunda", "sto", "yto"} <= set(results.selected_companies)
