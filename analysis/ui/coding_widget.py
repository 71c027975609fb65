"""The coding widget: a whole transcript, codes applied to text selected with the mouse (anywidget).

The browser (``coding_widget.js``) shows every turn with its speaker, the saved codings as highlights
and margin stripes (one colour per right), a code palette (search in Thai or English, recent codes on
keys 1–9), undo/redo (buttons, Ctrl+Z, Ctrl+Shift+Z) and a memo box. It only ever sends what the coder
did, as body offsets read from the turns' ``data-start`` attributes (``{"type": "select", ...}``,
``apply``, ``remove``, ``undo``, ``redo``, ``memo``); this side snaps a selection to whole characters
(a Thai consonant with its marks is never cut), splits it at turn boundaries (one coding per turn
piece; a piece that is the whole turn is a whole-turn coding), saves through ``CodingStore`` (atomic,
logged, undone by ``sitthi codings undo`` too) and then shows what the files hold. Other coders'
codings stay hidden until "show other coders" is ticked (blind coding). Errors are shown in the
widget in plain words; the selection is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import traitlets

from analysis.codebook.model import study_codebook
from analysis.coding.anchoring import PLACED, resolve_file
from analysis.coding.memos import MemoStore, segment_memo, span_memo, transcript_memo
from analysis.coding.rows import Coding, check_coder, new_coding
from analysis.coding.store import CodingStore
from analysis.errors import SitthiError
from analysis.files import BusyError
from analysis.report.figures import PALETTE
from analysis.study import Study
from analysis.text.corpus import read_corpus
from analysis.text.kwic import is_cluster_boundary
from analysis.text.segments import segment_body

HERE = Path(__file__).parent
RECENT = 9
WORDS = {  # (Thai, English)
    "saved": ("บันทึกแล้ว", "Saved"), "removed": ("ลบแล้ว", "Removed"),
    "undone": ("ย้อนกลับแล้ว", "Undone"), "redone": ("ทำซ้ำแล้ว", "Redone"),
    "memo_saved": ("บันทึกช่วยจำแล้ว", "Memo saved"),
    "already": ("มีรหัสนี้อยู่แล้ว", "Already coded"),
    "failed": ("ยังไม่ได้บันทึก", "NOT saved"),
    "busy": ("ผู้ลงรหัสคนนี้กำลังบันทึกจากหน้าต่างอื่น ลองใหม่อีกครั้ง",
             "this coder's files are busy in another window; try again in a moment"),
    "name_first": ("กรุณาใส่ชื่อผู้ลงรหัสก่อน", "type your coder name first"),
    "select_first": ("เลือกข้อความด้วยเมาส์ก่อน", "select some text with the mouse first"),
    "one_turn": ("บันทึกช่วยจำบนข้อความที่เลือกต้องอยู่ในช่วงเดียว",
                 "a memo on a selection must stay inside one turn"),
    "no_turn": ("คลิกที่ช่วงคำพูดก่อน", "click a turn first"),
}


def snap(body: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` within ``body``, widened to whole characters as a reader sees them."""
    a, b = sorted((max(0, min(start, len(body))), max(0, min(end, len(body)))))
    while a > 0 and not is_cluster_boundary(body, a):
        a -= 1
    while b < len(body) and not is_cluster_boundary(body, b):
        b += 1
    return a, b


def pieces(body: str, segments: list, start: int, end: int) -> list[tuple[object, int, int]]:
    """``(segment, start, end)`` of each turn the snapped selection covers, spaces at its ends trimmed."""
    a, b = snap(body, start, end)
    found = []
    for segment in segments:
        s, e = max(a, segment.start), min(b, segment.end)
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if s < e:
            found.append((segment, s, e))
    return found


