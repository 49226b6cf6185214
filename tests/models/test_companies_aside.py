"""Names that never concern their firm whatever the model scores (models.aside), each class found
by writing articles at GUIDE.md's boundaries; and the look-alikes that must stay concerned.
Every article here is written by us."""

from __future__ import annotations

import pytest

from models import Tagger


@pytest.fixture(scope="module")
def full(models_dir):
    return Tagger.load(models_dir)


def asides(tags) -> set[tuple[str, str]]:
    return {(m.company, m.aside) for m in tags.mentions}


@pytest.mark.parametrize("title, text, company, aside", [
    ("", "本报通讯员 刘军（市邮政分公司）\n近日，市急救中心组织开展急救知识进校园活动，为2000余名师生普及心肺复苏技能。",
     "china_post", "credit"),
    ("市消防支队开展高层灭火演练", "（记者 郑强 通讯员 顺丰速运宣传部 王莉）近日，市消防救援支队开展高层建筑灭火救援实战演练。",
     "sf", "credit"),
    ("“快递+农业”示范基地落成", "记者 王磊/文 圆通速递供图\n近日，我市首个“快递+农业”示范基地在西乡落成。", "yto", "credit"),
    ("关于做好春节期间寄递服务保障工作的通知",
     "主送：市邮政分公司、顺丰速运、中通快递\n抄送：市交通运输局\n春节将至，请各单位提前做好运力储备。", "zto", "recipient"),
    ("致全市寄递企业的一封信", "全市邮政、顺丰、京东、德邦等各寄递企业：为保障快递员合法权益，市邮政管理局倡议各企业合理确定派费。",
     "deppon", "recipient"),
    ("早餐店里的“老快递”", "曾在韵达快递干了八年的李师傅，去年辞职开了一家早餐店，每天凌晨四点就开门。", "yunda", "former"),
    ("社区里的义务讲解员", "退休前，张大爷是一名邮政投递员。退休后，他当起了社区义务讲解员，已累计宣讲50余场。",
     "china_post", "former"),
    ("老司机当起志愿者", "年过五旬的马师傅原是德邦快递的一名司机，退休后他加入社区志愿者队伍，义务接送老人看病。",
     "deppon", "former"),
    ("同城配送提速", "市民说，现在同城配送比顺丰还快，上午下单下午就能收到。记者走访发现，多家即时配送平台推出了小时达服务。",
     "sf", "comparison"),
    ("路口发生交通事故", "事故发生在市中心邮政大楼对面的十字路口，一辆小轿车与电动自行车发生碰撞，电动车驾驶人受轻伤。",
     "china_post", "landmark"),
    ("警惕二手交易诈骗", "一名男子在网上购买二手手机，卖家称已通过德邦快递发货并发来一张伪造的物流截图，要求先付款。"
     "男子转账后，卖家即将其拉黑。", "deppon", "case"),
    ("警惕“到付”骗局", "林阿姨收到一个到付包裹，里面是一串标价1980元的“开光手串”，事后才发现上当。该包裹经由申通快递从外省寄来。",
     "sto", "case"),
    ("曾在顺丰当快递员的他开起了书店", "小周开的社区书店本月开业，店里设有免费借阅区，周末还举办亲子阅读活动。",
     "sf", "former"),
    ("返乡创业记", "张某2016年进入中通快递做快递员，干了五年后辞职，回到家乡种植猕猴桃，如今带动20户农户增收。",
     "zto", "former"),
    ("前三季度快递品牌满意度公布", "调查显示，顺丰、京东快递和中国邮政位居前三，行业总体满意度同比提高0.8分。", "jd", "comparison"),
    ("产业园项目签约", "根据协议，产业园建成后将重点引进京东、顺丰、中通等头部物流企业，打造区域物流枢纽。", "zto", "policy"),
    ("市政府出台意见支持农村寄递", "意见提出，将鼓励邮政、顺丰等企业开通农村无人机邮路，力争三年内实现行政村全覆盖。",
     "china_post", "policy"),
    ("曾送过顺丰的他开了民宿", "在丽江开民宿的阿强，以前送过三年顺丰。他说，那段经历让他学会了与客人打交道。", "sf", "former"),
    ("区图书馆举办少儿阅读活动", "本网讯（通讯员 王芳（市邮政分公司））近日，区图书馆举办少儿阅读活动，200余名小读者参加。",
     "china_post", "credit"),
    ("人社局举办春季招聘会", "市人社局举办春季招聘会，60余家企业参加，提供岗位2000余个。（联系人：张先生 圆通速递）",
     "yto", "credit"),
    ("市局召开旺季寄递安全工作会", "会上宣读了通知。\n全市邮政、顺丰、圆通、中通等各寄递企业：为做好旺季寄递安全工作，"
     "现就有关事项通知如下。", "yto", "recipient"),
    ("满意度调查结果公布", "调查显示，顺丰、京东、中国邮政EMS公众满意度得分位列前三。", "china_post", "comparison"),
    ("韻達開通新線路", "韻達快遞本月在杭州開通新線路，覆蓋周邊縣市。\n點擊“在看”支持我們\n相關閱讀\n順豐發佈三季度業績\n"
     "中通啟用新中心", "sf", "related"),
    ("相关新闻", "顺丰速运开通新航线\n2026-04-01\n韵达快递启用新分拨中心\n2026-03-20", "sf", "related"),
    ("被骗包裹来自“韵达”", "受害人收到的货到付款包裹来自韵达快递，里面是一条廉价项链。警方已立案调查。", "yunda", "case"),
])
def test_a_name_set_aside_does_not_tag_its_firm(full, title, text, company, aside):
    tags = full.tag(title, text)
    assert (company, aside) in asides(tags)
    assert company not in tags.selected_companies


