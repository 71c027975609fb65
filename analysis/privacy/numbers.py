"""Numbers about a person: Thai national ID numbers, phone numbers, passport numbers, vehicle plates.

The text is folded first (``folding.fold``: Thai and full-width digits, Unicode spaces, a number split
over a line), every hit points back at the original text. A run of digit groups is split into the
longest pieces that are a Thai ID (check digit via ``python-stdnum``) or a phone number
(``phonenumbers``: Thailand and its neighbours, any number written with ``+``/``00``, and bare
``66812345678``); a run that is neither but has the shape of a number about a person (``0``/``+``
first, ID grouping, a bare 9–12 digit run) is still proposed, with a low confidence.
Not numbers about a person: table columns (digits spaced one by one), years, prices (``15,000``),
times (``10:30``), dates, decimals (SVG path data) and digits inside a code or a word.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from stdnum.th import pin

from analysis.privacy.folding import Folded, fold
from analysis.privacy.hits import Hit

REGIONS = ("TH", "MM", "LA", "KH")
_LENIENT = phonenumbers.Leniency.POSSIBLE
_NEIGHBOURS = ("66", "95", "856", "855")  # bare country codes written without "+"
_SEP = r"(?: {0,2}[-./] {0,2}| {1,2})"
_GROUP = r"(?:\(\s?\+?\d{1,4}\s?\)|\+\s?\d+|\d+)"
_BEFORE = r"(?<![A-Za-z\d+/])(?<!\d[.,:])"  # not inside a code, a longer number, a price or a time
_AFTER = r"(?![A-Za-z\d])(?![.,:]\d)"
_NEXT = rf"(?:{_SEP}|(?<=\)))"  # "+66 (0)81": nothing needed after a bracket
_RUN = re.compile(rf"{_BEFORE}{_GROUP}(?:{_NEXT}{_GROUP})*{_AFTER}")
_GROUP_IN_RUN = re.compile(_GROUP)
_EDGE_BEFORE, _EDGE_AFTER = re.compile(_BEFORE), re.compile(_AFTER)
_SHAPE = re.compile(rf"{_GROUP}(?:{_NEXT}{_GROUP})*")
_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}")
_MAX_GROUPS = 5  # "1 1017 00230 70 8", "+95 9 250 123 456"; more is a table row spaced out


def thai_id_valid(digits: str) -> bool:
    """True for 13 digits whose last is the Thai national ID check digit (``0`` first: pink cards)."""
    return len(digits) == 13 and digits.isdigit() and pin.calc_check_digit(digits[:12]) == digits[12]


def _phone_confidence(written: str, digits: str) -> float:
    """1.0 for a valid number, 0.9 for a valid neighbour's or a possible international one, else 0."""
    international = written.lstrip("( ").startswith("+") or digits.startswith("00")
    try:
        if international:
            number = phonenumbers.parse("+" + digits.removeprefix("00"))
            return 1.0 if phonenumbers.is_valid_number(number) else (
                0.9 if phonenumbers.is_possible_number(number) and len(digits) >= 8 else 0.0)
        if digits.startswith("0"):
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, "TH")):
                return 1.0
            return 0.9 if any(phonenumbers.is_valid_number(phonenumbers.parse(digits, r))
                              for r in REGIONS[1:]) else 0.0
        if digits.startswith(_NEIGHBOURS) and len(digits) >= 10:
            number = phonenumbers.parse("+" + digits)
            return (1.0 if digits.startswith("66") else 0.8) if phonenumbers.is_valid_number(number) else 0.0
    except phonenumbers.NumberParseException:
        pass
    return 0.0


def _classify(written: str) -> tuple[str, float] | None:
    """The kind and confidence of one written number, or None."""
    digits = re.sub(r"\D", "", written)
    if thai_id_valid(digits):
        return "id_card", 1.0
    if "/" in written and not re.match(r"\(?\+?\d{3}", written):
        return None  # 08/05/2567 is a date; 081/234/5678 a phone
    confidence = _phone_confidence(written, digits) if 8 <= len(digits) <= 15 else 0.0
    return ("phone", confidence) if confidence else None


def _long_number(written: str, groups: list[str]) -> tuple[str, float] | None:
    """A low-confidence guess for a run shaped like a number about a person that is neither."""
    digits = re.sub(r"\D", "", written)
    lengths = [len(re.sub(r"\D", "", g)) for g in groups]
    if _DATE.fullmatch(written) or not 9 <= len(digits) <= 13:
        return None
    if lengths == [1, 4, 5, 2, 1]:
        return "id_card", 0.4  # an ID's grouping with a wrong check digit: perhaps mistyped
    if len(digits) == 13:
        return None  # 13 digits with a wrong check digit: a case or bank number, not an ID
    if len(set(re.findall(r"[-./]", written))) > 1 or min(lengths) < 2 and lengths[0] != 1:
        return None  # mixed separators or single digits: decimals, coordinates, tables
    if written.lstrip("( ").startswith(("0", "+")) or len(groups) == 1:
        return "phone", 0.3
    return None


def _ranges(groups: list[re.Match]) -> list[tuple[int, int]]:
    """Every contiguous range of at most ``_MAX_GROUPS`` groups, longest first."""
    count = len(groups)
    return [(i, i + size) for size in range(min(count, _MAX_GROUPS), 0, -1) for i in range(count - size + 1)]


