"""Topic boundaries that a red-team set of our own articles found (ANNOTATION.md rules), each in
an article we write."""

from __future__ import annotations

import pytest

from models import Tagger


@pytest.fixture(scope="module")
def full(models_dir):
    return Tagger.load(models_dir)


def test_a_party_leadership_groups_meeting_is_party_building(full):
    tags = full.tag("区邮政管理局党组召开专题民主生活会",
                    "1月18日，区邮政管理局党组召开年度专题民主生活会。会前，党组成员深入基层征求意见建议，"
                    "开展谈心谈话。会上，党组书记代表党组班子作对照检查，班子成员逐一进行个人对照检查，"
                    "开展批评和自我批评。会议要求，要把民主生活会成果转化为推动行业高质量发展的实际成效。")
    assert "party_building" in tags.selected_topics
