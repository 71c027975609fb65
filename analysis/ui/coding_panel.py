"""The coding panel: code a transcript one segment at a time, in a notebook, without reading code.

Every tick saves at once (see ``analysis.coding.store``) and shows the time it was saved. The memo box
holds the coder's memo on the turn shown (``analysis.coding.memos``), coded or not: it is saved when the
box loses focus, "saved" appears only once the file is written, and a failure says so and keeps the
text. Suggested codes (from keywords) are offered as buttons and only become codings when the coder
clicks one.

The coder's codings are shown as ``resolve_file`` resolves them, the very result the report counts:
a coding re-anchored after a transcript edit is shown at its new place (phrases marked in the
text), and one that needs review (or is invalid) is listed as such, with a button to remove it.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

import ipywidgets as widgets

from analysis.codebook.model import study_codebook
from analysis.coding.anchoring import PLACED, resolve_file
from analysis.coding.memos import MemoStore, segment_memo
from analysis.coding.rows import Coding, check_coder, new_coding
from analysis.coding.store import CodingStore
from analysis.coding.suggest import suggest_for_text
from analysis.errors import SitthiError
from analysis.report.figures import PALETTE
from analysis.study import Study
from analysis.text.corpus import read_corpus
from analysis.text.segments import segment_body

WORDS = {  # (Thai, English)
    "coder": ("ผู้ลงรหัส", "Coder"), "transcript": ("บทสัมภาษณ์", "Transcript"),
    "prev": ("◀ ก่อนหน้า", "◀ Previous"), "next": ("ถัดไป ▶", "Next ▶"),
    "uncoded": ("ข้ามไปที่ยังไม่ลงรหัส ⏭", "Next uncoded ⏭"), "filter": ("กรองรหัส…", "Filter codes…"),
    "phrase": ("ลงรหัสเฉพาะวลีนี้ (ไม่บังคับ)", "Code only this phrase (optional)"),
    "memo": ("บันทึกช่วยจำ", "Memo"), "saved": ("บันทึกแล้ว", "saved"),
    "suggested": ("รหัสที่แนะนำ (คลิกเพื่อใช้):", "Suggested codes (click to accept):"),
    "none": ("ยังไม่มีรหัส", "no codes yet"),
    "which": ("วลีนี้มีหลายที่ เลือกที่:", "The phrase occurs more than once; pick:"),
    "name_first": ("กรุณาใส่ชื่อผู้ลงรหัสก่อน", "Type your coder name first"),
    "not_found": ("ไม่พบวลีนี้ในช่วงนี้ คัดลอกให้ตรงทุกตัวอักษร", "This phrase is not in the segment: copy it exactly"),
    "unplaced": ("รหัสที่ต้องตรวจ (ข้อความเปลี่ยนหลังลงรหัส หรือแถวไม่ถูกต้อง) ไม่นับในรายงาน:",
                 "Codings to review (the text changed after coding, or the row is invalid), not counted:"),
    "remove": ("ลบ", "Remove"),
    "memo_failed": ("บันทึกช่วยจำยังไม่ได้บันทึก ข้อความยังอยู่ในช่อง",
                    "The memo was NOT saved; your text is still in the box"),
    "coding_memos": ("บันทึกช่วยจำเดิมบนรหัสของช่วงนี้:", "Earlier memos on this turn's codings:"),
}


class CodingPanel:
    """The widget a coder works in; ``widget`` is what the notebook cell shows."""

    def __init__(self, study: Study, *, coder: str | None = None, transcript: str | None = None,
                 lang: str = "th") -> None:
        self.study, self.store = study, CodingStore(study)
        self.memos = MemoStore(self.store)
        self.codebook = study_codebook(study)
        self.transcripts = {t.id: t for t in read_corpus(study)}
        self._settings = study.cache_dir / "panel.json"
        self._loading = False
        self._drafts: dict[tuple, str] = {}  # memos that could not be saved, by (transcript, segment)
        self.segments: list = []
        self.position = 0
        self._build(lang)
        self.coder.value = coder or self._remembered().get("coder", "")
        first = transcript if transcript in self.transcripts else next(iter(self.transcripts), None)
        if first is None:
            raise SitthiError("the study has no transcripts", path=study.transcripts_dir,
                              fix="run `sitthi check` and add transcripts first")
        self.transcript.value = first
        self._open_transcript()

    # -- building ----------------------------------------------------------------------

    def _word(self, key: str) -> str:
        return WORDS[key][0 if self.lang.value == "th" else 1]

    def _build(self, lang: str) -> None:
        full = widgets.Layout(width="auto")
        self.lang = widgets.ToggleButtons(options=[("ไทย", "th"), ("English", "en")], value=lang)
        self.coder = widgets.Combobox(options=self.store.coders(), continuous_update=False, layout=full)
        self.transcript = widgets.Dropdown(options=sorted(self.transcripts), layout=full)
        self.progress, self.saved, self.error = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.context, self.chips, self.coding_memos = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.review = widgets.VBox()
        self.suggestions = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.phrase = widgets.Text(layout=widgets.Layout(width="100%"))
        self.occurrence = widgets.Dropdown(options=[], layout=widgets.Layout(display="none"))
        self.filter = widgets.Text(layout=widgets.Layout(width="20rem"))
        self.memo = widgets.Textarea(continuous_update=False, layout=widgets.Layout(width="100%"))
        self.prev_button, self.next_button, self.uncoded_button = (widgets.Button() for _ in range(3))
        self.boxes: dict[str, widgets.Checkbox] = {}
        groups = []
        for root in self.codebook.roots:
            members = [root, *self.codebook.descendants(root.id)]
            boxes = []
            for code in members:
                if code.deprecated_by or code.kind.endswith("_group"):
                    continue
                box = widgets.Checkbox(indent=False, layout=widgets.Layout(width="auto"))
                box.observe(lambda change, code_id=code.id: self._ticked(code_id, change["new"]), "value")
                self.boxes[code.id] = box
                boxes.append(box)
            groups.append((root, widgets.VBox(boxes)))
        self.codes = widgets.Accordion(children=[box for _, box in groups])
        self.matches = widgets.VBox()  # while filtering: the matching codes of every section, in one list
        self._roots = [root for root, _ in groups]
        self.labels = {key: widgets.HTML() for key in ("coder", "transcript", "phrase", "memo", "suggested")}
        self.coder.observe(self._coder_changed, "value")
        self.transcript.observe(lambda _: self._open_transcript(), "value")
        self.lang.observe(lambda _: self._relabel(), "value")
        self.filter.observe(lambda _: self._apply_filter(), "value")
        self.phrase.observe(lambda _: self._find_phrase(), "value")
        self.memo.observe(self._memo_changed, "value")
        self.prev_button.on_click(lambda _: self.go(self.position - 1))
        self.next_button.on_click(lambda _: self.go(self.position + 1))
        self.uncoded_button.on_click(lambda _: self.go_next_uncoded())
        self.widget = widgets.VBox([
            widgets.HBox([self.labels["coder"], self.coder, self.labels["transcript"], self.transcript,
                          self.lang]),
            widgets.HBox([self.prev_button, self.next_button, self.uncoded_button, self.progress,
                          self.saved]),
            self.error, self.review, self.context, self.chips, self.labels["suggested"], self.suggestions,
            self.labels["phrase"], self.phrase, self.occurrence, self.filter, self.matches, self.codes,
            self.labels["memo"], self.memo, self.coding_memos,
        ])
        self._relabel()

    def _relabel(self) -> None:
        lang = self.lang.value
        for key, label in self.labels.items():
            label.value = f"<b>{html.escape(self._word(key))}</b>"
        self.prev_button.description = self._word("prev")
        self.next_button.description = self._word("next")
        self.uncoded_button.description = self._word("uncoded")
        self.filter.placeholder = self._word("filter")
        for code_id, box in self.boxes.items():
            box.description = f"{code_id}  {self.codebook.label(code_id, lang)}"
        for i, root in enumerate(self._roots):
            self.codes.set_title(i, f"{root.id} · {root.label[lang]}")
        if self.segments:
            self._show()

    # -- state -------------------------------------------------------------------------

    def _remembered(self) -> dict:
        try:
            return json.loads(self._settings.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _coder_changed(self, change) -> None:
        try:
            check_coder(change["new"])
        except SitthiError as err:
            if change["new"]:
                self._fail(err)
        else:
            self.error.value = ""
            self._settings.parent.mkdir(parents=True, exist_ok=True)
            self._settings.write_text(json.dumps({"coder": change["new"]}), encoding="utf-8")
        if self.segments:
            self._show()

    def _open_transcript(self) -> None:
        transcript = self.transcripts[self.transcript.value]
        self.segments = segment_body(transcript.id, transcript.body, self.study.segment_unit)
        self.go(0)

    @property
    def segment(self):
        return self.segments[self.position]

    def _mine(self) -> list[tuple[Coding, dict]]:
        """This coder's codings of the open transcript, each as stored (its key changes it) and as
        resolved for today's text (``RESOLVED_COLUMNS``); none while the name is missing or invalid."""
        try:
            path = self.store.path(check_coder(self.coder.value), self.transcript.value)
        except SitthiError:
            return []
        segments = {self.transcript.value: self.segments}
        return resolve_file(path, self.coder.value, self.transcripts, self.codebook, segments)[0]

    def _placed(self, segment_id: str | None = None) -> list[tuple[Coding, dict]]:
        """Those of ``_mine`` that count where they are (on ``segment_id``, if given)."""
        return [(coding, record) for coding, record in self._mine() if record["status"] in PLACED
                and segment_id in (None, record["segment_id"])]

    def go(self, position: int) -> None:
        """Show segment ``position`` (0-based), clamped to the transcript."""
        self.position = max(0, min(position, len(self.segments) - 1))
        self.phrase.value = ""
        self._show()

    def go_next_uncoded(self) -> None:
        coded = {record["segment_id"] for _, record in self._placed()}
        for position in range(self.position + 1, len(self.segments)):
            if self.segments[position].segment_id not in coded:
                return self.go(position)
        return None

    def _show(self) -> None:
        segment, lang, mine = self.segment, self.lang.value, self._mine()
        placed = [(coding, record) for coding, record in mine if record["status"] in PLACED]
        here = [record for _, record in placed if record["segment_id"] == segment.segment_id]
        applied = sorted({record["code_id"] for record in here})
        self._loading = True
        try:
            for code_id, box in self.boxes.items():
                box.value = code_id in applied
            draft = self._drafts.get(self._here())
            self.memo.value = self._turn_memo() if draft is None else draft
        finally:
            self._loading = False
        old = [f"{html.escape(r['code_id'])}: {html.escape(r['memo'])}" for r in here if r["memo"]]
        self.coding_memos.value = (f"<i>{html.escape(self._word('coding_memos'))}</i><br>" + "<br>".join(old)
                                   if old else "")
        coded = {record["segment_id"] for _, record in placed}
        self.progress.value = (f"<b>{self.position + 1} / {len(self.segments)}</b> · "
                               f"{'ลงรหัสแล้ว' if lang == 'th' else 'coded'} {len(coded)}")
        phrases = [(record["start"], record["end"]) for record in here if record["start"] is not None]
        self.context.value = self._context_html(phrases)
        self._show_review([(coding, record) for coding, record in mine if record["status"] not in PLACED])
        colours = {r.id: PALETTE[i % len(PALETTE)] for i, r in enumerate(self.codebook.roots)}
        self.chips.value = " ".join(
            f"<span style='background:{colours[self.codebook.root_of(c).id]};color:white;border-radius:9px;"
            f"padding:1px 8px;margin:2px'>{html.escape(c)} {html.escape(self.codebook.label(c, lang))}</span>"
            for c in applied) or f"<i>{self._word('none')}</i>"
        buttons = []
        for code_id, matched in suggest_for_text(self.codebook, segment.text).items():
            if code_id in applied or code_id not in self.boxes:
                continue
            button = widgets.Button(description=f"💡 {code_id} {self.codebook.label(code_id, lang)}",
                                    tooltip=", ".join(matched), button_style="warning",
                                    layout=widgets.Layout(width="auto"))
            button.on_click(lambda _, code_id=code_id: self.accept(code_id))
            buttons.append(button)
        self.suggestions.children = buttons

    def _here(self) -> tuple[str, str]:
        return self.transcript.value, self.segment.segment_id

    def _turn_memo(self) -> str:
        """The coder's saved memo on the turn shown ("" when none, or while the name is missing)."""
        try:
            memo = self.memos.get(check_coder(self.coder.value), self.transcript.value,
                                  ("segment", self.segment.segment_id, None, None, ""))
        except SitthiError:
            return ""
        return memo.memo if memo is not None and memo.quote == self.segment.text else ""

    def _context_html(self, phrases: list[tuple[int, int]]) -> str:
        """The segment between its neighbours, the coder's ``phrases`` (body offsets) marked in it."""
        parts = []
        for offset in (-1, 0, 1):
            i = self.position + offset
            if 0 <= i < len(self.segments):
                s = self.segments[i]
                style = "font-size:1.1em;border-left:4px solid #0072B2;padding-left:8px" if offset == 0 \
                    else "color:#777"
                text = _marked(s.text, s.start, phrases) if offset == 0 else html.escape(s.text)
                parts.append(f"<div style='{style}'><b>{html.escape(s.speaker or '')}</b> {text}</div>")
        return "".join(parts)

    def _show_review(self, unplaced: list[tuple[Coding, dict]]) -> None:
        """List the codings that count nowhere (needs review, invalid), each with a remove button."""
        rows = []
        for coding, record in unplaced:
            text = (f"⚠ <b>{html.escape(record['status'])}</b> · {html.escape(coding.code_id)} · "
                    f"{html.escape(coding.segment_id)} «{html.escape(coding.quote[:80])}» "
                    f"<i>{html.escape(record['problem'])}</i>")
            button = widgets.Button(description=self._word("remove"), layout=widgets.Layout(width="auto"))
            button.on_click(lambda _, key=coding.key: self._remove(key))
            rows.append(widgets.HBox([button, widgets.HTML(text)]))
        title = widgets.HTML(f"<b style='color:#b00020'>{html.escape(self._word('unplaced'))}</b>")
        self.review.children = [title, *rows] if rows else []

    def _apply_filter(self) -> None:
        """While a filter is typed, the matching codes of all sections in one list instead of the
        sections (a match inside a closed section used to stay hidden, the open one to go empty)."""
        needle = self.filter.value.strip().casefold()
        found = []
        for code_id, box in self.boxes.items():
            code = self.codebook[code_id]
            text = " ".join([code_id, *code.label.values(), *code.keywords.get("th", ()),
                             *code.keywords.get("en", ())]).casefold()
            box.layout.display = "" if needle in text else "none"
            if needle and needle in text:
                found.append(box)
        self.matches.children = found
        self.codes.layout.display = "none" if needle else ""

    def _find_phrase(self) -> list[int]:
        phrase, segment = self.phrase.value, self.segment
        starts, at = [], segment.text.find(phrase) if phrase else -1
        while at >= 0:
            starts.append(segment.start + at)
            at = segment.text.find(phrase, at + 1)
        several = len(starts) > 1
        before = [segment.text[max(0, s - segment.start - 15):s - segment.start] for s in starts]
        self.occurrence.options = [(f"{n + 1}: …{b}[{phrase}]", s) for n, (b, s) in
                                   enumerate(zip(before, starts, strict=True))] if several else []
        self.occurrence.description = self._word("which") if several else ""
        self.occurrence.layout.display = "" if several else "none"
        return starts

    # -- saving ------------------------------------------------------------------------

    def _saved(self) -> None:
        self.error.value = ""
        self.saved.value = f"✔ {self._word('saved')} {datetime.now().strftime('%H:%M:%S')}"

    def _fail(self, err: Exception, headline: str = "") -> None:
        message = err.message if isinstance(err, SitthiError) else str(err)
        message = f"{headline}: {message}" if headline else message
        self.saved.value = ""
        self.error.value = f"<div style='color:#b00020'><b>⚠ {html.escape(message)}</b></div>"

    def _ticked(self, code_id: str, on: bool) -> None:
        if self._loading:
            return
        if not self.coder.value:
            self._fail(SitthiError(self._word("name_first")))
            self._loading = True
            self.boxes[code_id].value = not on
            self._loading = False
            return
        try:
            if on:
                self._add(code_id)
                self.phrase.value = ""  # a phrase is coded once: the next tick is the whole turn again
            else:
                for coding, _ in self._placed(self.segment.segment_id):
                    if coding.code_id == code_id:
                        self.store.remove(self.coder.value, self.transcript.value, coding.key)
            self._saved()
        except SitthiError as err:
            self._fail(err)
        self._show()

    def _remove(self, key: tuple) -> None:
        """Remove one of the coder's codings by its stored key (from the review list)."""
        try:
            self.store.remove(self.coder.value, self.transcript.value, key)
            self._saved()
        except SitthiError as err:
            self._fail(err)
        self._show()

    def _add(self, code_id: str) -> None:
        transcript, segment = self.transcripts[self.transcript.value], self.segment
        start = end = None
        if self.phrase.value:
            starts = self._find_phrase()
            if not starts:
                raise SitthiError(self._word("not_found"))
            start = self.occurrence.value if len(starts) > 1 else starts[0]
            end = start + len(self.phrase.value)
        coding = new_coding(transcript, segment, code_id, self.coder.value, start=start, end=end)
        for stored, record in self._mine():
            if stored.key == coding.key:  # saved before the text changed, under the same key
                self._settle(stored, record, coding)
        self.store.add(coding)

    def _settle(self, stored: Coding, record: dict, coding: Coding) -> None:
        """Free ``coding``'s key: a re-anchored coding is saved at its new place, one that counts
        nowhere is replaced by ``coding`` (both are edits the coder can undo)."""
        if record["status"] in PLACED:
            fields = {name: record[name] for name in ("segment_id", "start", "end", "text_sha8")}
        else:
            fields = {name: getattr(coding, name) for name in ("text_sha8", "quote", "coded_at", "memo")}
        self.store.edit(self.coder.value, self.transcript.value, stored.key, **fields)

    def accept(self, code_id: str) -> None:
        """Accept a suggested code: it becomes this coder's coding."""
        self.boxes[code_id].value = True

    def _memo_changed(self, change) -> None:
        """Save the box as the coder's memo on the turn shown (an empty box deletes it)."""
        if self._loading:
            return
        try:
            if not self.coder.value:
                raise SitthiError(self._word("name_first"))
            transcript = self.transcripts[self.transcript.value]
            self.memos.save(segment_memo(transcript, self.segment, self.coder.value, change["new"]))
        except (SitthiError, OSError) as err:
            self._drafts[self._here()] = change["new"]  # shown again on this turn until it is saved
            self._fail(err, self._word("memo_failed"))
        else:
            self._drafts.pop(self._here(), None)
            self._saved()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _marked(text: str, offset: int, spans: list[tuple[int, int]]) -> str:
    """``text`` (which starts at body offset ``offset``) escaped, with the ``spans`` in ``<mark>``."""
    parts, at = [], 0
    for start, end in sorted(spans):
        start, end = max(start - offset, at), min(end - offset, len(text))
        if start < end:
            parts += [html.escape(text[at:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
            at = end
    return "".join([*parts, html.escape(text[at:])])
