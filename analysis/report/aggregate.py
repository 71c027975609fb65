"""Report tables from codings: which codings count, frequencies, breakdowns, co-occurrence, quotes.

Units: a *segment* is one unit of the study (a speaker turn by default); a *participant* is one
interview. An English translation of a Thai transcript is the same participant, so translations are
never counted: they only give quotes their English text. A right applies to a segment when any of
its codes (or the right itself) does. Pure functions on DataFrames; ``analysis.report.build`` gathers the
inputs of a study.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.codebook.model import Codebook
from analysis.report.disclosure import hide_small_cells
from analysis.text.corpus import Corpus

USABLE = ("ok", "reanchored")  # codings that need review or are invalid never count
APPLIED_COLUMNS = ["transcript_id", "segment_id", "code_id", "right_id", "applied_by", "start", "end"]
RULE_TEXT = {
    "union": ("รหัสหนึ่งนับในช่วงข้อความหนึ่ง เมื่อผู้ลงรหัสอย่างน้อยหนึ่งคนใช้รหัสนั้น (ผู้ลงรหัส: {coders})",
              "A code counts on a segment when at least one coder applied it (coders: {coders})"),
    "majority": ("รหัสหนึ่งนับในช่วงข้อความหนึ่ง เมื่อผู้ลงรหัสเกินครึ่งหนึ่งของผู้ที่ลงรหัสบทสัมภาษณ์นั้นใช้รหัสนั้น "
                 "(ผู้ลงรหัส: {coders})",
                 "A code counts on a segment when more than half of the coders of that transcript applied it "
                 "(coders: {coders})"),
    "final": ("นับเฉพาะรหัสของ {coders} ซึ่งลงไว้หลังการประชุมหาข้อสรุป",
              "Only the codings of {coders}, made after the consensus meeting, count"),
}


@dataclass
class Counted:
    """The codings that count: one row per segment and code (``APPLIED_COLUMNS``), and the
    participants (``transcript_id`` plus attributes) whose interviews were coded under the rule."""

    applied: pd.DataFrame
    participants: pd.DataFrame
    rule: str
    coders: list[str]

    def rule_text(self) -> dict[str, str]:
        """The rule as one sentence in Thai and in English."""
        th, en = RULE_TEXT[self.rule]
        names = ", ".join(self.coders)
        return {"th": th.format(coders=names), "en": en.format(coders=names)}


def counted_codings(codings: pd.DataFrame, coverage: dict[str, set[str]], corpus: Corpus,
                    codebook: Codebook, *, rule: str = "majority", coders: tuple[str, ...] = (),
                    final_coder: str | None = None) -> Counted:
    """Apply the study's rule to resolved codings (``analysis.coding.anchoring.resolve_codings``).

    ``coverage`` maps each coder to the transcripts they coded. ``union``: a code counts on a
    segment if any of ``coders`` applied it there; ``majority``: if more than half of the
    ``coders`` who coded that transcript did; ``final``: if ``final_coder`` did.
    """
    chosen = [final_coder] if rule == "final" else list(coders) or sorted(coverage)
    originals = [t.id for t in corpus if not t.translation_of]
    n_coders = pd.Series({t: sum(t in coverage.get(c, ()) for c in chosen) for t in originals}, dtype=int)
    coded = n_coders[n_coders > 0]
    usable = codings[codings["status"].isin(USABLE) & codings["coder_id"].isin(chosen)
                     & codings["transcript_id"].isin(coded.index)]
    keys = ["transcript_id", "segment_id", "code_id"]
    grouped = usable.groupby(keys, sort=True).agg(
        applied_by=("coder_id", lambda c: ",".join(sorted(set(c)))), n=("coder_id", "nunique"),
        whole=("start", lambda s: bool(s.isna().any())), start=("start", "min"), end=("end", "max"))
    grouped = grouped.reset_index()
    need = coded.reindex(grouped["transcript_id"]).to_numpy()
    keep = grouped["n"] > need / 2 if rule == "majority" else grouped["n"] >= 1
    applied = grouped[keep].copy()
    applied.loc[applied["whole"], ["start", "end"]] = pd.NA  # someone coded the whole segment
    applied["right_id"] = [codebook.right_of(c) if c in codebook else None for c in applied["code_id"]]
    attributes = corpus.attributes()
    participants = attributes[attributes["transcript_id"].isin(coded.index)].reset_index(drop=True)
    return Counted(applied[APPLIED_COLUMNS].reset_index(drop=True), participants, rule, chosen)


def _labels(ids: list[str], codebook: Codebook) -> pd.DataFrame:
    return pd.DataFrame({"id": ids, "label_th": [codebook[i].label.get("th", "") for i in ids],
                         "label_en": [codebook[i].label.get("en", "") for i in ids]})


def level_ids(codebook: Codebook, level: str) -> list[str]:
    """Rights (``level="right"``) or every usable code (``"code"``), in codebook order."""
    if level == "right":
        return [c.id for c in codebook.roots if c.kind == "right"]
    return [c.id for c in codebook.active() if not c.kind.endswith("_group")]


def _units(counted: Counted, level: str) -> pd.DataFrame:
    """``id``, ``transcript_id``, ``segment_id`` of every applied code (or right), one row each."""
    column = "right_id" if level == "right" else "code_id"
    units = counted.applied[[column, "transcript_id", "segment_id"]].dropna(subset=[column])
    return units.rename(columns={column: "id"}).drop_duplicates()


def frequencies(counted: Counted, codebook: Codebook) -> pd.DataFrame:
    """Per right and per code: segments coded, participants affected, share of all participants."""
    parts = []
    for level in ("right", "code"):
        ids = level_ids(codebook, level)
        units = _units(counted, level).groupby("id")
        table = _labels(ids, codebook).assign(level=level)
        table["segments"] = units["segment_id"].nunique().reindex(ids, fill_value=0).to_numpy()
        table["participants"] = units["transcript_id"].nunique().reindex(ids, fill_value=0).to_numpy()
        parts.append(table)
    table = pd.concat(parts, ignore_index=True)
    table["share"] = table["participants"] / max(len(counted.participants), 1)
    return table


def breakdown(counted: Counted, codebook: Codebook, by: str, *, level: str = "right",
              min_cell: int = 3) -> pd.DataFrame:
    """Frequencies per group of attribute ``by``, with small counts hidden (``analysis.report.disclosure``).

    Long table: ``id, label_th, label_en, group, group_size, segments, participants, share,
    suppressed``; hidden values are ``<NA>`` (``share`` NaN) and ``suppressed`` is True.
    """
    ids = level_ids(codebook, level)
    group_of = counted.participants.set_index("transcript_id")[by].astype(str)
    sizes = group_of.value_counts().sort_index()
    units = _units(counted, level).assign(group=lambda f: f["transcript_id"].map(group_of))
    measures = {name: units.groupby(["id", "group"])[column].nunique().unstack()
                .reindex(index=ids, columns=sizes.index).fillna(0).astype(int)
                for name, column in (("participants", "transcript_id"), ("segments", "segment_id"))}
    hidden, size_hidden = hide_small_cells(measures["participants"], sizes, min_cell)
    hidden_segments, _ = hide_small_cells(measures["segments"], sizes, min_cell)
    hidden_segments |= hidden
    long = pd.DataFrame({"id": np.repeat(ids, len(sizes)), "group": np.tile(sizes.index, len(ids))})
    long = _labels(ids, codebook).merge(long, on="id")
    flat = {name: frame.to_numpy().ravel() for name, frame in measures.items()}
    long["group_size"] = pd.array(np.tile(sizes.to_numpy(), len(ids)), dtype="Int64")
    long.loc[np.tile(size_hidden.to_numpy(), len(ids)), "group_size"] = pd.NA
    long["segments"] = pd.array(flat["segments"], dtype="Int64")
    long.loc[hidden_segments.to_numpy().ravel(), "segments"] = pd.NA
    long["participants"] = pd.array(flat["participants"], dtype="Int64")
    long["suppressed"] = hidden.to_numpy().ravel()
    long.loc[long["suppressed"], "participants"] = pd.NA
    long["share"] = (long["participants"] / long["group_size"]).astype("Float64").astype(float)
    return long


def cooccurrence(counted: Counted, codebook: Codebook, *, level: str = "right",
                 unit: str = "participant") -> pd.DataFrame:
    """How often two rights (or codes) apply together, in one participant's interview or one segment.

    Square table over the ids used at least once; the diagonal counts the units with that id.
    """
    units = _units(counted, level)
    key = "transcript_id" if unit == "participant" else "segment_id"
    ids = [i for i in level_ids(codebook, level) if i in set(units["id"])]
    indicator = pd.crosstab(units[key], units["id"]).clip(upper=1).reindex(columns=ids, fill_value=0)
    matrix = indicator.T @ indicator
    return matrix.rename_axis(index=None, columns=None).astype(int)


def participant_rights(counted: Counted, codebook: Codebook) -> pd.DataFrame:
    """Participants × rights: in how many segments of her interview each right applies (0: none)."""
    units = _units(counted, "right")
    matrix = pd.crosstab(units["transcript_id"], units["id"])
    matrix = matrix.reindex(index=counted.participants["transcript_id"], columns=level_ids(codebook, "right"),
                            fill_value=0)
    return matrix.rename_axis(index=None, columns=None).astype(int)


def quote_bank(counted: Counted, corpus: Corpus, codebook: Codebook, segments: pd.DataFrame, *,
               attributes: tuple[str, ...] = (), min_cell: int = 3) -> pd.DataFrame:
    """Every counted coding as a quote, with its English translation where the corpus has one.

    The quote is the coded phrase when every coder coded a phrase, else the whole segment; the
    translation is the same turn of the transcript's English translation. An attribute value held
    by fewer than ``min_cell`` participants is not shown next to a quote (it would point at her).
    """
    texts = segments.set_index("segment_id")["text"]
    bodies = {t.id: t.body for t in corpus}
    translated = {t.translation_of: t.id for t in corpus if t.translation_of}
    frame = counted.applied.copy()
    frame["quote"] = [bodies[t][int(s):int(e)] if pd.notna(s) else texts.get(seg, "")
                      for t, seg, s, e in zip(frame["transcript_id"], frame["segment_id"], frame["start"],
                                              frame["end"], strict=True)]
    pairs = zip(frame["transcript_id"], frame["segment_id"], strict=True)
    frame["translation"] = [texts.get(f"{translated[t]}:{seg.rsplit(':', 1)[1]}", "") if t in translated
                            else "" for t, seg in pairs]
    shown = _safe_attributes(counted.participants, attributes, min_cell)
    frame["attributes"] = frame["transcript_id"].map(shown)
    order = {code_id: n for n, code_id in enumerate(level_ids(codebook, "code"))}
    frame = frame[frame["code_id"].isin(order)]
    frame = frame.assign(order=frame["code_id"].map(order))
    frame = frame.sort_values(["order", "transcript_id", "segment_id"])
    labels = _labels(list(frame["code_id"]), codebook)
    frame["code_label_th"] = labels["label_th"].to_numpy()
    frame["code_label_en"] = labels["label_en"].to_numpy()
    columns = ["right_id", "code_id", "code_label_th", "code_label_en", "transcript_id", "segment_id",
               "quote", "translation", "attributes"]
    return frame[columns].reset_index(drop=True)


def _safe_attributes(participants: pd.DataFrame, attributes: tuple[str, ...],
                     min_cell: int) -> dict[str, str]:
    """Per participant, "site: Pattaya · group: migrant": attributes are added in order only while
    the combination shown is shared by at least ``min_cell`` participants (one rare value, or a rare
    combination of common ones, would point at her)."""
    shown = {}
    for _, row in participants.iterrows():
        parts, same = [], pd.Series(True, index=participants.index)
        for name in (a for a in attributes if a in participants):
            narrower = same & (participants[name] == row[name])
            if narrower.sum() >= min_cell:
                parts.append(f"{name}: {row[name]}")
                same = narrower
        shown[row["transcript_id"]] = " · ".join(parts)
    return shown
