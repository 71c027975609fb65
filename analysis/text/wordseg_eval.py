"""Word-boundary precision, recall and F1 against hand-segmented Thai (for tests and benchmarks).

Gold formats: wisesight ``.label`` files (tokens joined by ``|``, spaces are tokens) and CoNLL-U
(``# text =`` plus one token per line). A boundary is an offset where a non-space token starts
or ends; whitespace tokens are ignored on both sides, so the score compares words only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path


def boundaries(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """Start and end offsets of the non-space spans."""
    found: set[int] = set()
    for start, end in spans:
        if text[start:end].strip():
            found.update((start, end))
    return found


def spans_of(words: list[str]) -> list[tuple[int, int]]:
    """Offsets of consecutive words that concatenate to the text."""
    spans, cursor = [], 0
    for word in words:
        spans.append((cursor, cursor + len(word)))
        cursor += len(word)
    return spans


def read_wisesight(path: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    """``(text, gold spans)`` for each line of a wisesight ``.label`` file."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [w for w in line.split("|") if w]
        if words:
            items.append(("".join(words), spans_of(words)))
    return items


def read_conllu(path: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    """``(text, gold spans)`` for each sentence of a CoNLL-U file (multi-word ranges respected)."""
    items, text, forms, skip_until = [], None, [], 0
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("# text = "):
            text = line[len("# text = "):]
        elif not line.strip():
            if text is not None and forms:
                items.append((text, _locate(text, forms)))
            text, forms, skip_until = None, [], 0
        elif not line.startswith("#"):
            columns = line.split("\t")
            token_id = columns[0]
            if "." in token_id:
                continue
            if "-" in token_id:
                skip_until = int(token_id.split("-")[1])
                forms.append(columns[1])
            elif int(token_id) > skip_until:
                forms.append(columns[1])
    return items


def _locate(text: str, forms: list[str]) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for form in forms:
        start = text.find(form, cursor)
        if start < 0:
            raise ValueError(f"gold token {form!r} not found in {text!r}")
        spans.append((start, start + len(form)))
        cursor = start + len(form)
    return spans


def boundary_scores(items: list[tuple[str, list[tuple[int, int]]]],
                    segment: Callable[[str], list[tuple[int, int]]]) -> dict[str, float]:
    """Micro-averaged boundary precision, recall and F1 of ``segment`` over all items."""
    hits = predicted = expected = 0
    for text, gold_spans in items:
        gold = boundaries(text, gold_spans)
        guess = boundaries(text, segment(text))
        hits += len(gold & guess)
        predicted += len(guess)
        expected += len(gold)
    precision = hits / predicted if predicted else 0.0
    recall = hits / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "items": len(items)}
