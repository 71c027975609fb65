"""Agreement for a study: gather codings, segments and coverage, then call ``agreement_table``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.agreement.table import (
    agreement_table,
    by_right,
    character_kappa,
    disagreements,
    reliability_data,
)
from analysis.coding.loaded import LoadedStudy, loaded
from analysis.spreadsheets import write_workbook
from analysis.study import Study

USABLE = ("ok", "reanchored")  # codings that need review or are invalid do not count


class StudyAgreement:
    """The agreement table (per code or right, with a pooled row) and the coders; the disagreements and
    character κ are worked out when first asked for (the report needs only the table)."""

    def __init__(self, table: pd.DataFrame, coders: list[str], disagreements: Callable[[], pd.DataFrame],
                 character_kappa: Callable[[], pd.DataFrame]) -> None:
        self.table, self.coders = table, coders
        self._make = {"disagreements": disagreements, "character_kappa": character_kappa}

    @cached_property
    def disagreements(self) -> pd.DataFrame:
        return self._make.pop("disagreements")()

    @cached_property
    def character_kappa(self) -> pd.DataFrame:
        return self._make.pop("character_kappa")()


def study_agreement(source: Study | LoadedStudy, *, coders: list[str] | None = None, by: str = "code",
                    samples: int = 1000) -> StudyAgreement:
    """Agreement between ``coders`` (default: all) at the segment level, ``by`` code or right."""
    data = loaded(source)
    codebook, segments, coded = data.codebook, data.text.segments, data.coverage
    codings = data.codings[data.codings["status"].isin(USABLE)]
    codes = [c.id for c in codebook.active() if not c.kind.endswith("_group")]
    data = reliability_data(codings, segments, coded, codes, coders=coders)
    if by == "right":
        data = by_right(data, codebook)
    elif by != "code":
        raise ValueError("by must be 'code' or 'right'")
    ends = segments.groupby("transcript_id", sort=False)["end"].max()
    bodies = {t: int(end) + 1 for t, end in ends.items()}
    pair = data.coders[:2]
    def kappa_chars() -> pd.DataFrame:
        if len(pair) != 2:
            return pd.DataFrame()
        return character_kappa(codings[codings["coder_id"].isin(pair)], segments, bodies, *pair)

    return StudyAgreement(agreement_table(data, codebook, samples=samples), data.coders,
                          lambda: disagreements(data, segments), kappa_chars)


def write_disagreements(result: StudyAgreement, path: Path) -> Path:
    """The disagreement list (and the table) as an Excel workbook for the consensus meeting (text as text,
    never a formula: ``analysis.spreadsheets``)."""
    return write_workbook(path, {"disagreements": result.disagreements, "agreement": result.table})
