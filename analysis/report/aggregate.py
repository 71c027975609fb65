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
from analysis.report.disclosure import LEVELS, OTHER, Tables, merge_small_groups, suppress
from analysis.text.corpus import Corpus
from analysis.text.segments import paragraphs

USABLE = ("ok", "reanchored")  # codings that need review or are invalid never count
WHOLE_TURN = {"th": "ทั้งช่วง", "en": "whole turn"}  # how a quote marks a translation of the whole turn
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


def breakdowns(counted: Counted, codebook: Codebook, by: str, *,
               min_cell: int = 3) -> dict[str, pd.DataFrame]:
    """Rights and codes per group of attribute ``by``, protected together (``analysis.report.disclosure``).

    Groups smaller than ``min_cell`` are merged into "อื่นๆ / other". One long table per level
    (``"right"``, ``"code"``): ``id, label_th, label_en, group, group_size, segments, participants,
    share, suppressed, participants_mark, segments_mark``; a hidden value is ``<NA>`` (``share`` NaN)
    with its mark (``<min_cell`` or ``×``; ``""`` when shown). Both tables are empty when ``by``
    cannot be broken down safely (fewer than two groups after merging).
    """
    tables = disclosure_tables(counted, codebook, by, min_cell=min_cell)
    return {level: _long_breakdown(tables, level, codebook) for level in LEVELS}


def breakdown(counted: Counted, codebook: Codebook, by: str, *, level: str = "right",
              min_cell: int = 3) -> pd.DataFrame:
    """One level of :func:`breakdowns` (rights or codes; protected together with the other level)."""
    return breakdowns(counted, codebook, by, min_cell=min_cell)[level]


def disclosure_tables(counted: Counted, codebook: Codebook, by: str, *, min_cell: int = 3) -> Tables:
    """True counts per group of ``by`` (small groups merged) for both levels and measures, with the
    marks of ``analysis.report.disclosure.suppress``."""
    group_of = merge_small_groups(counted.participants.set_index("transcript_id")[by].astype(str), min_cell)
    present = set(group_of)
    groups = sorted(present - {OTHER}) + [OTHER] * (OTHER in present)
    values, totals = {}, {}
    for level in LEVELS:
        ids = level_ids(codebook, level)
        units = _units(counted, level)
        grouped = units.assign(group=units["transcript_id"].map(group_of)).dropna(subset=["group"])
        for measure, column in (("participants", "transcript_id"), ("segments", "segment_id")):
            totals[(level, measure)] = units.groupby("id")[column].nunique().reindex(ids, fill_value=0)
            values[(level, measure)] = (grouped.groupby(["id", "group"])[column].nunique().unstack()
                                        .reindex(index=ids, columns=groups).fillna(0).astype(int))
    family: dict[str, list[str]] = {}
    for code_id in level_ids(codebook, "code"):
        right = codebook.right_of(code_id)
        if right is not None:
            family.setdefault(right, []).append(code_id)
    sizes = group_of.value_counts().reindex(groups).astype(int)
    return suppress(Tables(values, {}, sizes, totals, family, min_cell))


