"""The coding panel, driven through its widgets as a coder would."""

import pytest

from analysis.coding.memos import MemoStore
from analysis.coding.store import CodingStore
from analysis.ui.coding_panel import CodingPanel


@pytest.fixture
def panel(make_study):
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    return CodingPanel(study, coder="nok", transcript="GOOD-TH")


def saved(panel):
    return {(c.segment_id, c.code_id, c.start) for c in CodingStore(panel.study).read("nok", "GOOD-TH")}


def test_coding_panel_ticks_save_at_once(panel) -> None:
    panel.go(1)
    assert "2 / 4" in panel.progress.value and "ตำรวจ" in panel.context.value
    panel.boxes["LIB-SHEL"].value = True
    assert saved(panel) == {("GOOD-TH:0002", "LIB-SHEL", None)}
    assert "✔" in panel.saved.value and "LIB-SHEL" in panel.chips.value
    panel.boxes["LIB-SHEL"].value = False
    assert saved(panel) == set()


def test_coding_panel_suggestion_is_only_saved_when_accepted(panel) -> None:
    panel.go(3)
    suggested = [b.description for b in panel.suggestions.children]
    assert any("FTR-INTERP" in d for d in suggested)
    assert saved(panel) == set()
    panel.accept("FTR-INTERP")
    assert saved(panel) == {("GOOD-TH:0004", "FTR-INTERP", None)}
    assert not any("FTR-INTERP" in b.description for b in panel.suggestions.children)


def test_coding_panel_codes_a_phrase_and_asks_which(panel) -> None:
    panel.go(3)
    segment = panel.segment
    panel.phrase.value = "อ่านไม่ออก"
    panel.boxes["FTR-INTERP"].value = True
    start = segment.start + segment.text.index("อ่านไม่ออก")
    assert saved(panel) == {("GOOD-TH:0004", "FTR-INTERP", start)}
    assert panel.phrase.value == ""  # the next tick must not silently go on the same phrase
    panel.boxes["LIB"].value = True
    assert ("GOOD-TH:0004", "LIB", None) in saved(panel)
    panel.boxes["LIB"].value = False
    panel.go(1)
    panel.phrase.value = "ก"  # occurs several times in this turn
    assert panel.occurrence.layout.display == "" and len(panel.occurrence.options) > 1
    second = panel.occurrence.options[1][1]
    panel.occurrence.value = second
    panel.boxes["LIB"].value = True
    assert ("GOOD-TH:0002", "LIB", second) in saved(panel)
    panel.phrase.value = "ไม่มีในข้อความนี้"
    panel.boxes["LIB-DET"].value = True
    assert "⚠" in panel.error.value and not any(c == "LIB-DET" for _, c, _ in saved(panel))


def test_coding_panel_navigation_memo_language_filter(panel) -> None:
    panel.go(0)
    panel.boxes["LIB"].value = True
    panel.memo.value = "general point"
    assert [c.memo for c in CodingStore(panel.study).read("nok", "GOOD-TH")] == [""]  # never copied
    assert [m.memo for m in MemoStore(CodingStore(panel.study)).read("nok", "GOOD-TH")] == ["general point"]
    panel.go_next_uncoded()
    assert panel.position == 1
    panel.next_button.click()
    assert panel.position == 2
    panel.prev_button.click()
    assert panel.position == 1
    panel.lang.value = "en"
    assert panel.boxes["FTR-INTERP"].description.endswith("No interpreter")
    assert panel.next_button.description == "Next ▶"
    panel.filter.value = "police"
    assert panel.boxes["ACT-POLICE"].layout.display == "" and panel.boxes["LIB"].layout.display == "none"
    assert panel.boxes["ACT-POLICE"] in panel.matches.children  # whichever section it is in, open or closed
    assert panel.boxes["LIB"] not in panel.matches.children and panel.codes.layout.display == "none"
    panel.filter.value = "ล่าม"  # Thai keywords too, across sections
    assert panel.boxes["FTR-INTERP"] in panel.matches.children
    panel.filter.value = ""
    assert panel.matches.children == () and panel.codes.layout.display == ""
    assert all(box.layout.display == "" for box in panel.boxes.values())


def test_coding_panel_remembers_the_coder_and_needs_one(make_study) -> None:
    study = make_study("GOOD-TH.md")
    first = CodingPanel(study, coder="mai")
    assert CodingPanel(study).coder.value == "mai"
    first.coder.value = ""
    first.boxes["LIB"].value = True
    assert first.boxes["LIB"].value is False and "⚠" in first.error.value
    first.coder.value = "Bad Name"
    first.boxes["LIB"].value = True
    assert "not allowed" in first.error.value


def ticked(panel) -> set:
    """(segment, code) of every ticked box, segment by segment, as the coder sees them."""
    found = set()
    for position in range(len(panel.segments)):
        panel.go(position)
        found |= {(panel.segment.segment_id, code) for code, box in panel.boxes.items() if box.value}
    return found


