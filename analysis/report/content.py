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
from analysis.errors import SitthiError
from analysis.report import figures
from analysis.report.aggregate import (
    Counted,
    breakdown,
    cooccurrence,
    counted_codings,
    frequencies,
    participant_rights,
    quote_bank,
)
from analysis.report.figures import LANGS, attribute_label, label
from analysis.study import Study


class ReportError(SitthiError):
    """The report cannot be built (the study has problems, or nothing is coded yet)."""


@dataclass
class FigureSpec:
    """One report figure: how to draw it in a language, and the numbers behind it."""

    key: str
    title: dict[str, str]
    caption: dict[str, str]
    draw: Callable[[str], Figure]
    numbers: pd.DataFrame


@dataclass
class ReportContent:
    meta: dict
    counted: Counted
    tables: dict[str, pd.DataFrame]
    display: dict[str, tuple[dict[str, str], dict[str, str], pd.DataFrame]]
    figures: list[FigureSpec]
    quotes: pd.DataFrame
    rights: list[tuple[str, str, str]] = field(default_factory=list)

    def figure(self, key: str, lang: str = "th") -> Figure:
        """Draw one report figure by its key (``rights-violated``, ``rights-by-site``, ...)."""
        found = {spec.key: spec for spec in self.figures}
        if key not in found:
            raise KeyError(f"no figure {key!r} in this report; there are: {', '.join(found)}")
        return found[key].draw(lang)


