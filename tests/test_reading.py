"""Decoding transcript bytes: the TIS-620 check reads each character once and keeps its verdicts."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import TranscriptError
from analysis.text.reading import TIS620, _plausible_thai, decode_bytes
from analysis.text.script import THAI_MARKS, is_thai


def _plausible_thai_char_by_char(text: str) -> bool:
    """The rule, one character at a time: nine in ten non-ASCII characters Thai, no Thai mark
    after anything but a Thai character."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii or sum(map(is_thai, non_ascii)) / len(non_ascii) < 0.9:
        return False
    return all(is_thai(before) for before, mark in zip(text, text[1:], strict=False) if mark in THAI_MARKS)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("กขาเ่้ัิ ุa \né") + ["\u0e7f", "\u0e00", "\u0dff", "\u0e80"]),
               max_size=30))
def test_reading_tis620_check_agrees_with_the_char_by_char_rule(text: str) -> None:
    assert _plausible_thai(text) == _plausible_thai_char_by_char(text)


def test_reading_large_tis620_file_and_latin1_refusal() -> None:
    thai = "I: ตอนอยู่ในสถานคุ้มครองเป็นอย่างไรบ้าง\r\n\r\n" * 20_000
    assert decode_bytes(thai.encode("cp874"), Path("x.txt")) == (thai, TIS620)
    latin1 = ("R: café au lait, déjà vu\n" * 1000 + "last line without newline").encode("latin-1")
    with pytest.raises(TranscriptError, match="unknown text encoding") as caught:
        decode_bytes(latin1, Path("x.txt"))
    assert caught.value.line == 1
