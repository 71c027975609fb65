"""What goes into the report: its tables (disclosure control applied) and its figures, in th and en.

``report_content(study)`` computes everything from the study; ``analysis.report.build`` writes it out.
Every table here is safe to publish: breakdowns by attribute hide small counts
(``analysis.report.disclosure``), quotes carry only attribute values shared by ``min_cell`` people or more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from analysis import __version__
from analysis.codebook.model import Codebook
from analysis.coding.loaded import LoadedStudy, loaded
from analysis.coding.retrieve import memo_text, memos_on, study_memos
from analysis.errors import SitthiError
from analysis.report import figures
from analysis.report.aggregate import (
    Counted,
    breakdowns,
    cooccurrence,
    counted_codings,
    frequencies,
    participant_rights,
    quote_bank,
)
from analysis.report.disclosure import OTHER
from analysis.report.disclosure import note as disclosure_note
from analysis.report.figures import LANGS, attribute_label, label
from analysis.report.figures.rights import PAGE_ROWS, group_pages, participant_pages
from analysis.report.figures.style import value_label
from analysis.report.html import Texts
from analysis.study import Study
from analysis.text.pipeline import StudyText


class ReportError(SitthiError):
    """The report cannot be built (the study has problems, or nothing is coded yet)."""


@dataclass
class FigureSpec:
    """One report figure: how to draw it in a language, and the numbers behind it.

    ``function`` names a figure function of ``analysis.report.figures``, called with ``options`` and the
    language's ``by_lang`` options: plain data, so worker processes can draw figures in parallel. (A
    callable taking the language also works, but is drawn in the building process.)
    """

    key: str
    title: dict[str, str]
    caption: dict[str, str]
    function: str | Callable[[str], Figure]
    numbers: pd.DataFrame
    options: dict = field(default_factory=dict)
    by_lang: dict[str, dict] = field(default_factory=dict)

    def draw(self, lang: str) -> Figure:
        """The figure in ``lang``."""
        if callable(self.function):
            return self.function(lang)
        return getattr(figures, self.function)(**self.options, **self.by_lang.get(lang, {}), lang=lang)


@dataclass
class ReportContent:
    meta: dict
    counted: Counted
    tables: dict[str, pd.DataFrame]
    display: dict[str, tuple[dict[str, str], dict[str, str], pd.DataFrame]]
    figures: list[FigureSpec]
    quotes: pd.DataFrame
    rights: list[tuple[str, str, str]] = field(default_factory=list)
    on_figure: Callable[[FigureSpec], None] | None = None  # told of each figure as soon as it is made

    def add_figure(self, spec: FigureSpec) -> None:
        """Add ``spec`` to the report (and tell ``on_figure``, so drawing can start at once)."""
        self.figures.append(spec)
        if self.on_figure is not None:
            self.on_figure(spec)

    def figure(self, key: str, lang: str = "th") -> Figure:
        """Draw one report figure by its key (``rights-violated``, ``rights-by-site``, ...)."""
        found = {spec.key: spec for spec in self.figures}
        key = key if key in found else f"{key}-p01"  # a figure in pages: its first page
        if key not in found:
            raise KeyError(f"no figure {key!r} in this report; there are: {', '.join(found)}")
        return found[key].draw(lang)


def hidden_as_text(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """A breakdown with hidden values written as their marks, ``<min_cell`` or × (for CSV, XLSX and HTML)."""
    marks = ["suppressed", "participants_mark", "segments_mark"]
    out = table.drop(columns=marks, errors="ignore").astype(object)
    out["group_size"] = [int(v) for v in table["group_size"]]
    for column in ("segments", "participants"):
        marks = table.get(f"{column}_mark", pd.Series(f"<{min_cell}", index=table.index))
        out[column] = [mark if pd.isna(v) else int(v) for v, mark in zip(table[column], marks, strict=True)]
    out["share"] = ["" if pd.isna(v) else round(100 * float(v), 1) for v in table["share"]]
    return out.rename(columns={"share": "percent"})


def as_percent(table: pd.DataFrame, column: str = "share", to: str = "percent") -> pd.DataFrame:
    """``column`` (a fraction) as a percent with one decimal, named ``to`` (45.0 means 45%)."""
    return table.assign(**{column: (100 * table[column].astype(float)).round(1)}).rename(columns={column: to})


OTHER_LABEL = {"th": "อื่นๆ", "en": "other"}  # the merged small groups (disclosure.OTHER), per language
VERDICTS = {"reliable": ("เชื่อถือได้", "reliable"), "tentative": ("พอใช้ได้", "tentative"),
            "unreliable": ("เชื่อถือไม่ได้", "unreliable"), "undefined": ("คำนวณไม่ได้", "undefined"),
            "not used": ("ไม่มีผู้ใช้", "not used")}  # agreement.stats.verdict and "not used", th and en


def group_labels(values: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]]:
    """A breakdown's group labels in th and en: the study's (``Study.value_labels``) and "other"'s."""
    return {**(values or {}), OTHER: OTHER_LABEL}