def _long_breakdown(tables: Tables, level: str, codebook: Codebook) -> pd.DataFrame:
    """One level of ``tables`` as a long table, hidden values ``<NA>``."""
    people = tables.values[(level, "participants")]
    ids, groups = list(people.index), list(people.columns)
    long = pd.DataFrame({"id": np.repeat(ids, len(groups)), "group": np.tile(np.array(groups, dtype=object),
                                                                              len(ids))})
    long = _labels(ids, codebook).merge(long, on="id") if ids and groups else long.assign(
        label_th=pd.Series(dtype=object), label_en=pd.Series(dtype=object))
    long["group_size"] = pd.array(np.tile(tables.sizes.to_numpy(), len(ids)), dtype="Int64")
    for measure in ("segments", "participants"):
        marks = tables.marks[(level, measure)].to_numpy(dtype=object).ravel()
        long[measure] = pd.array(tables.values[(level, measure)].to_numpy().ravel(), dtype="Int64")
        long.loc[marks != "", measure] = pd.NA
        long[f"{measure}_mark"] = marks
    long["share"] = (long["participants"] / long["group_size"]).astype("Float64").astype(float)
    long["suppressed"] = long["participants_mark"] != ""
    columns = ["id", "label_th", "label_en", "group", "group_size", "segments", "participants", "share",
               "suppressed", "participants_mark", "segments_mark"]
    return long[columns]


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

    The quote is the coded phrase when every coder coded a phrase, else the whole segment. The
    translation is paired by speaker turn (``translations``); ``translation_unit`` says whether it is
    the matching English turn, the matching sentence or the whole turn of a quoted sentence
    (``"turn"``, ``"sentence"``, ``"whole turn"``). An attribute value held by fewer than
    ``min_cell`` participants is not shown next to a quote (it would point at her).
    """
    texts = segments.set_index("segment_id")["text"]
    bodies = {t.id: t.body for t in corpus}
    frame = counted.applied.copy()
    frame["quote"] = [bodies[t][int(s):int(e)] if pd.notna(s) else texts.get(seg, "")
                      for t, seg, s, e in zip(frame["transcript_id"], frame["segment_id"], frame["start"],
                                              frame["end"], strict=True)]
    paired = translations(corpus, segments, set(frame["transcript_id"]))
    frame["translation"] = [paired.get(seg, ("", ""))[0] for seg in frame["segment_id"]]
    frame["translation_unit"] = [paired.get(seg, ("", ""))[1] for seg in frame["segment_id"]]
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
               "quote", "translation", "translation_unit", "attributes"]
    return frame[columns].reset_index(drop=True)


def translations(corpus: Corpus, segments: pd.DataFrame, originals: set[str]) -> dict[str, tuple[str, str]]:
    """Segment id of an original → (its English translation, what that translation is).

    Turn n of a transcript is translated by turn n of its English translation. A segment that is a
    whole turn gets the English turn (``"turn"``). A segment that is one of several sentences of its
    turn gets the English sentence at the same place when both turns have the same number of
    sentences (``"sentence"``), otherwise the whole English turn (``"whole turn"``: quotes say so,
    ``marked_translation``). Segments of a turn the translation does not have are left out.
    """
    english = {t.translation_of: t for t in corpus if t.translation_of and t.translation_of in originals}
    if not english:
        return {}
    groups = segments.groupby("transcript_id", sort=False)
    paired = {}
    for original, translation in english.items():
        if original not in groups.groups or translation.id not in groups.groups:
            continue
        mine, _ = _turns(groups.get_group(original), corpus.get(original).body)
        theirs, whole = _turns(groups.get_group(translation.id), translation.body)
        for n, members in mine.items():
            if n not in whole:
                continue
            others = theirs.get(n, [])
            unit = ("turn" if len(members) == 1 else
                    "sentence" if len(others) == len(members) else "whole turn")
            for at, (segment, _) in enumerate(members):
                paired[segment] = (others[at][1], unit) if unit == "sentence" else (whole[n], unit)
    return paired


def marked_translation(translation: object, unit: object) -> str:
    """A quote's English translation as the report shows it: "… (ทั้งช่วง / whole turn)" when it is the
    English text of the whole turn of a quoted sentence (``translation_unit``), "" when there is none."""
    text = "" if translation is None or pd.isna(translation) else str(translation).strip()
    return f"{text} ({WHOLE_TURN['th']} / {WHOLE_TURN['en']})" if text and unit == "whole turn" else text


def _turns(segments: pd.DataFrame, body: str) -> tuple[dict[int, list[tuple[str, str]]], dict[int, str]]:
    """Of one transcript: turn number → its segments in order as ``(segment id, text)``, and turn
    number → the turn's whole text (``analysis.text.segments.paragraphs``: numbered from 1)."""
    turns = paragraphs(body)
    starts = np.array([turn.start for turn in turns])
    rows = segments.sort_values("start")
    numbers = np.searchsorted(starts, rows["start"].to_numpy(), side="right")  # turn i+1 starts at starts[i]
    members: dict[int, list[tuple[str, str]]] = {}
    for n, segment, text in zip(numbers, rows["segment_id"], rows["text"], strict=True):
        members.setdefault(int(n), []).append((segment, text))
    return members, {turn.n: body[turn.start:turn.end] for turn in turns}


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
