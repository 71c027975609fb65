"""Inter-coder agreement from codings: per code, per right and pooled; character-level κ;
the list of disagreements for the consensus meeting.

The unit is the segment. For each code, a coder's value on a segment is 1 if the coder applied
the code anywhere in it, 0 if the coder coded that transcript but not that code there, and
missing if the coder did not code the transcript. A right applies where any of its codes does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.agreement.stats import (
    alpha_from_units,
    bootstrap_from_units,
    kappa_from_table,
    pair_agreement,
    unit_coincidences,
    value_counts,
    verdict,
)
from analysis.codebook.model import Codebook
from analysis.errors import SitthiError

TABLE_COLUMNS = ["id", "label_en", "label_th", "unit", "n_segments", "n_coders", "used_by",
                 "percent_agreement", "kappa", "alpha", "alpha_low", "alpha_high", "verdict"]


BINARY = (0.0, 1.0)  # a code is applied (1) or not (0)


class AgreementError(SitthiError):
    """Agreement cannot be computed (for example: only one coder)."""


VALUE_TYPE = np.float32  # 1, 0 and NaN exactly, in half the memory of float64 (codes × coders × segments)


@dataclass
class Reliability:
    """Codes × coders × segments values (1, 0, NaN) with their labels."""

    codes: list[str]
    coders: list[str]
    segments: list[str]
    values: np.ndarray  # codes × coders × segments, as VALUE_TYPE


def reliability_data(codings: pd.DataFrame, segments: pd.DataFrame, coded: dict[str, set[str]],
                     codes: list[str], *, coders: list[str] | None = None) -> Reliability:
    """Build the value array from codings (``coder_id, segment_id, code_id``), the segment table
    (``transcript_id, segment_id``) and, per coder, the transcripts they coded."""
    coders = sorted(coders or coded)
    missing = [c for c in coders if c not in coded]
    if missing:
        raise AgreementError(f"coder '{missing[0]}' has no codings",
                             fix=f"choose among: {', '.join(sorted(coded)) or '(none)'}")
    covered = {t for c in coders for t in coded[c]}
    units = segments[segments["transcript_id"].isin(covered)]
    segment_ids = units["segment_id"].tolist()
    coverage = np.array([units["transcript_id"].isin(coded[c]).to_numpy() for c in coders])
    values = np.where(coverage[None], VALUE_TYPE(0), VALUE_TYPE(np.nan)).repeat(len(codes), axis=0) if codes \
        else np.zeros((0, len(coders), len(segment_ids)), VALUE_TYPE)
    mine = codings[codings["coder_id"].isin(coders) & codings["code_id"].isin(codes)
                   & codings["segment_id"].isin(segment_ids)]
    code_index = {c: i for i, c in enumerate(codes)}
    coder_index = {c: i for i, c in enumerate(coders)}
    unit_index = {s: i for i, s in enumerate(segment_ids)}
    values[mine["code_id"].map(code_index).to_numpy(), mine["coder_id"].map(coder_index).to_numpy(),
           mine["segment_id"].map(unit_index).to_numpy()] = 1.0
    return Reliability(codes, coders, segment_ids, values)


def by_right(data: Reliability, codebook: Codebook) -> Reliability:
    """Collapse codes to their rights: a right applies where any of its codes does."""
    rights = [c.id for c in codebook.roots if c.kind == "right"]
    groups = {r: [i for i, code in enumerate(data.codes) if codebook.right_of(code) == r] for r in rights}
    values = np.stack([np.fmax.reduce(data.values[idx], axis=0) if idx else
                       np.where(np.isnan(data.values[0]), VALUE_TYPE(np.nan), VALUE_TYPE(0))
                       for idx in groups.values()]) \
        if data.codes else np.zeros((0, len(data.coders), len(data.segments)), VALUE_TYPE)
    return Reliability(rights, data.coders, data.segments, values)


def agreement_table(data: Reliability, codebook: Codebook, *, samples: int = 1000,
                    seed: int = 0) -> pd.DataFrame:
    """One row per code (or right) plus a pooled row: see ``TABLE_COLUMNS``.

    ``n_segments`` counts segments rated by at least two coders; ``used_by`` how many coders
    applied the code at least once; κ is Cohen's and only given for exactly two coders.
    """
    pairable = (~np.isnan(data.values[0])).sum(axis=0) >= 2 if len(data.codes) else np.array([])
    if len(data.coders) < 2 or not pairable.any():
        raise AgreementError("agreement needs at least two coders who coded the same transcripts",
                             fix="have a second coder code some of the same transcripts, or choose "
                                 "--coders that overlap")
    rows, pooled = [], None  # the codes' tallies added up, one code at a time (no codes × segments copy)
    for i, code in enumerate(data.codes):
        tally = Tally.of(data.values[i][:, pairable])
        rows.append(_row(code, tally, codebook, samples, seed))
        pooled = tally if pooled is None else pooled + tally
    # Pooled: the bootstrap resamples whole segments (their coincidences summed over the codes).
    rows.append({**_row("(pooled)", pooled, codebook, samples, seed),
                 "label_en": "All codes together", "label_th": "ทุกรหัสรวมกัน"})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


@dataclass
class Tally:
    """What a table row needs from a coders × segments matrix of 1 / 0 / NaN; the tallies of several codes
    over the same segments add up to the pooled row's (``+``)."""

    per_unit: np.ndarray  # segments × 2 × 2 coincidences
    n_segments: int
    used: np.ndarray  # per coder: applied the code at least once
    agreeing: float  # over segments with two or more ratings: the share of coder pairs that agree, summed
    rated: int  # segments with two or more ratings
    pairs: np.ndarray | None  # with two coders: their 2 × 2 table over the segments both rated

    @classmethod
    def of(cls, matrix: np.ndarray) -> Tally:
        counts = value_counts(matrix, BINARY)
        shares = pair_agreement(counts)
        pairs = None
        if matrix.shape[0] == 2:
            both = ~np.isnan(matrix).any(axis=0)
            first, second = (matrix[k, both] for k in (0, 1))
            pairs = np.array([[((first == a) & (second == b)).sum() for b in BINARY] for a in BINARY], float)
        return cls(unit_coincidences(matrix, BINARY, counts), matrix.shape[1], (matrix == 1).any(axis=1),
                   float(shares.sum()), len(shares), pairs)

    def __add__(self, other: Tally) -> Tally:
        pairs = None if self.pairs is None else self.pairs + other.pairs
        return Tally(self.per_unit + other.per_unit, self.n_segments + other.n_segments,
                     self.used | other.used, self.agreeing + other.agreeing, self.rated + other.rated, pairs)

    @property
    def kappa(self) -> float:
        """Cohen's κ of the two coders (NaN unless both rated some segment with more than one value)."""
        if self.pairs is None or (self.pairs.sum(axis=0) + self.pairs.sum(axis=1) > 0).sum() < 2:
            return float("nan")
        return kappa_from_table(self.pairs)


