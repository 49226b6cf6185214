"""A PDF's streams are measured before pypdfium2 inflates them under a memory ceiling: pdfium
aborts the process where an allocation is refused, pdfminer raised MemoryError."""

from __future__ import annotations

import pytest

from ingest.streams import inflated_bytes
from tests.conftest import ROOT
from tests.pipeline.test_workers import flate_bomb


def test_a_flate_bomb_is_measured_past_the_cap_without_inflating_it_all(tmp_path):
    data = flate_bomb(tmp_path / "bomb.pdf", inflated_mb=64).read_bytes()
    assert 8 << 20 < inflated_bytes(data, 8 << 20) <= 10 << 20     # stops one step past 8 MB
    assert inflated_bytes(data, 1 << 30) == 64 << 20


def test_a_bulletin_inflates_to_what_its_fonts_and_pages_hold():
    data = (ROOT / "examples" / "2019-03.pdf").read_bytes()
    size = inflated_bytes(data, 1 << 30)
    assert len(data) < size < 4 << 20


def test_a_budget_stands_for_the_ceiling_in_a_process_without_one():
    import resource

    from ingest.streams import headroom, memory_budget
    if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
        pytest.skip("this process has an address-space ceiling: headroom reads that instead")
    assert headroom() is None
    with memory_budget(900 << 20):
        assert headroom() == 900 << 20
    assert headroom() is None
