"""Finding identifiers in Thai and English text: the finders of each kind together.

Thai digits count as digits everywhere (they map one to one onto 0-9, so offsets are unchanged).
Thai words have no spaces between them, so a Thai name or province only counts when the tokenizer
puts a word boundary on both sides of it: "แม่น้ำ" (river) is one word, "แม่มาลัย" is a title and a
name. Hits are ``[start, end)`` code-point offsets into the text, overlaps resolved surest first,
then longest first. The high-recall mode (on by default) adds guesses at a lower confidence
(``candidates.py``) for a reviewer to confirm or reject; the leak guard never gets them.
"""

from __future__ import annotations

import re

from analysis.privacy.addresses import find_addresses, find_emails
from analysis.privacy.front_values import front_matter_hits
from analysis.privacy.hits import KINDS, Hit, Tokens, without_overlaps, word_pattern
from analysis.privacy.names import english_names, everywhere, extended, thai_names_in
from analysis.privacy.numbers import find_numbers, thai_id_valid
from analysis.privacy.places import custom_hits, district_hits, kept_names, province_hits

__all__ = ["KINDS", "Hit", "find_identifiers", "numbers_and_addresses", "thai_id_valid"]


def _tokens(text: str) -> Tokens:
    """Start offset → token, from the privacy tokenizer (plain newmm for Thai runs)."""
    from analysis.text.segmenters import PRIVACY_ENGINE
    from analysis.text.tokenise import tokenizer_for

    return Tokens(tokenizer_for(PRIVACY_ENGINE).pieces(text))


def find_identifiers(text: str, *, custom: dict[str, str] | None = None, keep_places: tuple[str, ...] = (),
                     high_recall: bool = True) -> list[Hit]:
    """Every identifier in ``text``; ``custom`` maps the study's own names to their kind
    (person, place, bar, hotel, org); ``keep_places`` are provinces left as they are;
    ``high_recall`` adds the guesses (unknown words, capitalised words, words after titles)."""
    tokens = _tokens(text)
    edges = tokens.edges
    keep = kept_names(keep_places)
    names, named = thai_names_in(text, tokens)
    hits = (find_numbers(text) + find_addresses(text) + english_names(text) + names
            + province_hits(text, edges, keep, tokens=tokens if high_recall else None)
            + district_hits(text, edges, keep, high_recall=high_recall) + custom_hits(text, custom or {})
            + front_matter_hits(text, tokens, keep))
    if high_recall:
        from analysis.privacy.candidates import guesses

        kept = [m.span() for p in keep for m in re.finditer(word_pattern(p), text)]
        hits += [h for h in guesses(text, tokens) if not any(s <= h.start and h.end <= e for s, e in kept)]
    hits = extended(text, hits, tokens)
    hits += everywhere(text, hits, named, tokens)
    if not high_recall:
        hits = [h for h in hits if h.confidence >= 0.9]
    return surest_first(hits)


def surest_first(hits: list[Hit]) -> list[Hit]:
    """Overlaps resolved: a surer hit beats a guess, then the longest wins (``without_overlaps``)."""
    kept: list[Hit] = []
    for level in sorted({h.confidence for h in hits}, reverse=True):
        layer = [h for h in hits if h.confidence == level
                 and all(h.end <= k.start or h.start >= k.end for k in kept)]
        kept += without_overlaps(layer)
    return sorted(kept, key=lambda h: h.start)


GUARD_CONFIDENCE = 0.9  # the guard deletes what it flags from outputs: it takes sure finds only


def numbers_and_addresses(text: str) -> list[Hit]:
    """Only the sure finds that are never acceptable in any output: ID numbers, phones, passports,
    plates and e-mail (not the "long number" guesses, which a reviewer judges in ``--propose``)."""
    return without_overlaps([hit for hit in find_numbers(text) + find_emails(text)
                             if hit.confidence >= GUARD_CONFIDENCE])