def hidden_as_text(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """A breakdown with hidden values written as ``<min_cell`` (for CSV, XLSX and HTML)."""
    out = table.drop(columns=["suppressed"]).astype(object)
    for column in ("group_size", "segments", "participants"):
        out[column] = [f"<{min_cell}" if pd.isna(v) else int(v) for v in table[column]]
    out["share"] = ["" if pd.isna(v) else round(float(v), 3) for v in table["share"]]
    return out


def wide_display(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Rows: rights; columns: groups with their size; cells "n (xx%)" or "<3"."""
    cells = [f"<{min_cell}" if s else f"{int(p)} ({share:.0%})" if pd.notna(share) else str(int(p))
             for s, p, share in zip(table["suppressed"], table["participants"], table["share"], strict=True)]
    frame = table.assign(cell=cells)
    sizes = frame.drop_duplicates("group").set_index("group")["group_size"]
    heads = {g: f"{g} (n = {f'<{min_cell}' if pd.isna(n) else int(n)})" for g, n in sizes.items()}
    wide = frame.pivot(index="id", columns="group", values="cell").rename(columns=heads)
    labels = frame.drop_duplicates("id").set_index("id")
    wide.insert(0, "right / สิทธิ", [f"{i} {labels.loc[i, 'label_th']} / {labels.loc[i, 'label_en']}"
                                     for i in wide.index])
    return wide.loc[list(labels.index)].reset_index(drop=True).rename_axis(columns=None)


def _labels(codebook: Codebook, lang: str) -> dict[str, str]:
    return {c.id: c.label.get(lang, c.id) for c in codebook}


HEADERS = {  # column names of the tables shown in report.html
    "label_th": "ชื่อ (ไทย)", "label_en": "label (English)", "segments": "segments / ช่วงข้อความ",
    "participants": "participants / ผู้ให้ข้อมูล", "share": "share / สัดส่วน",
    "n_segments": "segments / ช่วงข้อความ", "n_coders": "coders / ผู้ลงรหัส", "used_by": "used by / ผู้ใช้รหัส",
    "percent_agreement": "agreement / ตรงกัน", "kappa": "κ", "alpha": "α", "alpha_low": "α low (95%)",
    "alpha_high": "α high (95%)", "verdict": "verdict / ผล",
}
UNIT = {"th": "หน่วย: ผู้ให้ข้อมูล (บทสัมภาษณ์หนึ่งบท)", "en": "Unit: participant (one interview)"}


def _rights_part(content: ReportContent, codebook: Codebook) -> None:
    """Rights and codes overall: how many participants told of each."""
    freq = frequencies(content.counted, codebook)
    rights = freq[freq["level"] == "right"].reset_index(drop=True)
    n = len(content.counted.participants)
    content.tables.update(rights=rights, codes=freq[freq["level"] == "code"].reset_index(drop=True))
    content.display["rights"] = ({"th": "สิทธิที่ถูกละเมิด", "en": "Rights violated"},
                                 {"th": f"ผู้ให้ข้อมูล {n} คน", "en": f"{n} participants"},
                                 rights.drop(columns=["level"]).round({"share": 3}))
    content.figures.append(FigureSpec(
        "rights-violated", {"th": "สิทธิที่ถูกละเมิด", "en": "Rights violated"},
        {"th": "ความยาวแท่งคือจำนวนผู้ให้ข้อมูลที่เล่าถึงการละเมิดสิทธินั้นอย่างน้อยหนึ่งครั้ง " + UNIT["th"],
         "en": "Each bar is the number of participants who told of at least one violation of that right. "
               + UNIT["en"]},
        lambda lang: figures.rights_violated(rights, n_participants=n, lang=lang), rights))


def _breakdown_part(content: ReportContent, codebook: Codebook, by: str, min_cell: int) -> None:
    """Rights (figure, display table) and codes (table) per group of attribute ``by``, small cells hidden."""
    long = breakdown(content.counted, codebook, by, level="right", min_cell=min_cell)
    content.tables[f"rights-by-{by}"] = hidden_as_text(long, min_cell)
    content.tables[f"codes-by-{by}"] = hidden_as_text(
        breakdown(content.counted, codebook, by, level="code", min_cell=min_cell), min_cell)
    title = {lang: label(lang, f"สิทธิที่ถูกละเมิด แยกตาม{attribute_label(by, lang)}",
                         f"Rights violated by {attribute_label(by, lang)}") for lang in LANGS}
    note = {"th": f"จำนวนที่น้อยกว่า {min_cell} และจำนวนที่จะทำให้คำนวณจำนวนนั้นได้ แสดงเป็น <{min_cell} "
                  "เพื่อไม่ให้ระบุตัวบุคคลได้",
            "en": f"Counts below {min_cell}, and numbers that would let a reader work one out, are shown as "
                  f"<{min_cell} so that no one can be singled out"}
    content.display[f"rights-by-{by}"] = (title, note, wide_display(long, min_cell))
    content.figures.append(FigureSpec(
        f"rights-by-{by}", title,
        {"th": f"ร้อยละของผู้ให้ข้อมูลในแต่ละกลุ่มที่ถูกละเมิดสิทธินั้น {note['th']}",
         "en": f"Share of the participants in each group who told of a violation of that right. "
               f"{note['en']}."},
        lambda lang: figures.rights_by_group(long, by=by, lang=lang, min_cell=min_cell),
        content.tables[f"rights-by-{by}"]))


def _together_part(content: ReportContent, codebook: Codebook) -> None:
    """Rights violated together, and the participant × right matrix."""
    together = cooccurrence(content.counted, codebook, level="right", unit="participant")
    content.tables["rights-together-participants"] = together.rename_axis("id").reset_index()
    content.tables["rights-together-segments"] = cooccurrence(
        content.counted, codebook, unit="segment").rename_axis("id").reset_index()
    content.figures.append(FigureSpec(
        "rights-together", {"th": "สิทธิที่ถูกละเมิดร่วมกัน", "en": "Rights violated together"},
        {"th": "ตัวเลขในช่องคือจำนวนผู้ให้ข้อมูลที่เล่าถึงการละเมิดทั้งสองสิทธิ เส้นทแยงคือจำนวนของสิทธินั้นเอง",
         "en": "Each cell is the number of participants who told of violations of both rights; "
               "the diagonal counts each right alone."},
        lambda lang: figures.cooccurrence_heatmap(together, labels=_labels(codebook, lang), lang=lang),
        content.tables["rights-together-participants"]))
    matrix = participant_rights(content.counted, codebook)
    content.tables["participant-rights"] = matrix.rename_axis("participant").reset_index()
    content.figures.append(FigureSpec(
        "participant-rights", {"th": "ผู้ให้ข้อมูล × สิทธิ", "en": "Participants × rights"},
        {"th": "แต่ละแถวคือผู้ให้ข้อมูลหนึ่งคน สีเข้มคือสิทธินั้นถูกพูดถึงในหลายช่วงข้อความ",
         "en": "Each row is one participant; darker cells mean the right came up in more segments."},
        lambda lang: figures.participant_matrix(matrix, labels=_labels(codebook, lang), lang=lang),
        content.tables["participant-rights"]))


def _agreement_part(content: ReportContent, data: LoadedStudy, samples: int) -> None:
    """α per code (figure, table) and per right (display table); nothing when only one coder coded."""
    from analysis.agreement.study import study_agreement
    from analysis.agreement.table import AgreementError

    coders = list(content.counted.coders)
    try:
        per_code = study_agreement(data, coders=coders, samples=samples).table
        per_right = study_agreement(data, coders=coders, by="right", samples=samples).table
    except AgreementError:
        return
    content.tables.update({"agreement-codes": per_code, "agreement-rights": per_right})
    content.display["agreement"] = (
        {"th": "ความสอดคล้องระหว่างผู้ลงรหัส (รายสิทธิ)", "en": "Agreement between coders (by right)"},
        {"th": "หน่วย: ช่วงข้อความ ค่าแอลฟา 0.8 ขึ้นไปเชื่อถือได้",
         "en": "Unit: segment; α of 0.8 or more is reliable"},
        per_right.drop(columns=["unit"]).round(3))
    content.figures.append(FigureSpec(
        "agreement-alpha", {"th": "ความสอดคล้องระหว่างผู้ลงรหัส", "en": "Agreement between coders"},
        {"th": "ค่าแอลฟาของคริปเพนดอร์ฟรายรหัส 0.8 ขึ้นไปเชื่อถือได้ 0.667 ขึ้นไปพอใช้ได้",
         "en": "Krippendorff's α per code: 0.8 or more is reliable, 0.667 or more tentative."},
        lambda lang: figures.agreement_alpha(per_code, lang=lang), per_code))


def _words_part(content: ReportContent, data: LoadedStudy, min_cell: int) -> None:
    """Most frequent words per group, from groups of at least ``min_cell`` participants only."""
    from analysis.text.words import word_frequencies, words_table

    participants = content.counted.participants
    if "group" not in participants:
        return
    sizes = participants["group"].value_counts()
    counted = participants.loc[participants["group"].isin(sizes[sizes >= min_cell].index), "transcript_id"]
    words = words_table(data.study, text=data.text, corpus=data.corpus)
    top = word_frequencies(words[words["transcript_id"].isin(counted)], by="group", top=15)
    content.figures.append(FigureSpec(
        "top-words-group", {"th": "คำที่พบบ่อยในแต่ละกลุ่ม", "en": "Most frequent words per group"},
        {"th": "จำนวนครั้งต่อ 1,000 คำ ไม่นับคำเชื่อมและเครื่องหมาย",
         "en": "Occurrences per 1,000 words, without stopwords and punctuation."},
        lambda lang: figures.top_words(top, lang=lang), top))


def report_content(source: Study | LoadedStudy, *, samples: int = 1000) -> ReportContent:
    """Every table and figure of the report for a study (its rule, coders and ``min_cell``)."""
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
    content = ReportContent(meta, counted, {}, {}, [], quotes, rights)
    _rights_part(content, codebook)
    for by in study.attributes:
        if by in counted.participants:
            _breakdown_part(content, codebook, by, study.min_cell)
    _together_part(content, codebook)
    _agreement_part(content, data, samples)
    _words_part(content, data, study.min_cell)
    content.tables["quotes"] = quotes
    return content