@pytest.mark.parametrize("title, text, company", [
    # a thank-you letter sent to the post office after a scam was stopped: "发来" is no carriage
    ("营业员识破骗局获点赞", "某县邮政营业员徐某识破一起冒充客服诈骗，为老人挽回损失5万元。县公安局也向某县邮政发来感谢信，"
     "对徐某的做法给予表扬。", "china_post"),
    # training at the firm's outlet: 曾在…学习 is no former job
    ("居民楼下突发火情", "据了解，杨某曾在极兔网点组织的消防安全培训中学习过灭火器使用，火情发生后第一时间冲上前去扑救。", "jt"),
    # a ranking that ends in an award: the firms are awarded
    ("年度安全考评结果出炉", "考评结果显示，邮政、顺丰、京东三家企业分拨中心得分位列前三，被评为“安全生产示范分拨中心”并获授牌。",
     "sf"),
    # the year a courier joined the firm he still works for: no former employer
    ("修理队里的快递员", "队长刘师傅2018年加入京东做快递员后，发现不少独居老人家里的电器坏了没人修，便利用休息时间"
     "组建了义务维修队，两年来上门维修300多次。", "jd"),
    # a review's entries open with the firm's name and a colon: no salutation
    ("春节寄递服务保障综述", "现将主要企业保障情况综述如下。\n中国邮政上海市分公司：春节期间保持全市邮政网点“不打烊”，"
     "投递员坚守岗位，累计投递邮件120万件。", "china_post"),
])
def test_look_alikes_of_set_aside_names_stay_tagged(full, title, text, company):
    tags = full.tag(title, text)
    assert company in tags.selected_companies
    assert not any(m.aside for m in tags.mentions if m.company == company)


def test_a_plan_that_firms_already_carry_out_is_no_wish_list(full):
    tags = full.tag("支持企业开通无人机航线", "市政府出台政策支持顺丰、京东等企业开通无人机航线，目前两家企业已开通8条航线，"
                    "累计飞行超1万架次。")
    assert {"sf", "jd"} <= set(tags.selected_companies)


def test_a_channel_for_complaints_is_no_carrier(full):
    tags = full.tag("菜鸟提醒警惕假冒客服", "据菜鸟客服中心介绍，今年以来，用户通过菜鸟裹裹和驿站反馈的疑似假冒客服来电有所增加，"
                    "菜鸟已上线来电识别功能，提醒用户核实后再操作。")
    assert "cainiao" in tags.selected_companies
    assert not any(m.aside for m in tags.mentions)
