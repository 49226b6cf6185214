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
