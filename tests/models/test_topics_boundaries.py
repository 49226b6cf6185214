"""Topic boundaries that a red-team set of our own articles found (ANNOTATION.md rules), each in
an article we write: the topics it must get, and the tempting ones it must not."""

from __future__ import annotations

import pytest

from models import Tagger


@pytest.fixture(scope="module")
def full(models_dir):
    return Tagger.load(models_dir)


@pytest.mark.parametrize("title, text, wanted, unwanted", [
    # a Party leadership group's meeting is Party work
    ("区邮政管理局党组召开专题民主生活会",
     "1月18日，区邮政管理局党组召开年度专题民主生活会。会前，党组成员深入基层征求意见建议，开展谈心谈话。会上，"
     "党组书记代表党组班子作对照检查，班子成员逐一进行个人对照检查，开展批评和自我批评。会议要求，要把民主生活会"
     "成果转化为推动行业高质量发展的实际成效。", {"party_building"}, set()),
    # a Party member's rescue is a deed, not Party work
    ("党员快递员跳河救起落水老人",
     "6月9日傍晚，韵达快递员、共产党员吴某在河堤旁派件时听到呼救声，发现一名老人落入河中。他来不及脱下工装，"
     "纵身跳入河里，奋力将老人托上岸，随后拨打120。老人经救治已脱离危险，家属专程送来锦旗表示感谢。",
     {"heroic_deeds"}, {"party_building"}),
    # couriers at work through a holiday other than the Spring Festival keep delivery running
    ("中秋夜，他们还在送月饼",
     "中秋节当晚，城区的快递网点依旧灯火通明。快递员刘某的电动三轮车上堆满了月饼礼盒和水果，他要在晚上九点前"
     "把最后四十多件快件送到客户手中。网点负责人介绍，节日期间网点正常收派，所有快递员分两班轮岗，"
     "确保节日礼品按时送达。", {"service_guarantee"}, set()),
    # a women's federation caring for every courier is care for couriers, not women's work
    ("区妇联为快递员开设“四点半课堂”",
     "暑假期间，区妇联联合三个社区为全区快递员的子女开设“四点半课堂”，由志愿者辅导作业、组织阅读。"
     "快递员下班前可以把孩子放在课堂里，解决了放学后无人看管的难题。首期课堂已接收80多名孩子。",
     {"worker_care"}, {"womens_federation"}),
])
def test_a_boundary_article_gets_its_topics(full, title, text, wanted, unwanted):
    topics = set(full.tag(title, text).selected_topics)
    assert wanted <= topics and not unwanted & topics
