"""Summaries of the coding work: per-coder status, all codings resolved, suggestion quality."""

from __future__ import annotations

import pandas as pd

from analysis.coding.loaded import LoadedStudy, loaded
from analysis.coding.rows import CodingError
from analysis.coding.store import CodingStore
from analysis.coding.suggest import evaluate, suggest
from analysis.errors import SitthiError
from analysis.study import Study


def study_codings(source: Study | LoadedStudy) -> tuple[pd.DataFrame, list[CodingError]]:
    """Every coding of the study, checked and re-anchored (see ``resolve_codings``)."""
    return loaded(source).resolved


def coding_status(study: Study) -> pd.DataFrame:
    """Per coder: transcripts with codings, segments coded, codings, codes used, last activity."""
    store = CodingStore(study)
    rows = []
    for coder in store.coders():
        codings = store.codings_of(coder)
        activity = [e["at"] for e in store.log(coder)] + [c.coded_at for c in codings]
        rows.append({"coder": coder, "transcripts": len({c.transcript_id for c in codings}),
                     "segments": len({c.segment_id for c in codings}), "codings": len(codings),
                     "codes_used": len({c.code_id for c in codings}),
                     "last_activity": max(activity, default="")})
    return pd.DataFrame(rows, columns=["coder", "transcripts", "segments", "codings", "codes_used",
                                       "last_activity"])


def suggestion_report(study: Study, *, coder: str | None = None,
                      transcript: str | None = None) -> pd.DataFrame:
    """Suggestions (optionally for one transcript), or their precision/recall against ``coder``."""
    data = loaded(study)
    codebook, segments = data.codebook, data.text.segments
    if transcript:
        segments = segments[segments["transcript_id"] == transcript]
    suggestions = suggest(codebook, segments)
    if coder is None:
        return suggestions
    store = CodingStore(study)
    codings = store.codings_of(coder)
    if not codings:
        raise SitthiError(f"coder '{coder}' has no codings", path=store.root,
                          fix=f"choose one of: {', '.join(store.coders()) or '(none yet)'}")
    frame = pd.DataFrame([{"segment_id": c.segment_id, "code_id": c.code_id} for c in codings])
    return evaluate(suggestions, frame, transcripts={c.transcript_id for c in codings})