def _row(code: str, tally: Tally, codebook: Codebook, samples: int, seed: int) -> dict:
    alpha = alpha_from_units(tally.per_unit, BINARY)
    low, high = (np.nan, np.nan) if np.isnan(alpha) else bootstrap_from_units(tally.per_unit, BINARY,
                                                                              samples=samples, seed=seed)
    kappa = tally.kappa
    used = int(tally.used.sum())
    agreement = tally.agreeing / tally.rated if tally.rated else np.nan
    label = codebook[code].label if code in codebook else {"en": "", "th": ""}
    return {"id": code, "label_en": label["en"], "label_th": label["th"], "unit": "segment",
            "n_segments": tally.n_segments, "n_coders": len(tally.used), "used_by": used,
            "percent_agreement": round(agreement, 4),
            "kappa": round(kappa, 4) if not np.isnan(kappa) else np.nan,
            "alpha": round(alpha, 4) if not np.isnan(alpha) else np.nan,
            "alpha_low": round(low, 4) if not np.isnan(low) else np.nan,
            "alpha_high": round(high, 4) if not np.isnan(high) else np.nan,
            "verdict": verdict(alpha) if used else "not used"}


def disagreements(data: Reliability, segments: pd.DataFrame) -> pd.DataFrame:
    """Every segment and code where coders differ: who applied it, who did not, and the text."""
    with np.errstate(all="ignore"):
        differ = (np.nanmax(data.values, axis=1) == 1) & (np.nanmin(data.values, axis=1) == 0)
    code_i, segment_i = np.nonzero(differ)
    text = segments.set_index("segment_id")["text"]
    rows = []
    for c, s in zip(code_i, segment_i, strict=True):
        column = dict(zip(data.coders, data.values[c, :, s], strict=True))
        rows.append({"segment_id": data.segments[s], "code_id": data.codes[c],
                     "applied_by": ", ".join(k for k, v in column.items() if v == 1),
                     "not_applied_by": ", ".join(k for k, v in column.items() if v == 0),
                     "text": text.get(data.segments[s], "")})
    return pd.DataFrame(rows, columns=["segment_id", "code_id", "applied_by", "not_applied_by", "text"])


def character_kappa(codings: pd.DataFrame, segments: pd.DataFrame, bodies: dict[str, int],
                    first: str, second: str) -> pd.DataFrame:
    """Cohen's κ over characters for two coders, per transcript and code (as NVivo compares).

    ``bodies`` maps transcript id to body length; a whole-segment coding covers its segment.
    """
    spans = codings.merge(segments[["segment_id", "start", "end"]], on="segment_id",
                          suffixes=("", "_seg"))
    spans["from"] = spans["start"].fillna(spans["start_seg"]).astype(int)
    spans["to"] = spans["end"].fillna(spans["end_seg"]).astype(int)
    coders_of = codings.groupby("transcript_id")["coder_id"].agg(set).to_dict()  # once, not per group
    rows = []
    for (transcript, code), group in spans.groupby(["transcript_id", "code_id"]):
        if not {first, second} <= coders_of.get(transcript, set()):
            continue
        marks = np.zeros((2, bodies[transcript]), dtype=np.int8)
        spans_of = list(zip(*(group[name].tolist() for name in ("coder_id", "from", "to")), strict=True))
        for k, coder in enumerate((first, second)):
            for a, b in ((a, b) for who, a, b in spans_of if who == coder):
                marks[k, a:b] = 1
        table = np.array([[((marks[0] == i) & (marks[1] == j)).sum() for j in (0, 1)] for i in (0, 1)])
        rows.append({"transcript_id": transcript, "code_id": code, "chars_first": int(marks[0].sum()),
                     "chars_second": int(marks[1].sum()), "kappa_chars": round(kappa_from_table(table), 4)})
    return pd.DataFrame(rows, columns=["transcript_id", "code_id", "chars_first", "chars_second",
                                       "kappa_chars"])