def test_coding_panel_shows_codings_where_the_report_counts_them(panel) -> None:
    from analysis.coding.status import study_codings

    panel.go(3)
    panel.boxes["LIB-SHEL"].value = True
    panel.phrase.value = "อ่านไม่ออก"
    panel.boxes["FTR-INTERP"].value = True
    panel.go(1)
    panel.boxes["ACT-POLICE"].value = True
    panel.boxes["FTR"].value = True
    path = panel.study.transcripts_dir / "GOOD-TH.md"  # a new first turn; turn 2 reworded
    text = path.read_text(encoding="utf-8").replace("---\n\nI: ", "---\n\nI: สวัสดีค่ะ\n\nI: ", 1)
    path.write_text(text.replace("ตอนดึก", "ตอนเช้า"), encoding="utf-8")
    panel = CodingPanel(panel.study, coder="nok", transcript="GOOD-TH")
    table = study_codings(panel.study)[0]
    counted = table[table["status"].isin(["ok", "reanchored"])]
    assert ticked(panel) == set(zip(counted["segment_id"], counted["code_id"], strict=True)) == {
        ("GOOD-TH:0005", "LIB-SHEL"), ("GOOD-TH:0005", "FTR-INTERP")}
    panel.go(4)
    assert "<mark>อ่านไม่ออก</mark>" in panel.context.value and "LIB-SHEL" in panel.chips.value
    reviews = [row.children[1].value for row in panel.review.children[1:]]
    assert all("needs review" in r and "GOOD-TH:0002" in r for r in reviews)
    assert ["ACT-POLICE ·" in r for r in reviews] == [True, False] and "FTR ·" in reviews[1]
    panel.review.children[1].children[0].click()  # remove the first coding to review
    assert len(panel.review.children) == 2 and len(saved(panel)) == 3
    panel.go(1)  # re-code the other one on today's turn 2: it replaces the stale row with its key
    panel.boxes["FTR"].value = True
    assert panel.review.children == () and ("GOOD-TH:0002", "FTR") in ticked(panel)
    panel.go(3)  # coding LIB-SHEL on today's turn 4 first saves the re-anchored one at its new place
    panel.boxes["LIB-SHEL"].value = True
    assert {("GOOD-TH:0004", "LIB-SHEL"), ("GOOD-TH:0005", "LIB-SHEL")} <= ticked(panel)
    assert {("GOOD-TH:0004", "LIB-SHEL", None), ("GOOD-TH:0005", "LIB-SHEL", None)} <= saved(panel)


def memos(panel):
    stored = MemoStore(CodingStore(panel.study)).read("nok", "GOOD-TH")
    return {(m.target, m.segment_id): m.memo for m in stored}


def test_coding_panel_memo_on_an_uncoded_turn_survives_navigation_and_restart(panel) -> None:
    panel.go(2)  # nothing coded here
    panel.memo.value = "ผู้ให้ข้อมูลลังเล hesitant"
    assert "✔" in panel.saved.value and panel.error.value == ""
    assert memos(panel) == {("segment", "GOOD-TH:0003"): "ผู้ให้ข้อมูลลังเล hesitant"}
    panel.go(3)
    assert panel.memo.value == ""
    panel.go(2)
    assert panel.memo.value == "ผู้ให้ข้อมูลลังเล hesitant"
    again = CodingPanel(panel.study, coder="nok", transcript="GOOD-TH")
    again.go(2)
    assert again.memo.value == "ผู้ให้ข้อมูลลังเล hesitant"
    again.memo.value = "edited"
    assert memos(panel) == {("segment", "GOOD-TH:0003"): "edited"}  # one memo per turn, no copies
    again.memo.value = ""
    assert memos(panel) == {}


def test_coding_panel_memo_is_not_copied_onto_codings(panel) -> None:
    panel.go(1)
    panel.memo.value = "about the whole turn"
    panel.boxes["LIB-SHEL"].value = True
    panel.boxes["LIB"].value = True
    assert [c.memo for c in CodingStore(panel.study).read("nok", "GOOD-TH")] == ["", ""]
    panel.memo.value = "changed"
    assert [c.memo for c in CodingStore(panel.study).read("nok", "GOOD-TH")] == ["", ""]
    assert memos(panel) == {("segment", "GOOD-TH:0002"): "changed"}


def test_coding_panel_shows_older_coding_memos(panel) -> None:
    store = CodingStore(panel.study)
    panel.go(1)
    panel.boxes["LIB"].value = True
    store.edit("nok", "GOOD-TH", store.read("nok", "GOOD-TH")[0].key, memo="old style memo")
    panel.go(0)
    panel.go(1)
    assert "old style memo" in panel.coding_memos.value and panel.memo.value == ""


def test_coding_panel_memo_failure_says_so_and_keeps_the_text(panel, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError("read-only disk")

    monkeypatch.setattr("analysis.coding.store.write_atomic", refuse)
    panel.go(2)
    panel.saved.value = ""
    panel.memo.value = "do not lose me"
    assert "NOT saved" not in panel.error.value  # Thai first
    assert "ยังไม่ได้บันทึก" in panel.error.value and "read-only disk" in panel.error.value
    assert panel.saved.value == "" and panel.memo.value == "do not lose me" and memos(panel) == {}
    panel.lang.value = "en"
    panel.go(3)
    panel.go(2)
    assert panel.memo.value == "do not lose me"  # the unsaved text comes back with its turn
    panel.memo.value = "still here"
    assert "NOT saved" in panel.error.value and panel.memo.value == "still here"
    monkeypatch.undo()
    panel.memo.value = "saved at last"
    assert memos(panel) == {("segment", "GOOD-TH:0003"): "saved at last"} and "✔" in panel.saved.value


def test_coding_panel_memo_needs_a_coder_name(make_study) -> None:
    study = make_study("GOOD-TH.md")
    panel = CodingPanel(study, coder="mai")
    panel.coder.value = ""
    panel.memo.value = "typed before the name"
    assert "ยังไม่ได้บันทึก" in panel.error.value and panel.memo.value == "typed before the name"
