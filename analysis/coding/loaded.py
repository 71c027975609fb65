"""A study read once: its corpus, codebook, segment and token tables, and resolved codings.

A report, a check or an agreement run builds one ``LoadedStudy`` and passes it along, so the
transcripts are read and parsed once per run. Each part is built on first use and then kept; a
``LoadedStudy`` is a snapshot, so make a new one after the study's files change.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from analysis.codebook.model import Codebook, CodebookError, study_codebook
from analysis.coding.anchoring import resolve_codings
from analysis.coding.rows import CodingError
from analysis.coding.store import CodingStore
from analysis.study import Study
from analysis.text.corpus import Corpus, read_corpus
from analysis.text.pipeline import StudyText, codebook_words, study_text
from analysis.text.segments import Segment, segment_body


class LoadedStudy:
    """The parts of ``study`` that several steps need, each read at most once."""

    def __init__(self, study: Study, *, progress: bool = False) -> None:
        self.study = study
        self.progress = progress

    @cached_property
    def corpus(self) -> Corpus:
        """Every transcript that could be read (problems in ``corpus.problems``)."""
        return read_corpus(self.study, progress=self.progress)

    @cached_property
    def codebook(self) -> Codebook:
        """The study's codebook (raises ``CodebookError`` when it is invalid)."""
        return study_codebook(self.study)

    @cached_property
    def text(self) -> StudyText:
        """Segment and token tables of every transcript (from the cache where possible)."""
        try:
            words = codebook_words(self.codebook)
        except CodebookError:
            words = []
        return study_text(self.study, extra_words=words, progress=self.progress, corpus=self.corpus)

    @cached_property
    def segments(self) -> dict[str, list[Segment]]:
        """Each transcript's segments in the study's unit, by transcript id."""
        return {t.id: segment_body(t.id, t.body, self.study.segment_unit) for t in self.corpus}

    @cached_property
    def store(self) -> CodingStore:
        return CodingStore(self.study)

    @cached_property
    def coverage(self) -> dict[str, set[str]]:
        """Per coder, the transcripts they have a codings file for."""
        return self.store.coverage()

    @cached_property
    def resolved(self) -> tuple[pd.DataFrame, list[CodingError]]:
        """Every coding checked and re-anchored, and the problems found (see ``resolve_codings``)."""
        return resolve_codings(self.store, self.corpus, self.codebook, self.segments)

    @property
    def codings(self) -> pd.DataFrame:
        """The resolved codings table (``RESOLVED_COLUMNS``)."""
        return self.resolved[0]


def loaded(source: Study | LoadedStudy, *, progress: bool = False) -> LoadedStudy:
    """``source`` itself when it is already loaded, else a new ``LoadedStudy`` of it."""
    return source if isinstance(source, LoadedStudy) else LoadedStudy(source, progress=progress)
