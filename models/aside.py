"""Company names set aside whatever the model scores: GUIDE.md's names that never concern their
firm, recognised from the words around them (pure functions over the normalised text; the
companies module gives each mention's sentence and list bounds).

- related: in the web page's list of other articles below the text (models.article.related_start),
  or all of a record whose title is such a list's label
- credit: in a byline, a photo credit or an author's note (通讯员 王某（市邮政分公司）, 圆通速递供图)
- recipient: in the addressees of a notice or a letter (主送：…, 全市邮政、顺丰等各寄递企业：)
- former: a person's former employer (曾在顺丰做过快递员, 京东物流原区域负责人)
- comparison: a yardstick or a ranking (比顺丰还快, 跟京东差不多, 像顺丰这样的企业, 借鉴菜鸟、京东等企业的
  做法, 对标京东, 顺丰、京东位列前三, unless the ranking ends in an award)
- landmark: a building that says where something happened (邮政大楼对面的路口)
- policy: an example of the kind of firm a plan means to support (将…支持邮政、顺丰等企业布局…)
- case: in a fraud story, the carrier of a parcel with nobody of the firm acting in the sentence
  (包裹由中通快递从广州寄出, 通过EMS寄来一份“传票”)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SET_ASIDE = ("related", "credit", "recipient", "former", "comparison", "landmark", "policy", "case")

CREDIT_LINE = re.compile(r"\s*(?:本报讯|本网讯|本台讯|讯)?\s*[（(]?\s*(?:本报|本台|本刊|本网|本文|特约)?(?:记者|通讯员|作者|撰稿|撰文|供稿|供图|来源|编辑|责编|"
                         r"责任编辑|摄影|摄像|图片|图文|审核|审校|校对|联系人|联系电话|联系方式|咨询电话|编者按[:：]\s*本文作者)")
CREDIT_BEFORE = re.compile(r"(?:图片来源|稿件来源|来源|供稿|供图|图|联系人|联系电话|咨询电话)\s*[:：]\s*[^，。！？\n]{0,10}$")
CREDIT_AFTER = re.compile(r"[\u4e00-\u9fff]{0,8}?\s*[/／]?\s*(?:供图|供稿|提供图片|摄影部)")
RECIPIENT_LINE = re.compile(r"\s*(?:主送|抄送|报送|抄报|发送|分送|送达)\s*(?:单位)?\s*[:：]")
SALUTATION = re.compile(r"\s*(?:各|全市|全区|全县|全省|全体|致|尊敬的|亲爱的)[^。！？:：\n]{0,120}?"
                        r"(?:企业|单位|公司|部门|机构|网点|同志们?|朋友们|从业人员|快递员|小哥们?)\s*[:：]")
# a former employer: 曾是/原来是/原是 X 的…, 曾在/以前在 X (网点) 工作/做过…, 离开 X, X 原…负责人
FORMER_WAS = re.compile(r"(?:曾经?|此前|之前|以前|早年|原来|退休前|原)[^，。；！？\n]{0,3}(?:是|为|任)[^，。；！？\n]{0,6}$|"
                        r"(?:离开了?|辞去了?|辞职离开)[^，。；！？\n]{0,4}$")
FORMER_AT = re.compile(r"(?:曾经?|此前|之前|以前|早年|原来|退休前|先|最初|起初|当初)[^，。；！？\n]{0,3}(?:在|于|进入|进了|加入)"
                       r"[^，。；！？\n]{0,4}$")
JOINED_IN = re.compile(r"\d{4}年(?:起)?(?:在|于|进入|进了|加入)[^，。；！？\n]{0,4}$")        # 2015年进入…
LEFT = re.compile(r"[^。；！？\n]{0,20}?(?:辞职|离职|离开|转行|退休)")                           # …干了六年后辞职
FORMER_DID = re.compile(r"(?:曾经?|以前|之前|早年)(?:送过|干过|做过|跑过|开过)[^，。；！？\n]{0,4}$")    # 以前送过三年顺丰
WORKED = re.compile(r"[^。；！？\n]{0,12}?(?:工作|做过|干过|当过|当了|干了|做了|待了|待过|任职|就职|上班|从事|供职|效力|打工|"
                    r"辞职|离职|(?:做|当)[\u4e00-\u9fff]{0,4}(?:员|工|司机|师傅|站长|经理|主管))")
FORMER_TIME = re.compile(r"\s*(?:退休前|退休以前|以前|之前|此前|早年|年轻时|过去|当年)[，,][^，。；！？\n]{0,8}(?:是|在|当|做)[^，。；！？\n]{0,6}$")
FORMER_AFTER = re.compile(r"原(?:[\u4e00-\u9fff]{0,6})(?:负责人|经理|总监|员工|快递员|站长|主管|总裁|董事长|"
                          r"总经理|高管|职工|骨干)")
YARDSTICK_BEFORE = re.compile(r"(?<![评对无])比(?:起)?$")
YARDSTICK_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:还|更|要|都)")
LIKE_BEFORE = re.compile(r"(?:像|如同|好比|跟|和|与|同)$")
LIKE_AFTER = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:这样|那样|一样|差不多|相当|相似|类似|相近|持平)")
LANDMARK_AFTER = re.compile(r"[\u4e00-\u9fff]{0,2}?(?:大楼|大厦)(?:的)?(?:对面|斜对面|旁边?|附近|门前|门口|东侧|西侧|南侧|北侧|一带)")
EMULATE_BEFORE = re.compile(r"(?:借鉴|学习|参照|对标|效仿|看齐)[^，。；！？\n]{0,6}$")
EMULATE_AFTER = re.compile(r"[^，。；！？\n]{0,8}?(?:的)?(?:做法|经验|模式|思路|标准)")
AWARDED = re.compile(r"评为|获评|授牌|表彰|荣获|颁发|授予|命名为")     # a ranking that ends in an award: they are awarded
BENCHMARK = re.compile(r"(?:对标|效仿|比肩|赶超|媲美)$")
RANKED = re.compile(r"[^，。；！？\n]{0,12}?(?:位居|位列|名列|排名|排在|跻身)(?:全国|行业|全市|全省)?(?:前|第|榜首|首位|三甲)")
SUPPORT_VERB = re.compile(r"(?:鼓励|引导|支持|推动|吸引|扶持|培育|助推|引进|招引|引入)[^，。；！？\n]{0,12}$")
REALISED = re.compile(r"已(?:经)?(?:开通|建成|落地|投用|投入|入驻|运营|开展|完成|签约)|累计")
PLAN_WORDS = re.compile(r"将|拟|计划|规划|力争|争取|下一步|今后|未来|方案|意见|措施|政策")
FRAUD_WORDS = re.compile(r"骗|上当|冒充|假冒|伪造|虚假|传票|刷单|报案|立案|失联|拉黑|警方|民警|报警")
# the carrier of a parcel: 包裹由/经 X…, 通过/用 X 寄/发货…, X 从广州寄出 / 承运 / 寄往…, 包裹…派送到…X
CARRIED_BY = re.compile(r"(?:包裹|快递|快件|货物|邮件|物品|到付件|件|资料|”)(?:是|均|则|将)?(?:由|经由?|交由|交给|通过)$|"
                        r"(?:包裹|快递|快件|货物)[^，。；！？\n]{0,2}来自[“\"「]?$")
VIA = re.compile(r"(?:通过|用|使用|委托|选择|经由?)$")
SENT = re.compile(r"(?:快递|速递|快运|物流)?(?:公司)?(?:从[^，。！？,\n]{1,8})?(?:寄|发货|运|送|邮寄|承运|派送)(?!员|人员|小哥|师傅)")
CARRIED_TO = re.compile(r"(?:快递|速递|快运|物流)?(?:公司)?(?:从[^，。！？,\n]{1,8}(?:寄|运|发|送)|"
                        r"寄往|寄到|寄至|运往|运到|发往|送往|承运|派送到|代收)(?!员|人员|小哥|师傅)")
CARRIED_PLACE = re.compile(r"(?:包裹|快递|快件|件)[^，。；！？\n]{0,8}(?<!推)(?:送到|派送到|放在|存放在|寄存在|投放到|代收于)"
                           r"[^，。；！？\n]{0,8}$")
# someone of the firm acts in the sentence (then its name is no mere carrier)
STAFF_ACT = re.compile(r"拦截|劝阻|识破|堵截|挽回|(?:员|小哥|网点|工作人员|师傅|负责人|客服)[^，。；！？\n]{0,10}"
                       r"(?:提醒|报警|发现|帮助|核实|协助|察觉)")


@dataclass(frozen=True, slots=True)
class Around:
    """Where one mention stands: its sentence, the list of names holding it, its line."""

    sentence: tuple[int, int]      # begin, end of its sentence
    first: int                     # where the list of names holding it begins (its own start if none)
    last: int                      # where that list ends
    grouped: bool                  # the list is followed by 等…企业 (firms of a kind)
    line_start: int
    line_no: int                   # 0: the text's first line; -1: the title


def mention_aside(text: str, start: int, end: int, around: Around, related: int, fraud_story: bool) -> str:
    """Why a mention cannot concern its firm ('' if it can): one of SET_ASIDE."""
    if start >= related:
        return "related"
    if _in_credit(text, start, end, around.line_start):
        return "credit"
    if _in_addressees(text, start, around):
        return "recipient"
    begin, stop = around.sentence
    clause = max(begin, text.rfind("，", 0, around.first) + 1)
    if FORMER_WAS.search(text, clause, start) or FORMER_AFTER.match(text, end) or \
            FORMER_AT.search(text, clause, start) and WORKED.match(text, end, stop) or \
            FORMER_DID.search(text, clause, start) or \
            JOINED_IN.search(text, clause, start) and LEFT.match(text, end, stop) or \
            FORMER_TIME.match(text, begin, start):
        return "former"
    if YARDSTICK_BEFORE.search(text, clause, start) and YARDSTICK_AFTER.match(text, end) or \
            LIKE_BEFORE.search(text, clause, around.first) and LIKE_AFTER.match(text, around.last) or \
            EMULATE_BEFORE.search(text, clause, around.first) and EMULATE_AFTER.match(text, around.last) or \
            BENCHMARK.search(text, clause, around.first) or \
            (around.first < start or around.last > end) and RANKED.match(text, around.last) \
            and not AWARDED.search(text, begin, stop):
        return "comparison"
    if LANDMARK_AFTER.match(text, end):
        return "landmark"
    if SUPPORT_VERB.search(text, clause, around.first) and around.grouped \
            and PLAN_WORDS.search(text, begin, stop) and not REALISED.search(text, around.last, stop):
        return "policy"
    if fraud_story and _carried(text, start, end, clause) and not STAFF_ACT.search(text, begin, stop):
        return "case"
    return ""


def _carried(text: str, start: int, end: int, clause: int) -> bool:
    """The firm carries a parcel in this clause (see CARRIED_BY…CARRIED_PLACE)."""
    return CARRIED_BY.search(text, max(clause, start - 8), start) is not None or \
        VIA.search(text, clause, start) is not None and SENT.match(text, end) is not None or \
        CARRIED_TO.match(text, end) is not None or CARRIED_PLACE.search(text, clause, start) is not None


def is_fraud_story(text: str) -> bool:
    """Whether an article tells of a fraud (a scam, a victim, a fake summons)."""
    return FRAUD_WORDS.search(text) is not None


def _in_credit(text: str, start: int, end: int, line_start: int) -> bool:
    """The mention is in a byline or credit: its line opens with one (up to the bracket closing it,
    or the first comma or full stop), or 来源：/供图： stands before it, or 供图/供稿 after it."""
    if CREDIT_LINE.match(text, line_start):
        line_end = _line_end(text, line_start)
        opening = text[line_start:line_end].lstrip().lstrip("本报网台讯 ")[:1] in "（("
        stops = "）)" if opening else "，。！？,"
        cut = next((i for i in range(line_start, line_end) if text[i] in stops), line_end)
        if start < cut:
            return True
    return CREDIT_BEFORE.search(text, max(line_start, start - 16), start) is not None or \
        CREDIT_AFTER.match(text, end, _line_end(text, end)) is not None


def _in_addressees(text: str, start: int, around: Around) -> bool:
    """The mention is in a 主送/抄送 line, or in the salutation of a notice or a letter (各…/全市…
    各寄递企业：) that opens a line of the text (a notice is often quoted below a report of a meeting)."""
    if RECIPIENT_LINE.match(text, around.line_start):
        return True
    if around.line_no < 0:
        return False
    found = SALUTATION.match(text, around.line_start, _line_end(text, around.line_start))
    return found is not None and start < found.end()


def _line_end(text: str, at: int) -> int:
    cut = text.find("\n", at)
    return len(text) if cut < 0 else cut