class CodingWidget(anywidget.AnyWidget):
    """A transcript to code with the mouse; show it as a notebook cell's last value."""

    _esm = HERE / "coding_widget.js"
    _css = HERE / "coding_widget.css"
    lang = traitlets.Unicode("th").tag(sync=True)
    coder = traitlets.Unicode("").tag(sync=True)
    transcript_id = traitlets.Unicode("").tag(sync=True)
    transcript_ids = traitlets.List(traitlets.Unicode()).tag(sync=True)
    turns = traitlets.List(traitlets.Dict()).tag(sync=True)
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)
    codings = traitlets.List(traitlets.Dict()).tag(sync=True)
    recent = traitlets.List(traitlets.Unicode()).tag(sync=True)
    show_others = traitlets.Bool(False).tag(sync=True)
    selection = traitlets.Dict().tag(sync=True)  # {start, end, text, segment_id} or {}
    turn = traitlets.Unicode("").tag(sync=True)  # the segment last clicked or selected in
    memo_target = traitlets.Unicode("selection").tag(sync=True)  # selection | turn | transcript
    memo_text = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Dict().tag(sync=True)  # {kind: ok | error, text}
    goto = traitlets.Unicode("").tag(sync=True)  # a segment to scroll to and mark (a retrieved passage)

    def __init__(self, study: Study, *, coder: str | None = None, transcript: str | None = None,
                 lang: str = "th", segment: str | None = None) -> None:
        super().__init__()
        self.study, self.store = study, CodingStore(study)
        self.memos = MemoStore(self.store)
        self.codebook = study_codebook(study)
        self.transcripts = {t.id: t for t in read_corpus(study)}
        if not self.transcripts:
            raise SitthiError("the study has no transcripts", path=study.transcripts_dir,
                              fix="run `sitthi check` and add transcripts first")
        self._settings = study.cache_dir / "panel.json"  # the coder's name, shared with the coding panel
        self._keys: dict[str, tuple[str, tuple]] = {}  # shown coding id -> (coder, stored key)
        self.segments: list = []
        self.colours = {root.id: PALETTE[i % len(PALETTE)] for i, root in enumerate(self.codebook.roots)}
        self.codes = self._code_list()
        self.transcript_ids = sorted(self.transcripts)
        self.lang = lang
        self.coder = coder or self._remembered()
        self.transcript_id = transcript if transcript in self.transcripts else self.transcript_ids[0]
        self._open()
        self.goto = segment if any(s.segment_id == segment for s in self.segments) else ""
        self.observe(lambda _: self._open(), "transcript_id")
        self.observe(self._on_coder, "coder")
        self.observe(lambda _: self.refresh(), "show_others")
        self.observe(lambda _: self._show_memo(), "memo_target")
        self.on_msg(self._message)

    # -- state ---------------------------------------------------------------------------

    def _word(self, key: str) -> str:
        return WORDS[key][0 if self.lang == "th" else 1]

    def _code_list(self) -> list[dict]:
        """The codes a coder may apply (neither deprecated nor groups), with labels and colours."""
        return [{"id": code.id, "th": code.label["th"], "en": code.label["en"],
                 "right": self.codebook.root_of(code.id).id,
                 "colour": self.colours[self.codebook.root_of(code.id).id]}
                for code in self.codebook if not code.deprecated_by and not code.kind.endswith("_group")]

    def _remembered(self) -> str:
        try:
            return str(json.loads(self._settings.read_text(encoding="utf-8")).get("coder", ""))
        except (OSError, ValueError, AttributeError):
            return ""

    def _on_coder(self, change) -> None:
        try:
            check_coder(change["new"])
        except SitthiError as err:
            self._fail(err)
        else:
            self.status = {}
            self._settings.parent.mkdir(parents=True, exist_ok=True)
            self._settings.write_text(json.dumps({"coder": change["new"]}), encoding="utf-8")
        self.refresh()

    @property
    def transcript(self):
        return self.transcripts[self.transcript_id]

    def _open(self) -> None:
        """Show the transcript ``transcript_id``: its turns, the codings, no selection."""
        transcript = self.transcript
        self.segments = segment_body(transcript.id, transcript.body, self.study.segment_unit)
        self.selection, self.turn = {}, ""
        self.turns = [{"id": s.segment_id, "speaker": s.speaker or "", "start": s.start, "end": s.end,
                       "text": s.text} for s in self.segments]
        self.refresh()

    def refresh(self) -> None:
        """Show the codings as the files hold them now (the coder's own; others' when asked)."""
        coders = [self.coder] if self._coder_ok() else []
        if self.show_others:
            coders += [c for c in self.store.coders() if c != self.coder]
        shown, self._keys = [], {}
        for coder in coders:
            for coding, record in self._resolved(coder):
                key = f"{coder}/{len(shown)}"
                self._keys[key] = (coder, coding.key)
                code = self.codebook.codes.get(coding.code_id)
                right = self.codebook.root_of(coding.code_id).id if code else ""
                shown.append({"id": key, "segment_id": record["segment_id"], "start": record["start"],
                              "end": record["end"], "code_id": coding.code_id, "coder": coder,
                              "mine": coder == self.coder, "memo": coding.memo, "quote": coding.quote,
                              "th": code.label["th"] if code else coding.code_id,
                              "en": code.label["en"] if code else coding.code_id,
                              "colour": self.colours.get(right, "#777777")})
        self.codings = shown
        self._show_memo()

    def _coder_ok(self) -> bool:
        try:
            check_coder(self.coder)
        except SitthiError:
            return False
        return True

    def _resolved(self, coder: str) -> list[tuple[Coding, dict]]:
        """A coder's codings of the open transcript that count where they are today."""
        path = self.store.path(coder, self.transcript_id)
        resolved = resolve_file(path, coder, self.transcripts, self.codebook,
                                {self.transcript_id: self.segments})[0]
        return [(coding, record) for coding, record in resolved if record["status"] in PLACED]

    # -- actions -------------------------------------------------------------------------

    def _message(self, _widget, content: dict, _buffers) -> None:
        """Dispatch a message from the browser."""
        kind = content.get("type")
        if kind == "select":
            self.select(int(content["start"]), int(content["end"]))
        elif kind == "apply":
            self.apply(str(content["code_id"]))
        elif kind == "remove":
            self.remove(str(content["id"]))
        elif kind == "undo":
            self.undo()
        elif kind == "redo":
            self.redo()
        elif kind == "memo":
            self.save_memo(str(content["text"]))

    def select(self, start: int, end: int) -> dict:
        """Take the coder's selection (body offsets): snapped to whole characters, kept as ``selection``
        (empty when it holds no words); the turn it starts in becomes ``turn``."""
        body = self.transcript.body
        found = pieces(body, self.segments, start, end)
        if found:
            a, b = found[0][1], found[-1][2]
            self.selection = {"start": a, "end": b, "text": body[a:b],
                              "turns": [segment.segment_id for segment, _, _ in found]}
            self.turn = found[0][0].segment_id
        else:
            self.selection = {}
            at = min(max(start, 0), len(body))
            self.turn = next((s.segment_id for s in self.segments if s.start <= at <= s.end), self.turn)
        self._show_memo()
        return self.selection

    def codings_for(self, code_id: str) -> list[Coding]:
        """The codings the selection would make: one per turn piece (a whole turn: a whole-turn coding)."""
        if not self.selection:
            raise SitthiError(self._word("select_first"))
        coder = self._checked_coder()
        made = []
        for segment, a, b in pieces(self.transcript.body, self.segments, self.selection["start"],
                                    self.selection["end"]):
            whole = (a, b) == (segment.start, segment.end)
            made.append(new_coding(self.transcript, segment, code_id, coder,
                                   start=None if whole else a, end=None if whole else b))
        return made

    def _checked_coder(self) -> str:
        if not self.coder:
            raise SitthiError(self._word("name_first"))
        return check_coder(self.coder)

    def apply(self, code_id: str) -> list[Coding]:
        """Save ``code_id`` on the selection; return the codings added (none on an error, shown)."""
        def act():
            if code_id not in self.codebook.codes:
                raise SitthiError(f"unknown code {code_id!r}", fix="pick a code from the list")
            added = self.store.add_many(self.codings_for(code_id))
            self.recent = [code_id, *[c for c in self.recent if c != code_id]][:RECENT]
            return added, f"{self._word('saved') if added else self._word('already')}: {code_id}"

        return self._act(act) or []

    def remove(self, shown_id: str) -> bool:
        """Delete one of the coder's own codings, by its id in ``codings``."""
        def act():
            coder, key = self._keys[shown_id]
            if coder != self.coder:
                raise SitthiError("this coding is another coder's",
                                  fix="only your own codings can be removed")
            return self.store.remove(coder, self.transcript_id, key), f"{self._word('removed')}: {key[3]}"

        return bool(self._act(act))

    def undo(self) -> dict | None:
        """Undo the coder's last action (the same log as ``sitthi codings undo``)."""
        return self._act(lambda: self._logged(self.store.undo(self._checked_coder()), "undone"))

    def redo(self) -> dict | None:
        """Do again the action undone last."""
        return self._act(lambda: self._logged(self.store.redo(self._checked_coder()), "redone"))

    def _logged(self, entry: dict, word: str) -> tuple[dict, str]:
        what = "memo" if entry.get("kind") == "memo" else entry["row"]["code_id"]
        where = "" if entry["transcript_id"] == self.transcript_id else f" ({entry['transcript_id']})"
        return entry, f"{self._word(word)}: {entry['action']} {what}{where}"

    def _act(self, act):
        """Run ``act() -> (result, message)``; show the message, or the error in plain words."""
        try:
            result, message = act()
        except BusyError as err:
            self._fail(err, self._word("busy"))
            return None
        except (SitthiError, OSError, KeyError) as err:
            self._fail(err)
            return None
        self.status = {"kind": "ok", "text": f"✔ {message}"}
        self.refresh()
        return result

    def _fail(self, err: Exception, plain: str = "") -> None:
        detail = err.message if isinstance(err, SitthiError) else str(err)
        self.status = {"kind": "error", "text": f"⚠ {self._word('failed')}: {plain or detail}",
                       "detail": detail}

    # -- memos ---------------------------------------------------------------------------

    def _memo(self, text: str):
        """The memo ``text`` on the current target (selection, turn or transcript)."""
        coder = self._checked_coder()
        if self.memo_target == "transcript":
            return transcript_memo(self.transcript, coder, text)
        if self.memo_target == "turn" or not self.selection:
            segment = next((s for s in self.segments if s.segment_id == self.turn), None)
            if segment is None:
                raise SitthiError(self._word("no_turn" if self.memo_target == "turn" else "select_first"))
            return segment_memo(self.transcript, segment, coder, text)
        found = pieces(self.transcript.body, self.segments, self.selection["start"], self.selection["end"])
        if len(found) != 1:
            raise SitthiError(self._word("one_turn"))
        segment, a, b = found[0]
        return span_memo(self.transcript, segment, a, b, coder, text)

    def save_memo(self, text: str) -> str | None:
        """Save the memo box on its target (an empty box deletes the memo)."""
        def act():
            memo = self._memo(text)
            return self.memos.save(memo), self._word("memo_saved")

        return self._act(act)

    def _show_memo(self) -> None:
        """Put the coder's saved memo on the current target in the memo box ("" when none)."""
        try:
            key = self._memo("").key
            saved = self.memos.get(self.coder, self.transcript_id, key)
        except SitthiError:
            saved = None
        self.memo_text = saved.memo if saved is not None else ""