def _run_hits(folded: Folded, run: re.Match) -> list[Hit]:
    """The numbers in one run of digit groups: longest valid pieces first, then a guess."""
    groups = list(_GROUP_IN_RUN.finditer(run.group()))
    hits, taken = [], set()
    for first, last in _ranges(groups):
        if taken & set(range(first, last)):
            continue
        start, end = run.start() + groups[first].start(), run.start() + groups[last - 1].end()
        found = _classify(folded.text[start:end])
        if found:
            taken |= set(range(first, last))
            hits.append(folded.hit(start, end, *found))
    if not hits and len(groups) <= _MAX_GROUPS:
        guess = _long_number(run.group(), [g.group() for g in groups])
        if guess:
            hits.append(folded.hit(run.start(), run.end(), *guess, why="long number"))
    return hits


# Where a phone number could be: seven digits or more with separators between them (the matcher is
# slow on long texts such as audit logs, so it reads only these stretches and a little around them).
_PHONE_STRETCH = re.compile(r"[+(]?\d(?:[\d \t().\-/]*\d){6,}\)?")
_AROUND = 4


def _matcher_hits(folded: Folded) -> list[Hit]:
    """What ``phonenumbers``' lenient matcher finds for Thailand and its neighbours, checked again."""
    hits = []
    for stretch in _PHONE_STRETCH.finditer(folded.text):
        offset = max(0, stretch.start() - _AROUND)
        window = folded.text[offset:stretch.end() + _AROUND]
        for region in REGIONS:
            for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=_LENIENT):
                start, end, written = offset + match.start, offset + match.end, match.raw_string
                if not (_EDGE_BEFORE.match(folded.text, start) and _EDGE_AFTER.match(folded.text, end)
                        and len(_GROUP_IN_RUN.findall(written)) <= _MAX_GROUPS and _SHAPE.fullmatch(written)):
                    continue
                found = _classify(written)
                if found:
                    hits.append(folded.hit(start, end, *found))
    return hits


_PASSPORT_WORD = r"(?i:passport|pass\s?port|พาสปอร์ต|พาสปอร์ท|หนังสือเดินทาง|พาส)"
_PASSPORT = re.compile(r"(?<![A-Za-z\d])[A-Z]{1,2}([ -]?)\d{6,8}(?![A-Za-z\d])")
_PASSPORT_AFTER_WORD = re.compile(
    rf"{_PASSPORT_WORD}[^\n\d]{{0,30}}?(?<![A-Za-z\d])([A-Za-z]{{1,2}} ?-?\d{{6,8}})(?![A-Za-z\d])")
_PLATE_WORD = r"(?i:licen[cs]e\s?plate|number\s?plate|plate|registration|ป้ายทะเบียน|ทะเบียนรถ|ทะเบียน)"
_PLATE_NUMBER = r"(?:\d?[ก-ฮ]{1,2}|[A-Za-z]{1,3}|\d[A-Za-z]{1,2})(?: ?- ?| )?\d{1,4}(?!\d)"
_PLATE_AFTER_WORD = re.compile(rf"{_PLATE_WORD}[^\n\d]{{0,15}}?(?<![A-Za-z\d])({_PLATE_NUMBER})")
_PLATES = (  # (pattern, confidence): a digit before the letters is a plate's own shape
    (re.compile(r"(?<![ก-๛\d])\d[ก-ฮ]{2}(?: ?- ?| )?\d{1,4}(?!\d)"), 0.9),
    (re.compile(r"(?<![ก-๛\d])[ก-ฮ]{2} ?- ?\d{1,4}(?!\d)"), 0.8),
    (re.compile(r"(?<![ก-๛\d])[ก-ฮ]{2} ?\d{4}(?![\d,.])"), 0.5),
)


def _passport_hits(folded: Folded) -> list[Hit]:
    """Passport numbers: letters and digits (Thai AA1234567, Myanmar MA…, Cambodian N12345678)."""
    hits = [folded.hit(m.start(1), m.end(1), "passport", 1.0, "after passport")
            for m in _PASSPORT_AFTER_WORD.finditer(folded.text)]
    for match in _PASSPORT.finditer(folded.text):
        usual = len(match.group()) - len(match.group(1)) in (8, 9)  # 1–2 letters and 7 digits, N and 8
        confidence = (0.8 if usual else 0.6) - (0.2 if match.group(1) else 0.0)
        hits.append(folded.hit(match.start(), match.end(), "passport", confidence, "passport shape"))
    return hits


@lru_cache(maxsize=1)
def _province_after() -> re.Pattern:
    """An optional province written after a Thai plate: ``กข 1234 เชียงใหม่``."""
    from analysis.privacy.places import provinces

    names = sorted((n for n in provinces() if not n.isascii()), key=len, reverse=True)
    return re.compile(rf" ?(?:จังหวัด|จ\.)? ?(?:{'|'.join(map(re.escape, names))})")


def _plate_hits(folded: Folded) -> list[Hit]:
    """Vehicle plates: ``1กก 1234``, ``กข-1234``, ``กข 1234 เชียงใหม่``, "plate ABC 123"."""
    found = [(m.start(1), m.end(1), 1.0, "after plate") for m in _PLATE_AFTER_WORD.finditer(folded.text)]
    for pattern, confidence in _PLATES:
        found += [(m.start(), m.end(), confidence, "plate shape") for m in pattern.finditer(folded.text)]
    hits = []
    for start, end, confidence, why in found:
        province = _province_after().match(folded.text, end)
        hits.append(folded.hit(start, province.end() if province else end, "plate", confidence, why))
    return hits


def _best(hits: list[Hit]) -> list[Hit]:
    """Overlaps resolved: the surest first, then the longest."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.confidence, -(h.end - h.start), h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def find_numbers(text: str) -> list[Hit]:
    """Thai ID numbers, phones, passport numbers and plates in ``text``, each with a confidence."""
    folded = fold(text)
    hits = [hit for run in _RUN.finditer(folded.text) for hit in _run_hits(folded, run)]
    return _best(hits + _matcher_hits(folded) + _passport_hits(folded) + _plate_hits(folded))
