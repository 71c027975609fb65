"""Segments and tokens of a whole study, cached per transcript and built in parallel when it pays.

``study_text(study)`` returns the segment table and the token table of every transcript. Only
transcripts whose text (or whose tokenizer settings or segment unit) changed are segmented and
tokenised again; the rest come from ``data/cache/``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.codebook.model import Codebook, CodebookError, study_codebook
from analysis.errors import TranscriptError
from analysis.study import Study
from analysis.text.cache import FileIndex, TableCache
from analysis.text.corpus import Corpus, Transcript, read_transcript, transcript_files
from analysis.text.segmenters import DEFAULT_ENGINE
from analysis.text.segments import SEGMENT_COLUMNS, segment_body
from analysis.text.tokenise import Tokenizer, token_features, tokenizer_for
from analysis.text.wordlist import study_list_words

SEGMENT_SCHEMA = pa.schema([("transcript_id", pa.string()), ("segment_id", pa.string()),
                            ("speaker", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                            ("text", pa.string()), ("language", pa.string())])
TOKEN_SCHEMA = pa.schema([("transcript_id", pa.string()), ("segment_id", pa.string()),
                          ("i", pa.int32()), ("start", pa.int64()), ("end", pa.int64()),
                          ("text", pa.string()), ("norm", pa.string()), ("script", pa.string()),
                          ("is_stop", pa.bool_()), ("is_punct", pa.bool_())])
# Cache name of the tables of all transcripts together (ids cannot start with "_").
WHOLE_STUDY = "_study"
# Below this many characters to (re)build, one process is faster than starting a pool.
PARALLEL_MIN_CHARS = 400_000


@dataclass
class StudyText:
    """The segment table and token table of a study (columns: ``SEGMENT_COLUMNS``, ``TOKEN_COLUMNS``)."""

    segments: pd.DataFrame
    tokens: pd.DataFrame


def build_tables(transcript_id: str, body: str, unit: str, extra_words: tuple[str, ...] = (),
                 engine: str = DEFAULT_ENGINE) -> tuple[pa.Table, pa.Table]:
    """Segment and tokenise one transcript body; offsets in both tables index the body.

    The body is tokenised once; each token belongs to the segment it starts in, and tokens
    outside every segment (speaker labels) are left out. ``i`` numbers tokens within a segment.
    """
    segments = segment_body(transcript_id, body, unit)
    pieces = _tokenizer(extra_words, engine).pieces(body)
    token_start = np.fromiter((start for start, _ in pieces), dtype=np.int64, count=len(pieces))
    segment_starts = np.array([s.start for s in segments], dtype=np.int64)
    segment_ends = np.array([s.end for s in segments], dtype=np.int64)
    k = np.searchsorted(segment_starts, token_start, side="right") - 1
    inside = (k >= 0) & (token_start < segment_ends[np.maximum(k, 0)]) if len(segments) else k >= 0
    keep = np.flatnonzero(inside)
    k, token_start = k[keep], token_start[keep]
    token_text = [pieces[j][1] for j in keep]
    token_i = np.arange(len(k)) - np.searchsorted(k, k, side="left")  # position within its segment
    segment_ids = np.array([s.segment_id for s in segments], dtype=object)
    features = list(zip(*map(token_features, token_text), strict=True)) or [[]] * 4
    token_table = pa.table([[transcript_id] * len(token_text), segment_ids[k].tolist(),
                            token_i.astype(np.int32), token_start,
                            token_start + np.fromiter(map(len, token_text), np.int64, len(token_text)),
                            token_text, *map(list, features)], schema=TOKEN_SCHEMA)
    segment_table = pa.table({name: [getattr(s, name) for s in segments] for name in SEGMENT_COLUMNS},
                             schema=SEGMENT_SCHEMA)
    return segment_table, token_table


def _tokenizer(extra_words: tuple[str, ...], engine: str = DEFAULT_ENGINE) -> Tokenizer:
    return tokenizer_for(engine, extra_words)


def codebook_words(codebook: Codebook) -> list[str]:
    """Thai codebook keywords written without spaces (phrases with spaces cannot be one token)."""
    return [word for word in codebook.thai_keywords() if " " not in word]


def _codebook_words(study: Study) -> list[str]:
    try:
        return codebook_words(study_codebook(study))
    except CodebookError:
        return []


def study_extra_words(study: Study, extra_words: Iterable[str] | None = None) -> tuple[str, ...]:
    """The tokenizer's extra words: ``extra_words`` (default: the codebook's Thai keywords) and,
    always, the team's word list (``codebooks/words.txt``; a bad line raises ``WordListError``)."""
    words = _codebook_words(study) if extra_words is None else extra_words
    return tuple(sorted({*words, *study_list_words(study)}))


@dataclass(frozen=True)
class _Job:
    """Everything a worker process needs to rebuild one transcript's tables."""

    path: Path
    unit: str
    settings: str
    extra_words: tuple[str, ...]
    languages: tuple[str, ...]
    require_labels: bool
    cache_dir: Path
    transcript: Transcript | None = None  # already read by the caller: not read again
    engine: str = DEFAULT_ENGINE


def _cache_key(sha256: str, settings: str) -> str:
    return hashlib.sha256(f"{sha256}:{settings}".encode()).hexdigest()[:24]


