"""The coding widget's logic, driven by the messages its browser side sends."""

import pytest

from analysis.coding.memos import MemoStore
from analysis.coding.rows import new_coding
from analysis.coding.store import CodingStore
from analysis.files import hold_lock
from analysis.ui.coding_widget import CodingWidget, snap


@pytest.fixture
def widget(make_study):
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    return CodingWidget(study, coder="nok", transcript="GOOD-TH")


def saved(widget, coder="nok"):
    return CodingStore(widget.study).read(coder, "GOOD-TH")


def send(widget, **content):
    widget._message(widget, content, [])


def offsets(widget, phrase):
    start = widget.transcript.body.index(phrase)
    return start, start + len(phrase)


def test_coding_widget_shows_every_turn_with_its_offsets(widget) -> None:
    body = widget.transcript.body
    assert len(widget.turns) == 4 and widget.turns[1]["speaker"] == "R"
    assert all(body[t["start"]:t["end"]] == t["text"] for t in widget.turns)
    assert {c["id"] for c in widget.codes} >= {"LIB-SHEL", "FTR-INTERP"}


def test_coding_widget_snap_never_cuts_a_thai_character() -> None:
    body = "ไม่มีล่ามค่ะ"
    assert snap(body, 1, 3) == (0, 3)  # inside ไม่: back to ไ (a leading vowel keeps its consonant)
    assert snap(body, 0, 2) == (0, 3)  # ม without its tone mark ่ is widened to ม่
    assert snap(body, 5, 6) == (5, 8)  # ล่า: neither ่ nor า begins a character
    assert snap(body, 9, 3) == (3, 9)  # dragged backwards


def test_coding_widget_selection_to_a_phrase_coding(widget) -> None:
    a, b = offsets(widget, "ไม่มีล่าม")
    send(widget, type="select", start=a + 1, end=b)  # from inside ไม่: snapped back to ไ
    assert widget.selection["text"] == "ไม่มีล่าม"
    send(widget, type="apply", code_id="FTR-INTERP")
    [coding] = saved(widget)
    assert (coding.start, coding.end, coding.quote) == (a, b, "ไม่มีล่าม")
    assert widget.transcript.body[coding.start:coding.end] == coding.quote
    assert coding.segment_id == "GOOD-TH:0004" and widget.status["kind"] == "ok"
    [shown] = widget.codings
    assert (shown["start"], shown["end"], shown["code_id"], shown["mine"]) == (a, b, "FTR-INTERP", True)
    assert widget.recent == ["FTR-INTERP"]


def test_coding_widget_selection_across_turns_makes_one_coding_per_piece(widget) -> None:
    turns = widget.turns
    start = turns[1]["start"] + turns[1]["text"].index("ไม่มีใคร")
    end = turns[2]["start"] + 5  # into the next turn, across the speaker label
    widget.select(start, end)
    assert widget.selection["turns"] == ["GOOD-TH:0002", "GOOD-TH:0003"]
    widget.apply("LIB-SHEL")
    rows = sorted(saved(widget), key=lambda c: c.segment_id)
    assert [c.segment_id for c in rows] == ["GOOD-TH:0002", "GOOD-TH:0003"]
    body = widget.transcript.body
    assert rows[0].quote == body[start:turns[1]["end"]] and rows[0].end == turns[1]["end"]
    assert rows[1].start == turns[2]["start"] and rows[1].quote == body[turns[2]["start"]:rows[1].end]


def test_coding_widget_whole_turn_selection_is_a_whole_turn_coding(widget) -> None:
    turn = widget.turns[3]
    widget.select(turn["start"] - 3, turn["end"] + 1)  # with the speaker label and the line break
    widget.apply("FTR-INTERP")
    [coding] = saved(widget)
    assert (coding.start, coding.end, coding.quote) == (None, None, turn["text"])


