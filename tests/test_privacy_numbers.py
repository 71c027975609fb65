"""Numbers and addresses about a person in every form people write them, and what is not one."""

import pytest

from analysis.privacy.addresses import find_addresses, find_emails
from analysis.privacy.folding import fold
from analysis.privacy.numbers import find_numbers, thai_id_valid


def _found(finder, text: str) -> dict[str, tuple[str, float]]:
    """Hit text → (kind, confidence); every hit points at the original text."""
    hits = finder(text)
    assert all(text[h.start:h.end] == h.text for h in hits)
    return {h.text: (h.kind, h.confidence) for h in hits}


def test_folding_maps_back_to_the_original() -> None:
    folded = fold("a\u00a0๑๒\u200b３\nb\n\nc")
    assert folded.text == "a 123 b\n\nc"
    assert folded.span(2, 5) == (2, 6)  # the dropped zero-width space is inside the span


@pytest.mark.parametrize("written", [
    "1-1017-00230-70-8", "1101700230708", "1.1017.00230.70.8", "1\u00a01017\u00a000230\u00a070\u00a08",
    "1 1017 00230 70 8", "1-1017-00230-\n70-8", "๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘", "１１０１７００２３０７０８",
    "0-0456-78901-23-1",
])
def test_numbers_thai_id_in_any_grouping(written: str) -> None:
    assert _found(find_numbers, f"บัตรประชาชน {written} ค่ะ") == {written: ("id_card", 1.0)}


def test_numbers_thai_id_checksum() -> None:
    assert thai_id_valid("1101700230708") and not thai_id_valid("1101700230709")
    assert thai_id_valid("0045678901231")  # pink-card numbers start with 0
    assert find_numbers("เลขคดี 6530100400215 ค่ะ") == []  # 13 digits, wrong check digit: a case number


@pytest.mark.parametrize("written", [
    "0812345678", "081-234-5678", "081 - 234 - 5678", "081/234/5678", "081.234.5678", "(02) 123 4567",
    "02-123-4567", "053-123456", "(+66) 81 234 5678", "+66 81 234 5678", "+66812345678", "66812345678",
    "+66 (0)81 987 6543", "0066 81 234 5678", "０８１２３４５６７８", "๐๘๑-๒๓๔-๕๖๗๘", "081-234-\n5678",
    "081\u00a0234\u00a05678", "081\u2009234\u20095678", "081\u2013234\u20135678",
    "+95 9 250 123 456", "+959250123456", "+856 20 5512 3487", "+855 12 345 678",
])
def test_numbers_phone_in_every_form(written: str) -> None:
    assert _found(find_numbers, f"โทร {written} นะคะ") == {written: ("phone", 1.0)}


def test_numbers_phones_side_by_side_and_in_a_run() -> None:
    text = "เบอร์ 081 234 5678 2566 และ 0891234567/0612345678"
    assert set(_found(find_numbers, text)) == {"081 234 5678", "0891234567", "0612345678"}


@pytest.mark.parametrize("text", [
    "ปี 2567 ราคา 15,000 บาท อายุ 25 ปี", "in 2023 we paid 1,500,000 baht", "at 10:30 on 08/05/2567 10:30",
    "table 1 2 3 4 5 6 7 8 9 10 11 12", "0 8 1 2 3 4 5 6 7 8", "M 72.000 230.400 L 1.5 2.25 Z",
    "d=\"M72.000 230.400L81.234 567.800\"", "iVBORw0KGgo0812345678AAAA", "abc0812345678", "id-1101700230708x",
    "bus 8 and 511, 2024-05-08, 12.50 baht, 3.14159265358", "score 1.234 5678 9012",
])
def test_numbers_are_not_years_prices_times_dates_tables_or_codes(text: str) -> None:
    assert find_numbers(text) == []


def test_numbers_long_numbers_proposed_with_a_low_confidence() -> None:
    found = _found(find_numbers, "เลข 1-2345-67890-12-3 บัญชี 1234567890 โทร 081-234-567")
    assert found["1-2345-67890-12-3"] == ("id_card", 0.4)  # an ID's grouping, wrong check digit
    assert found["1234567890"] == ("phone", 0.3)
    assert found["081-234-567"][0] == "phone" and found["081-234-567"][1] < 1
    assert all(confidence < 0.9 for _, confidence in [found["1-2345-67890-12-3"], found["1234567890"]])


def test_numbers_passports() -> None:
    found = _found(find_numbers, "passport AA1234567, old one P 0197732, หนังสือเดินทาง ma 123456 "
                                 "Myanmar MB1234567 Cambodian N12345678")
    assert found["AA1234567"] == ("passport", 1.0)
    assert found["ma 123456"] == ("passport", 1.0)  # after the word, lowercase and spaced
    assert {"P 0197732", "MB1234567", "N12345678"} <= set(found)
    assert find_numbers("ISO9001, COVID19, model AB123") == []


def test_numbers_vehicle_plates() -> None:
    found = _found(find_numbers, "รถ 1กก 1234 กรุงเทพมหานคร กับ กข-1234 และทะเบียน ขค 12 license plate ABC 123")
    assert found["1กก 1234 กรุงเทพมหานคร"][0] == "plate"
    assert {"กข-1234", "ขค 12", "ABC 123"} <= set(found)
    assert find_numbers("มีคน 20 คน รถ 2 คัน ผม 30 ปี") == []


@pytest.mark.parametrize("written", [
    "nok@example.com", "nok @ gmail.com", "nok＠gmail.com", "nok (at) gmail (dot) com",
    "nok [at] mail.example", "nok at gmail dot com", "noi at work dot com", "nokแอทgmailดอทcom",
    "nok แอท hotmail ดอท co ดอท th",
])
def test_addresses_email_in_every_form(written: str) -> None:
    assert set(_found(find_emails, f"อีเมล {written} ค่ะ")) == {written}


def test_addresses_email_not_every_at() -> None:
    assert find_emails("I was at home. Meet at the hotel dot. We met at work at 5.") == []


@pytest.mark.parametrize(("text", "handle"), [
    ("แอดไลน์มาที่ noknok99 นะ", "noknok99"), ("add line @nokshop", "@nokshop"), ("LINE malai_sw", "malai_sw"),
    ("ไลน์ noknok99", "noknok99"), ("IG: nok.sabai", "nok.sabai"), ("ig @noi_99", "@noi_99"),
    ("เฟส noknok.99", "noknok.99"), ("facebook: nok.sabai.", "nok.sabai"), ("ไลน์ไอดีคือ nok_1990", "nok_1990"),
    ("my LINE id is nok_1990", "nok_1990"), ("LINE：ｍａｌａｉ＿ｓｗ", "ｍａｌａｉ＿ｓｗ"),
])
def test_addresses_social_ids(text: str, handle: str) -> None:
    assert _found(find_addresses, text)[handle][0] == "social"


def test_addresses_social_not_everyday_words() -> None:
    assert find_addresses("the line was long; I gave my LINE to Ms Kanya; and my LINE is ไอดีไลน์:") == []


def test_addresses_urls() -> None:
    text = "ดู fb.com/nok.sabai.example และ https://www.example.org/x, www.lantern.example."
    found = _found(find_addresses, text)
    assert {t for t, (kind, _) in found.items() if kind == "url"} == {
        "fb.com/nok.sabai.example", "https://www.example.org/x", "www.lantern.example"}
