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
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.codebook.model import Codebook, CodebookError, study_codebook
from analysis.errors import TranscriptError
from analysis.study import Study
from analysis.text.cache import CachedTable, FileIndex, TableCache
from analysis.text.corpus import Corpus, Transcript, read_transcript, transcript_files
from analysis.text.segmenters import DEFAULT_ENGINE
from analysis.text.segments import SEGMENT_COLUMNS, Segment, segment_body
from analysis.text.tokenise import token_features, tokenizer_for
from analysis.text.wordlist import study_list_words

# Text is large_string: what pandas keeps its ``str`` columns in, so no conversion is needed.
_TEXT = pa.large_string()
SEGMENT_SCHEMA = pa.schema([("transcript_id", _TEXT), ("segment_id", _TEXT), ("speaker", _TEXT),
                            ("start", pa.int64()), ("end", pa.int64()), ("text", _TEXT), ("language", _TEXT)])
TOKEN_SCHEMA = pa.schema([("transcript_id", _TEXT), ("segment_id", _TEXT), ("i", pa.int32()),
                          ("start", pa.int64()), ("end", pa.int64()), ("text", _TEXT), ("norm", _TEXT),
                          ("script", _TEXT), ("is_stop", pa.bool_()), ("is_punct", pa.bool_())])
FEATURES = ("norm", "script", "is_stop", "is_punct")  # the columns ``token_features`` gives
SCHEMAS = {"segments": SEGMENT_SCHEMA, "tokens": TOKEN_SCHEMA}  # the cached tables, in StudyText's order
# Below this many characters to (re)build, one process is faster than starting a pool.
PARALLEL_MIN_CHARS = 400_000
# Transcripts are built in batches of about this many characters (bytes of their files).
BATCH_CHARS = 1_000_000
# A whole-study table of more chunks than this is copied into one (pandas is slower on many).
MAX_CHUNKS = 64
Span = tuple[pa.Table, int, int]  # rows of a table: the table, the first row, the number of rows


@dataclass
class StudyText:
    """The segment table and token table of a study (columns: ``SEGMENT_COLUMNS``, ``TOKEN_COLUMNS``)."""

    segments: pd.DataFrame
    tokens: pd.DataFrame


@dataclass
class TranscriptRows:
    """One transcript segmented and tokenised, before its rows become Arrow tables.

    ``token_segment`` is the index in ``segments`` of the segment each token starts in, ``inside``
    whether it starts in one at all (tokens of speaker labels do not).
    """

    transcript_id: str
    segments: list[Segment]
    token_start: np.ndarray
    token_text: list[str]
    token_segment: np.ndarray
    inside: np.ndarray


def transcript_rows(transcript_id: str, body: str, unit: str, extra_words: tuple[str, ...] = (),
                    engine: str = DEFAULT_ENGINE) -> TranscriptRows:
    """Segment and tokenise one transcript body (tokenised once, whole; offsets index the body)."""
    segments = segment_body(transcript_id, body, unit)
    token_start, token_text = tokenizer_for(engine, extra_words).columns(body)
    segment_starts = np.fromiter((s.start for s in segments), np.int64, len(segments))
    segment_ends = np.fromiter((s.end for s in segments), np.int64, len(segments))
    k = np.searchsorted(segment_starts, token_start, side="right") - 1
    inside = (k >= 0) & (token_start < segment_ends[np.maximum(k, 0)]) if len(segments) else k >= 0
    return TranscriptRows(transcript_id, segments, token_start, token_text, k, inside)


def build_tables(transcript_id: str, body: str, unit: str, extra_words: tuple[str, ...] = (),
                 engine: str = DEFAULT_ENGINE) -> tuple[pa.Table, pa.Table]:
    """Segment and token tables of one transcript body; offsets in both tables index the body.

    Each token belongs to the segment it starts in, and tokens outside every segment (speaker
    labels) are left out. ``i`` numbers tokens within a segment.
    """
    return arrow_tables([transcript_rows(transcript_id, body, unit, extra_words, engine)])