def _run(job: _Job) -> tuple[str, str, Path, pa.Table, pa.Table]:
    """Read (unless the caller did), segment, tokenise and cache one transcript (runs in a worker)."""
    transcript = job.transcript or read_transcript(job.path, languages=job.languages,
                                                   require_labels=job.require_labels)
    segments, tokens = build_tables(transcript.id, transcript.body, job.unit, job.extra_words, job.engine)
    key = _cache_key(transcript.sha256, job.settings)
    cache = TableCache(job.cache_dir)
    cache.save("segments", transcript.id, key, segments)
    cache.save("tokens", transcript.id, key, tokens)
    return transcript.id, transcript.sha256, job.path, segments, tokens


def study_text(study: Study, *, unit: str | None = None, extra_words: Iterable[str] | None = None,
               progress: bool = False, processes: int | None = None,
               corpus: Corpus | None = None, engine: str | None = None) -> StudyText:
    """Segment and token tables of every transcript of ``study``, from the cache where possible.

    A transcript file unchanged since the last run (same size and modification time) is not read
    again: its tables come from the cache when they were built with the same unit and tokenizer.

    Parameters
    ----------
    unit
        Segment unit (default: the study's ``segment_unit``).
    extra_words
        Thai words added to the tokenizer's dictionary (default: the Thai keywords of the study's
        codebook, if it has a valid one, so that no keyword is swallowed in a longer token); the
        team's word list is always added (``study_extra_words``).
    processes
        Worker processes for transcripts that must be rebuilt (default: all cores when there is
        enough text to gain, else 1).
    corpus
        The study's transcripts when the caller has read them already (they are not read again).
    engine
        Thai segmenter, ``fast`` or ``accurate`` (default: the study's ``[text] segmenter``).
    """
    unit = unit or study.segment_unit
    engine = engine or study.segmenter
    tokenizer = _tokenizer(study_extra_words(study, extra_words), engine)
    settings = f"{unit}:{tokenizer.settings_key}"
    index, cache = FileIndex(study.cache_dir), TableCache(study.cache_dir)
    files = [(path, index.lookup(path)) for path in transcript_files(study.transcripts_dir)]
    if files and all(known for _, known in files):
        whole = _load_whole_study(cache, {tid: _cache_key(sha, settings) for _, (tid, sha) in files})
        if whole is not None:
            return whole

    tables: dict[str, tuple[pa.Table, pa.Table]] = {}
    keys: dict[str, str] = {}
    owners: list[tuple[str, Path]] = []
    jobs: list[_Job] = []
    read = {t.path: t for t in corpus} if corpus is not None else {}
    for path, known in files:
        if known is not None:
            tid, key = known[0], _cache_key(known[1], settings)
            segments = cache.load("segments", tid, key)
            tokens = cache.load("tokens", tid, key) if segments is not None else None
            if tokens is not None:
                tables[tid], keys[tid] = (segments, tokens), key
                owners.append((tid, path))
                continue
        jobs.append(_Job(path, unit, settings, tokenizer.extra_words, study.languages,
                         study.segment_unit == "turn", study.cache_dir, read.get(path), engine))

    for tid, sha, path, segments, tokens in _run_all(jobs, processes, progress):
        index.record(path, tid, sha)
        tables[tid], keys[tid] = (segments, tokens), _cache_key(sha, settings)
        owners.append((tid, path))
    _refuse_duplicates(owners)
    for kind in ("segments", "tokens"):
        cache.prune(kind, set(tables) | {WHOLE_STUDY})
    index.save({path.name for _, path in owners})
    order = sorted(tables)
    whole_key = _whole_key(keys)
    segments = pa.concat_tables([tables[t][0] for t in order] or [SEGMENT_SCHEMA.empty_table()])
    tokens = pa.concat_tables([tables[t][1] for t in order] or [TOKEN_SCHEMA.empty_table()])
    cache.save("segments", WHOLE_STUDY, whole_key, segments)
    cache.save("tokens", WHOLE_STUDY, whole_key, tokens)
    return StudyText(segments=segments.to_pandas(), tokens=tokens.to_pandas())


def _whole_key(keys: dict[str, str]) -> str:
    return hashlib.sha256(";".join(f"{t}={k}" for t, k in sorted(keys.items())).encode()).hexdigest()[:24]


def _load_whole_study(cache: TableCache, keys: dict[str, str]) -> StudyText | None:
    """The tables of the whole study from one cached file each, if nothing changed since."""
    key = _whole_key(keys)
    segments = cache.load("segments", WHOLE_STUDY, key)
    tokens = cache.load("tokens", WHOLE_STUDY, key) if segments is not None else None
    if tokens is None:
        return None
    return StudyText(segments=segments.to_pandas(), tokens=tokens.to_pandas())


def _run_all(jobs: list[_Job], processes: int | None, progress: bool):
    """Run jobs in worker processes when there is enough text to gain; yield results in order."""
    from tqdm.auto import tqdm

    size = sum(job.path.stat().st_size for job in jobs)
    workers = processes or (multiprocessing.cpu_count() if size >= PARALLEL_MIN_CHARS else 1)
    with tqdm(total=len(jobs), desc="Tokenising / ตัดคำ", unit="transcript",
              disable=not progress or not jobs) as bar:
        if workers > 1 and len(jobs) > 1:
            with multiprocessing.get_context().Pool(workers) as pool:
                for result in pool.imap(_run, jobs, chunksize=4):
                    bar.update()
                    yield result
        else:
            for job in jobs:
                result = _run(job)
                bar.update()
                yield result


def _refuse_duplicates(owners: list[tuple[str, Path]]) -> None:
    seen: dict[str, Path] = {}
    for tid, path in owners:
        if tid in seen:
            raise TranscriptError(f"duplicate id '{tid}' (also in {seen[tid].name})", path=path,
                                  fix="give each transcript its own id and file name; run `sitthi check`")
        seen[tid] = path
