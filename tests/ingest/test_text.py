"""Pure text rules: how much of a text layer looks like mojibake."""

import pytest

from ingest.pdf import is_garbled
from ingest.text import common_han, garbled_share

SOUND = "近日，某区邮政管理局组织辖区快递企业开展安全生产检查，重点查看收寄验视和过機安檢制度落實情況。"


@pytest.mark.parametrize("garble", [
    lambda t: t.encode("gbk").decode("latin-1"),                        # GBK bytes read as Latin-1
    lambda t: t.encode("utf-8").decode("gbk", errors="replace"),        # UTF-8 bytes read as GBK
    lambda t: t.encode("utf-16-le").decode("utf-16-be", errors="replace"),   # byte order swapped
])
def test_mojibake_is_garbled_and_sound_text_is_not(garble):
    assert garbled_share(SOUND) < 0.02 and not is_garbled(SOUND)
    assert is_garbled(garble(SOUND))


def test_common_han_covers_simplified_and_traditional():
    assert all(common_han(ch) for ch in "邮政快遞驛站國")
    assert not common_han("\u4e02") and not common_han("\u3400")       # rare ideographs
    assert garbled_share("温度25°C±2，速度×2") == 0.0                  # signs Chinese text uses