def arrow_tables(transcripts: list[TranscriptRows]) -> tuple[pa.Table, pa.Table]:
    """The segment and token tables of transcripts, one after another (built column by column, once
    for all of them: per-transcript Arrow calls would cost more than the rows)."""
    segments = [s for rows in transcripts for s in rows.segments]
    segment_table = pa.table({name: [getattr(s, name) for s in segments] for name in SEGMENT_COLUMNS},
                             schema=SEGMENT_SCHEMA)
    inside = np.concatenate([rows.inside for rows in transcripts] or [np.zeros(0, bool)])
    texts = pa.array([*chain.from_iterable(rows.token_text for rows in transcripts)], _TEXT).filter(inside)
    kept = [rows.inside.sum() for rows in transcripts]
    first_segment = np.cumsum([0] + [len(rows.segments) for rows in transcripts[:-1]])
    segment = np.concatenate([rows.token_segment[rows.inside] + first for rows, first
                              in zip(transcripts, first_segment, strict=True)] or [np.zeros(0, np.int64)])
    start = np.concatenate([rows.token_start[rows.inside] for rows in transcripts] or [np.zeros(0, np.int64)])
    transcript_ids = pa.array([rows.transcript_id for rows in transcripts], _TEXT)
    token_table = pa.table([transcript_ids.take(np.repeat(np.arange(len(transcripts)), kept)),
                            pa.array([s.segment_id for s in segments], _TEXT).take(segment),
                            _position_within(segment), start, start + pc.utf8_length(texts).to_numpy(),
                            texts, *_features(texts)], schema=TOKEN_SCHEMA)
    return segment_table, token_table


def _position_within(segment: np.ndarray) -> np.ndarray:
    """``i`` of each token: its place within its segment (tokens are in order)."""
    return (np.arange(len(segment)) - np.searchsorted(segment, segment, side="left")).astype(np.int32)


def _features(texts: pa.Array) -> list[pa.Array]:
    """The ``FEATURES`` columns of tokens, worked out once per distinct token text."""
    encoded = texts.dictionary_encode()
    columns = list(zip(*map(token_features, encoded.dictionary.to_pylist()), strict=True)) or [()] * 4
    return [pa.array(column, TOKEN_SCHEMA.field(name).type).take(encoded.indices)
            for column, name in zip(columns, FEATURES, strict=True)]


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
    extra_words: tuple[str, ...]
    languages: tuple[str, ...]
    require_labels: bool
    transcript: Transcript | None = None  # already read by the caller: not read again
    engine: str = DEFAULT_ENGINE


@dataclass
class _Built:
    """The tables of a batch of transcripts, and each one's id, hash, file and row counts."""

    transcripts: list[tuple[str, str, Path, int, int]]
    segments: pa.Table
    tokens: pa.Table

    def parts(self):
        """``(id, hash, file, segment span, token span)`` of each transcript (a span: ``(table, first
        row, number of rows)``)."""
        segment_at = token_at = 0
        for tid, sha, path, segment_count, token_count in self.transcripts:
            yield (tid, sha, path, (self.segments, segment_at, segment_count),
                   (self.tokens, token_at, token_count))
            segment_at, token_at = segment_at + segment_count, token_at + token_count


def _cache_key(sha256: str, settings: str) -> str:
    return hashlib.sha256(f"{sha256}:{settings}".encode()).hexdigest()[:24]


def _run(jobs: list[_Job]) -> _Built:
    """Read (unless the caller did), segment and tokenise a batch of transcripts (runs in a worker)."""
    done, rows = [], []
    for job in jobs:
        transcript = job.transcript or read_transcript(job.path, languages=job.languages,
                                                       require_labels=job.require_labels)
        rows.append(transcript_rows(transcript.id, transcript.body, job.unit, job.extra_words, job.engine))
        done.append((transcript.id, transcript.sha256, job.path, len(rows[-1].segments),
                     int(rows[-1].inside.sum())))
    return _Built(done, *arrow_tables(rows))


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
    tokenizer = tokenizer_for(engine, study_extra_words(study, extra_words))
    settings = f"{unit}:{tokenizer.settings_key}"
    index, cache = FileIndex(study.cache_dir), TableCache(study.cache_dir)
    files = [(path, index.lookup(path)) for path in transcript_files(study.transcripts_dir)]
    cached = [cache.load(kind) for kind in SCHEMAS]
    unchanged = _unchanged(files, cached, settings)
    if unchanged is not None:
        return unchanged

    tables: dict[str, tuple[str, Span, Span]] = {}  # id → key, segment rows, token rows
    owners: list[tuple[str, Path]] = []
    jobs: list[_Job] = []
    read = {t.path: t for t in corpus} if corpus is not None else {}
    for path, known in files:
        if known is not None:
            tid, key = known[0], _cache_key(known[1], settings)
            spans = [table.span(tid, key) if table is not None else None for table in cached]
            if all(span is not None for span in spans):
                tables[tid] = (key, *spans)
                owners.append((tid, path))
                continue
        jobs.append(_Job(path, unit, tokenizer.extra_words, study.languages,
                         study.segment_unit == "turn", read.get(path), engine))

    for built in _run_all(jobs, processes, progress):
        for tid, sha, path, segments, tokens in built.parts():
            index.record(path, tid, sha)
            tables[tid] = (_cache_key(sha, settings), segments, tokens)
            owners.append((tid, path))
    _refuse_duplicates(owners)
    index.save({path.name for _, path in owners})
    order = sorted(tables)
    segments, tokens = (_save_whole(cache, kind, [(tid, tables[tid][0], tables[tid][n]) for tid in order])
                        for n, kind in enumerate(SCHEMAS, 1))
    return StudyText(segments=segments.to_pandas(), tokens=tokens.to_pandas())