def wide_display(table: pd.DataFrame, min_cell: int,
                 values: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Rows: rights; columns: groups with their size; cells "n (xx%)", "<3" or "×".

    The right column holds :class:`Texts` (id and label in each language); the groups' headers, in
    ``attrs["headers"]``, name each group in each language (``values``, as ``group_labels``)."""
    cells = [mark if mark else f"{int(p)} ({share:.0%})"
             for mark, p, share in zip(table["participants_mark"], table["participants"], table["share"],
                                       strict=True)]
    frame = table.assign(cell=cells)
    sizes = frame.drop_duplicates("group").set_index("group")["group_size"]
    names = group_labels(values)
    wide = frame.pivot(index="id", columns="group", values="cell")
    labels = frame.drop_duplicates("id").set_index("id")
    wide.insert(0, "right / สิทธิ", [Texts(*(f"{i} {labels.loc[i, f'label_{lang}']}" for lang in LANGS))
                                     for i in wide.index])
    wide = wide.loc[list(labels.index), ["right / สิทธิ", *sizes.index]].reset_index(drop=True)
    wide = wide.rename_axis(columns=None)
    wide.attrs["headers"] = {group: {lang: f"{value_label(names, group, lang)} (n = {int(n)})"
                                     for lang in LANGS} for group, n in sizes.items()}
    return wide


def one_label(table: pd.DataFrame) -> pd.DataFrame:
    """``label_th`` and ``label_en`` as one column ``label`` of :class:`Texts` (in ``label_th``'s place)."""
    if not {"label_th", "label_en"} <= set(table.columns):
        return table
    at = min(table.columns.get_loc("label_th"), table.columns.get_loc("label_en"))
    texts = [Texts(th, en) for th, en in zip(table["label_th"], table["label_en"], strict=True)]
    out = table.drop(columns=["label_th", "label_en"])
    out.insert(at, "label", texts)
    return out


def agreement_display(table: pd.DataFrame) -> pd.DataFrame:
    """An agreement table as report.html shows it: one label column, verdicts in each language, and no
    column that is empty throughout (κ with more than two coders)."""
    shown = one_label(table).dropna(axis="columns", how="all")
    shown = shown.assign(id=[Texts("(รวมทุกรหัส)", i) if i == "(pooled)" else i for i in shown["id"]])
    if "verdict" in shown:
        shown = shown.assign(verdict=[Texts(*VERDICTS.get(v, (v, v))) for v in shown["verdict"]])
    return shown


def _labels(codebook: Codebook, lang: str) -> dict[str, str]:
    return {c.id: c.label.get(lang, c.id) for c in codebook}


UNIT = {"th": "หน่วย: ผู้ให้ข้อมูล (บทสัมภาษณ์หนึ่งบท)", "en": "Unit: participant (one interview)"}


def _rights_part(content: ReportContent, codebook: Codebook) -> None:
    """Rights and codes overall: how many participants told of each."""
    freq = frequencies(content.counted, codebook)
    rights = freq[freq["level"] == "right"].reset_index(drop=True)
    n = len(content.counted.participants)
    content.tables.update(rights=as_percent(rights),
                          codes=as_percent(freq[freq["level"] == "code"].reset_index(drop=True)))
    content.display["rights"] = ({"th": "สิทธิที่ถูกละเมิด", "en": "Rights violated"},
                                 {"th": f"ผู้ให้ข้อมูล {n} คน ร้อยละของผู้ให้ข้อมูลทั้งหมด",
                                  "en": f"{n} participants; percent of all participants"},
                                 one_label(content.tables["rights"].drop(columns=["level"])))
    content.add_figure(FigureSpec(
        "rights-violated", {"th": "สิทธิที่ถูกละเมิด", "en": "Rights violated"},
        {"th": "ความยาวแท่งคือจำนวนผู้ให้ข้อมูลที่เล่าถึงการละเมิดสิทธินั้นอย่างน้อยหนึ่งครั้ง " + UNIT["th"],
         "en": "Each bar is the number of participants who told of at least one violation of that right. "
               + UNIT["en"]},
        "rights_violated", content.tables["rights"], {"frequencies": rights, "n_participants": n}))


def _breakdown_part(content: ReportContent, codebook: Codebook, by: str, min_cell: int,
                    values: dict[str, dict[str, str]] | None = None) -> None:
    """Rights (figure, display table) and codes (table) per group of attribute ``by``, protected together;
    nothing when ``by`` has fewer than two groups of ``min_cell`` or more (``analysis.report.disclosure``).
    ``values`` labels the groups in th and en (``Study.value_labels``)."""
    tables = breakdowns(content.counted, codebook, by, min_cell=min_cell)
    long = tables["right"]
    if long.empty:
        content.meta.setdefault("not_broken_down", []).append(by)
        return
    content.tables[f"rights-by-{by}"] = hidden_as_text(long, min_cell)
    content.tables[f"codes-by-{by}"] = hidden_as_text(tables["code"], min_cell)
    title = {lang: label(lang, f"สิทธิที่ถูกละเมิด แยกตาม{attribute_label(by, lang)}",
                         f"Rights violated by {attribute_label(by, lang)}") for lang in LANGS}
    note = disclosure_note(min_cell, merged=(long["group"] == OTHER).any())
    content.display[f"rights-by-{by}"] = (title, note, wide_display(long, min_cell, values))
    caption = {"th": f"ร้อยละของผู้ให้ข้อมูลในแต่ละกลุ่มที่ถูกละเมิดสิทธินั้น {note['th']}",
               "en": f"Share of the participants in each group who told of a violation of that right. "
                     f"{note['en']}."}
    pages = len(group_pages(long["id"].nunique(), long["group"].nunique()))
    for page in range(1, pages + 1):
        of = _page_of(page, pages)
        content.add_figure(FigureSpec(
            f"rights-by-{by}" + (f"-p{page:02d}" if pages > 1 else ""),
            {lang: title[lang] + of[lang] for lang in LANGS}, caption, "rights_by_group",
            content.tables[f"rights-by-{by}"],
            {"breakdown": long, "by": by, "min_cell": min_cell, "values": group_labels(values),
             "page": page}))


def _page_of(page: int, pages: int) -> dict[str, str]:
    """What follows the title of a figure in pages, " (หน้า 2/3)" / " (page 2 of 3)"; nothing for one page."""
    if pages == 1:
        return dict.fromkeys(LANGS, "")
    return {"th": f" (หน้า {page}/{pages})", "en": f" (page {page} of {pages})"}


def _together_part(content: ReportContent, codebook: Codebook) -> None:
    """Rights violated together, and the participant × right matrix."""
    together = cooccurrence(content.counted, codebook, level="right", unit="participant")
    content.tables["rights-together-participants"] = together.rename_axis("id").reset_index()
    content.tables["rights-together-segments"] = cooccurrence(
        content.counted, codebook, unit="segment").rename_axis("id").reset_index()
    content.add_figure(FigureSpec(
        "rights-together", {"th": "สิทธิที่ถูกละเมิดร่วมกัน", "en": "Rights violated together"},
        {"th": "ตัวเลขในช่องคือจำนวนผู้ให้ข้อมูลที่เล่าถึงการละเมิดทั้งสองสิทธิ เส้นทแยงคือจำนวนของสิทธินั้นเอง",
         "en": "Each cell is the number of participants who told of violations of both rights; "
               "the diagonal counts each right alone."},
        "cooccurrence_heatmap", content.tables["rights-together-participants"], {"matrix": together},
        _label_options(codebook)))
    matrix = participant_rights(content.counted, codebook)
    table = content.tables["participant-rights"] = matrix.rename_axis("participant").reset_index()
    pages = participant_pages(len(matrix), PAGE_ROWS)
    for page, rows in enumerate(pages, 1):
        of = _page_of(page, len(pages))
        content.add_figure(FigureSpec(
            "participant-rights" + (f"-p{page:02d}" if len(pages) > 1 else ""),
            {lang: label(lang, "ผู้ให้ข้อมูล × สิทธิ", "Participants × rights") + of[lang] for lang in LANGS},
            {"th": "แต่ละแถวคือผู้ให้ข้อมูลหนึ่งคน สีเข้มคือสิทธินั้นถูกพูดถึงในหลายช่วงข้อความ",
             "en": "Each row is one participant; darker cells mean the right came up in more segments."},
            "participant_matrix", table.iloc[rows], {"matrix": matrix, "page": page, "rows": PAGE_ROWS},
            _label_options(codebook)))


def _label_options(codebook: Codebook) -> dict[str, dict]:
    """``FigureSpec.by_lang`` of a figure that names rights: the codebook's labels in each language."""
    return {lang: {"labels": _labels(codebook, lang)} for lang in LANGS}


def _agreement_table(table: pd.DataFrame) -> pd.DataFrame:
    """An agreement table as the report shows it: agreement in percent, the rest to 3 decimals."""
    return as_percent(table, "percent_agreement", "percent_agreement").drop(columns=["unit"]).round(3)


def _agreement_part(content: ReportContent, data: LoadedStudy, samples: int) -> None:
    """α per right (figure, table) and per code (figures of one A4 page each, table); nothing when only
    one coder coded. A right's α is the right's as the team counts it (it applies to a segment when any
    of its codes does), so rights used only through their codes are not shown at α = 0 as codes."""
    from analysis.agreement.study import study_agreement
    from analysis.agreement.table import AgreementError

    coders = list(content.counted.coders)
    try:
        per_code = study_agreement(data, coders=coders, samples=samples).table
        per_right = study_agreement(data, coders=coders, by="right", samples=samples).table
    except AgreementError:
        return
    rights = {c.id for c in data.codebook.roots if c.kind == "right"}
    per_code = per_code[~per_code["id"].isin(rights)].reset_index(drop=True)
    content.tables.update({"agreement-codes": _agreement_table(per_code),
                           "agreement-rights": _agreement_table(per_right)})
    unit = {"th": "หน่วย: ช่วงข้อความ ค่าแอลฟา 0.8 ขึ้นไปเชื่อถือได้ 0.667 ขึ้นไปพอใช้ได้",
            "en": "Unit: segment; α of 0.8 or more is reliable, 0.667 or more tentative"}
    titles = {"rights": {"th": "ความสอดคล้องระหว่างผู้ลงรหัส (รายสิทธิ)",
                         "en": "Agreement between coders (by right)"},
              "codes": {"th": "ความสอดคล้องระหว่างผู้ลงรหัส (รายรหัส)",
                        "en": "Agreement between coders (by code)"}}
    content.display["agreement"] = (titles["rights"], {
        "th": f"สิทธิหนึ่งใช้กับช่วงข้อความเมื่อมีรหัสใดของสิทธินั้น {unit['th']}",
        "en": f"A right applies to a segment when any of its codes does. {unit['en']}"},
        agreement_display(content.tables["agreement-rights"]))
    content.display["agreement-codes"] = (titles["codes"], unit,
                                          agreement_display(content.tables["agreement-codes"]))
    content.add_figure(FigureSpec(
        "agreement-rights", titles["rights"],
        {"th": "ค่าแอลฟาของคริปเพนดอร์ฟรายสิทธิ สิทธิหนึ่งใช้กับช่วงข้อความเมื่อมีรหัสใดของสิทธินั้น "
               "0.8 ขึ้นไปเชื่อถือได้ 0.667 ขึ้นไปพอใช้ได้",
         "en": "Krippendorff's α per right (a right applies to a segment when any of its codes does): "
               "0.8 or more is reliable, 0.667 or more tentative."},
        "agreement_alpha", content.tables["agreement-rights"], {"table": per_right, "by": "right"}))
    pages = figures.agreement_pages(per_code)
    for page in range(1, pages + 1):
        of = _page_of(page, pages)
        content.add_figure(FigureSpec(
            "agreement-codes" + (f"-{page}" if pages > 1 else ""),
            {lang: titles["codes"][lang] + of[lang] for lang in LANGS},
            {"th": "ค่าแอลฟาของคริปเพนดอร์ฟรายรหัส เรียงจากค่าต่ำสุด 0.8 ขึ้นไปเชื่อถือได้ 0.667 ขึ้นไปพอใช้ได้",
             "en": "Krippendorff's α per code, from the lowest: 0.8 or more is reliable, 0.667 or more "
                   "tentative."},
            "agreement_alpha", content.tables["agreement-codes"], {"table": per_code, "page": page}))


def _top_words(content: ReportContent, data: LoadedStudy, min_cell: int) -> pd.DataFrame | None:
    """Most frequent words per group, from groups of at least ``min_cell`` participants only."""
    from analysis.text.words import word_frequencies, words_table

    participants = content.counted.participants
    if "group" not in participants:
        return None
    sizes = participants["group"].value_counts()
    counted = participants.loc[participants["group"].isin(sizes[sizes >= min_cell].index), "transcript_id"]
    words = words_table(data.study, text=data.text, corpus=data.corpus)
    return word_frequencies(words[words["transcript_id"].isin(counted)], by="group", top=15)


def _words_part(content: ReportContent, top: pd.DataFrame | None, values: dict) -> None:
    """The figure of :func:`_top_words`' table (none without a group attribute)."""
    if top is None:
        return
    content.add_figure(FigureSpec(
        "top-words-group", {"th": "คำที่พบบ่อยในแต่ละกลุ่ม", "en": "Most frequent words per group"},
        {"th": "จำนวนครั้งต่อ 1,000 คำ ไม่นับคำเชื่อมและเครื่องหมาย",
         "en": "Occurrences per 1,000 words, without stopwords and punctuation."},
        "top_words", top, {"frequencies": top, "values": values}))


def _with_memos(quotes: pd.DataFrame, counted: Counted, data: LoadedStudy) -> pd.DataFrame:
    """The quote bank with ``memos``: per quote, the counted coders' memos attached to the quoted passage
    (coding, turn and phrase memos: ``analysis.coding.retrieve.memos_on``) as "nok · turn: …" texts,
    for quotes.docx and report.html; the published quotes table (``tables["quotes"]``) holds none."""
    memos = study_memos(data, set(quotes["transcript_id"]), counted.coders)
    spans = {(t, s, c): (None if pd.isna(a) else int(a), None if pd.isna(b) else int(b))
             for t, s, c, a, b in counted.applied[["transcript_id", "segment_id", "code_id", "start", "end"]]
             .itertuples(index=False)}
    keys = zip(quotes["transcript_id"], quotes["segment_id"], quotes["code_id"], strict=True)
    found = [tuple(memo_text(memo, None, coder=True)
                   for memo in memos_on(memos.get(t, []), s, *spans[t, s, c], c, counted.coders))
             for t, s, c in keys]
    return quotes.assign(memos=found)


def report_content(source: Study | LoadedStudy, *, samples: int = 1000,
                   on_figure: Callable[[FigureSpec], None] | None = None,
                   keep_tokens: bool = True) -> ReportContent:
    """Every table and figure of the report for a study (its rule, coders and ``min_cell``);
    ``on_figure`` is called with each figure as soon as it is made. Without ``keep_tokens``, a
    ``LoadedStudy`` given holds no token table afterwards (a build that needs it no more saves memory)."""
    data = loaded(source)
    study, corpus, codebook = data.study, data.corpus, data.codebook
    counted = counted_codings(data.codings, data.coverage, corpus, codebook, rule=study.rule,
                              coders=study.coders, final_coder=study.final_coder)
    if counted.participants.empty:
        who = ", ".join(counted.coders) or "anyone"
        raise ReportError(f"no transcript is coded yet by {who}", path=study.codings_dir,
                          fix="code transcripts first (notebooks/30-code-transcripts.ipynb), or check "
                              "[report] coders / final_coder in study.toml")
    meta = {"study": study.name, "codebook": codebook.name, "codebook_version": codebook.version,
            "rule": counted.rule_text(), "coders": counted.coders, "min_cell": study.min_cell,
            "participants": len(counted.participants), "version": __version__}
    quotes = quote_bank(counted, corpus, codebook, data.text.segments, attributes=study.attributes,
                        min_cell=study.min_cell)
    rights = [(c.id, c.label.get("th", ""), c.label.get("en", ""))
              for c in codebook.roots if c.kind == "right"]
    content = ReportContent(meta, counted, {}, {}, [], _with_memos(quotes, counted, data), rights, on_figure)
    _rights_part(content, codebook)
    for by in study.attributes:
        if by in counted.participants:
            _breakdown_part(content, codebook, by, study.min_cell, study.value_labels(by))
    _together_part(content, codebook)
    top = _top_words(content, data, study.min_cell)
    if not keep_tokens:  # nothing below needs the token table: let it go before agreement's arrays come
        data.text = StudyText(data.text.segments, data.text.tokens.iloc[0:0])
    _agreement_part(content, data, samples)
    _words_part(content, top, study.value_labels("group"))
    content.tables["quotes"] = quotes
    return content
