"""Finding identifiers in Thai and English text: the finders of each kind together.

Thai digits count as digits everywhere (they map one to one onto 0-9, so offsets are unchanged).
Thai words have no spaces between them, so a Thai name or province only counts when the tokenizer
puts a word boundary on both sides of it: "แม่น้ำ" (river) is one word, "แม่มาลัย" is a title and a
name. Hits are ``[start, end)`` code-point offsets into the text, overlaps resolved longest first.
"""

from __future__ import annotations

from analysis.privacy.addresses import find_addresses, find_emails
from analysis.privacy.hits import KINDS, Hit, without_overlaps
from analysis.privacy.names import english_names, everywhere, thai_names_in
from analysis.privacy.numbers import find_numbers, thai_id_valid
from analysis.privacy.places import custom_hits, province_hits, provinces

__all__ = ["KINDS", "Hit", "find_identifiers", "numbers_and_addresses", "thai_id_valid"]


def _tokens(text: str) -> dict[int, str]:
    """Start offset → token, from the study tokenizer (newmm for Thai runs)."""
    from analysis.text.tokenise import default_tokenizer

    return dict(default_tokenizer().pieces(text))


def find_identifiers(text: str, *, custom: dict[str, str] | None = None,
                     keep_places: tuple[str, ...] = ()) -> list[Hit]:
    """Every identifier in ``text``; ``custom`` maps the study's own names to their kind
    (person, place, bar, hotel, org); ``keep_places`` are provinces left as they are."""
    tokens = _tokens(text)
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
    keep = set(keep_places) | {provinces().get(p, p) for p in keep_places}
    names, named = thai_names_in(text, tokens)
    hits = (find_numbers(text) + find_addresses(text) + english_names(text) + names
            + province_hits(text, edges, keep) + custom_hits(text, custom or {}))
    return without_overlaps(hits + everywhere(text, hits, named, tokens))


def numbers_and_addresses(text: str) -> list[Hit]:
    """Only the patterns that are never acceptable in any output: ID numbers, phones, e-mail."""
    return without_overlaps(find_numbers(text) + find_emails(text))
