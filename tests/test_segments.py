"""Paragraphs and speaker turns with exact offsets."""

from hypothesis import given
from hypothesis import strategies as st

from analysis.text.segments import paragraphs


def test_segments_turn_text_excludes_label_and_spaces() -> None:
    body = "\nI:  สวัสดีค่ะ \n\nR: Hello there\nsecond line\n\n\n\nno label here\n"
    found = paragraphs(body)
    assert [(p.n, p.speaker) for p in found] == [(1, "I"), (2, "R"), (3, None)]
    assert [body[p.start:p.end] for p in found] == ["สวัสดีค่ะ", "Hello there\nsecond line", "no label here"]
    assert [p.line for p in found] == [1, 3, 8]


def test_segments_thai_label_and_label_without_text() -> None:
    found = paragraphs("ผู้สัมภาษณ์: เล่าให้ฟังหน่อย\n\nR:\n")
    assert found[0].speaker == "ผู้สัมภาษณ์"
    assert found[1].speaker is None  # a bare label is text, not an empty turn


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), min_size=1, max_size=40),
                max_size=12))
def test_segments_offsets_round_trip(lines: list[str]) -> None:
    body = "\n\n".join(f"R: {line}" for line in lines)
    for paragraph in paragraphs(body):
        text = body[paragraph.start:paragraph.end]
        assert text == text.strip() and text
