"""Paragraphs and speaker turns with exact offsets."""

from hypothesis import given
from hypothesis import strategies as st

from analysis.text.segments import Paragraph, paragraphs, segment_body, sentence_spans


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


class _CountingStr(str):
    """A body that adds up how many characters ``str.count`` reads."""

    scanned = 0

    def count(self, sub, start=0, end=None) -> int:  # type: ignore[override]
        _CountingStr.scanned += (len(self) if end is None else end) - start
        return super().count(sub, start, end)


def test_segments_line_numbers_read_each_character_once() -> None:
    body = _CountingStr("".join(f"R: turn {n}\nsecond line\n\n" for n in range(3000)))
    _CountingStr.scanned = 0
    found = paragraphs(body)
    assert len(found) == 3000 and found[-1].line == 3 * 2999
    assert _CountingStr.scanned <= len(body)  # counting from the start for each turn read 13 million


def _shifted(paragraph: Paragraph, numbered: int, offset: int, lines: int) -> Paragraph:
    return Paragraph(paragraph.n + numbered, paragraph.start + offset, paragraph.end + offset,
                     paragraph.speaker, paragraph.line + lines)


@given(st.lists(st.text(alphabet="ab :\t\nIRก่\u3000：", max_size=30), max_size=8))
def test_segments_paragraphs_of_a_joined_body_are_its_parts_shifted(parts: list[str]) -> None:
    parts = [part + "\n\n" for part in parts]  # a blank line between parts: no paragraph spans two
    expected, offset, lines = [], 0, 0
    for part in parts:
        expected += [_shifted(p, len(expected), offset, lines) for p in paragraphs(part)]
        offset, lines = offset + len(part), lines + part.count("\n")
    assert paragraphs("".join(parts)) == expected


def test_segments_long_blank_lines_and_last_line_without_newline() -> None:
    body = "I: a\n" + " " * 200_000 + "\n\t \n" + "\u3000" * 200_000 + "\nR: b\nc"
    found = paragraphs(body)
    assert [(p.speaker, body[p.start:p.end], p.line) for p in found] == [("I", "a", 0), ("R", "b\nc", 4)]
    assert found[-1].end == len(body)


def test_segments_turn_of_many_lines_and_unlabelled_paragraphs_after_it() -> None:
    lines = [f"line {n}" for n in range(500)]
    body = "\nR: " + "\n".join(lines) + "\n\n" + "\n\n".join(lines[:3]) + "\n\nI: next"
    found = paragraphs(body)
    assert [(p.speaker, p.line) for p in found] == [("R", 1), (None, 502), (None, 504), (None, 506),
                                                     ("I", 508)]
    turns = segment_body("T", body, "turn")
    assert turns[0].text == "\n".join(lines) and turns[0].segment_id == "T:0001"
    assert [t.text for t in turns[1:]] == lines[:3] + ["next"]


def test_segments_english_sentences_beyond_spacys_million_characters() -> None:
    text = "It happened at night. " * 50_000  # 1.1 million characters: spaCy's limit is one million
    spans = sentence_spans(text, 0, len(text))
    assert len(spans) == 50_000
    assert text[spans[-1][0]:spans[-1][1]] == "It happened at night."