def _save_whole(cache: TableCache, kind: str, parts: list[tuple[str, str, Span]]) -> pa.Table:
    """The rows of ``(transcript id, key, span)`` one after another, saved in the cache."""
    slices = [table.slice(first, count) for table, first, count in _joined([span for _, _, span in parts])]
    whole = pa.concat_tables(slices) if slices else SCHEMAS[kind].empty_table()
    if whole.column(0).num_chunks > MAX_CHUNKS:
        whole = whole.combine_chunks()
    cache.save(kind, whole, [(tid, key, count) for tid, key, (_, _, count) in parts])
    return whole


def _joined(spans: list[Span]) -> list[Span]:
    """Spans that follow each other in one table as one span (so the whole table has few chunks)."""
    joined: list[Span] = []
    for table, first, count in spans:
        if joined and joined[-1][0] is table and sum(joined[-1][1:]) == first:
            joined[-1] = (table, joined[-1][1], joined[-1][2] + count)
        else:
            joined.append((table, first, count))
    return joined


def _unchanged(files: list[tuple[Path, tuple[str, str] | None]], cached: list[CachedTable | None],
               settings: str) -> StudyText | None:
    """The cached tables whole, if no transcript file changed since they were made."""
    if not files or any(known is None for _, known in files) or any(table is None for table in cached):
        return None
    keys = {tid: _cache_key(sha, settings) for _, (tid, sha) in files}
    if len(keys) != len(files) or any(table.keys() != keys for table in cached):
        return None
    return StudyText(segments=cached[0].table.to_pandas(), tokens=cached[1].table.to_pandas())


def _batches(jobs: list[_Job], sizes: list[int], most: int) -> list[list[_Job]]:
    """Consecutive jobs in batches of at most ``most`` characters (or one job)."""
    batches: list[list[_Job]] = []
    total = most
    for job, size in zip(jobs, sizes, strict=True):
        if total + size > most:
            batches.append([])
            total = 0
        batches[-1].append(job)
        total += size
    return batches


def _run_all(jobs: list[_Job], processes: int | None, progress: bool):
    """Run jobs in batches, in worker processes when there is enough text to gain; yield each batch."""
    from tqdm.auto import tqdm

    sizes = [job.path.stat().st_size for job in jobs]
    workers = processes or (multiprocessing.cpu_count() if sum(sizes) >= PARALLEL_MIN_CHARS else 1)
    workers = min(workers, len(jobs))
    # Several batches per worker keep them all busy to the end and the progress bar moving.
    batches = _batches(jobs, sizes, max(1, min(BATCH_CHARS, sum(sizes) // (4 * workers or 1))))
    with tqdm(total=len(jobs), desc="Tokenising / ตัดคำ", unit="transcript",
              disable=not progress or not jobs) as bar:
        if workers > 1:
            with multiprocessing.get_context().Pool(workers) as pool:
                for built in pool.imap(_run, batches):
                    bar.update(len(built.transcripts))
                    yield built
        else:
            for batch in batches:
                built = _run(batch)
                bar.update(len(built.transcripts))
                yield built


def _refuse_duplicates(owners: list[tuple[str, Path]]) -> None:
    seen: dict[str, Path] = {}
    for tid, path in owners:
        if tid in seen:
            raise TranscriptError(f"duplicate id '{tid}' (also in {seen[tid].name})", path=path,
                                  fix="give each transcript its own id and file name; run `sitthi check`")
        seen[tid] = path