def test_coding_widget_undo_redo_follow_the_log(widget) -> None:
    widget.select(*offsets(widget, "ไม่มีล่าม"))
    widget.apply("FTR-INTERP")
    send(widget, type="undo")
    assert saved(widget) == [] and widget.codings == []
    assert widget.selection["text"] == "ไม่มีล่าม"  # the selection stays for the next try
    send(widget, type="redo")
    assert [c.code_id for c in saved(widget)] == ["FTR-INTERP"] and len(widget.codings) == 1
    widget.redo()  # nothing left to redo: said in the widget, files unchanged
    assert widget.status["kind"] == "error" and "redo" in widget.status["text"]
    widget.undo()
    widget.apply("LIB-SHEL")  # a new action: the undone one can no longer be redone
    widget.redo()
    assert [c.code_id for c in saved(widget)] == ["LIB-SHEL"]


def test_coding_widget_remove_own_coding(widget) -> None:
    widget.select(*offsets(widget, "ไม่มีล่าม"))
    widget.apply("FTR-INTERP")
    send(widget, type="remove", id=widget.codings[0]["id"])
    assert saved(widget) == [] and widget.codings == []


def test_coding_widget_other_coders_hidden_until_asked(widget) -> None:
    transcript, segment = widget.transcript, widget.segments[1]
    CodingStore(widget.study).add(new_coding(transcript, segment, "LIB-SHEL", "mai"))
    widget.refresh()
    assert widget.codings == []
    widget.show_others = True
    [other] = widget.codings
    assert (other["coder"], other["mine"]) == ("mai", False)
    assert not widget.remove(other["id"]) and saved(widget, "mai")
    widget.show_others = False
    assert widget.codings == []


def test_coding_widget_lock_held_keeps_the_selection_and_says_so(widget, monkeypatch) -> None:
    widget.select(*offsets(widget, "ไม่มีล่าม"))
    monkeypatch.setattr("analysis.coding.store.coder_lock",
                        lambda folder: hold_lock(folder / ".lock", timeout=0.1, what="nok's codings folder"))
    folder = CodingStore(widget.study).folder("nok")
    folder.mkdir(parents=True, exist_ok=True)
    with hold_lock(folder / ".lock", timeout=1, what="test"):
        assert widget.apply("FTR-INTERP") == []
    assert widget.status["kind"] == "error" and "ลองใหม่" in widget.status["text"]
    assert widget.selection["text"] == "ไม่มีล่าม" and saved(widget) == []


def test_coding_widget_needs_a_selection_and_a_coder(widget) -> None:
    widget.apply("LIB-SHEL")
    assert widget.status["kind"] == "error" and "เลือกข้อความ" in widget.status["text"]
    widget.select(*offsets(widget, "ไม่มีล่าม"))
    widget.coder = "Bad Name"
    assert widget.status["kind"] == "error"
    assert widget.apply("LIB-SHEL") == [] and widget.codings == []


def test_coding_widget_memos_on_selection_turn_and_transcript(widget) -> None:
    memos = MemoStore(CodingStore(widget.study))
    widget.select(*offsets(widget, "ไม่มีล่าม"))
    send(widget, type="memo", text="ไม่มีล่ามจริง")
    widget.memo_target = "turn"
    assert widget.memo_text == ""
    widget.save_memo("ทั้งช่วง")
    widget.memo_target = "transcript"
    widget.save_memo("ภาพรวม")
    targets = {m.target: m.memo for m in memos.read("nok", "GOOD-TH")}
    assert targets == {"span": "ไม่มีล่ามจริง", "segment": "ทั้งช่วง", "transcript": "ภาพรวม"}
    widget.memo_target = "selection"
    assert widget.memo_text == "ไม่มีล่ามจริง"
    widget.undo()  # memos go through the same log
    assert "transcript" not in {m.target for m in memos.read("nok", "GOOD-TH")}
    widget.redo()
    assert "transcript" in {m.target for m in memos.read("nok", "GOOD-TH")}


def test_coding_widget_memo_on_a_selection_across_turns_is_refused(widget) -> None:
    widget.select(widget.turns[1]["start"], widget.turns[2]["end"])
    widget.save_memo("x")
    assert widget.status["kind"] == "error"


def test_coding_widget_opens_at_a_retrieved_passage(make_study) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    opened = CodingWidget(study, coder="nok", transcript="GOOD-EN", segment="GOOD-EN:0002")
    assert opened.transcript_id == "GOOD-EN" and opened.goto == "GOOD-EN:0002"  # the JS scrolls to it, marked
    assert CodingWidget(study, coder="nok", transcript="GOOD-EN", segment="GOOD-TH:0002").goto == ""
