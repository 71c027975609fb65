"""Names and places with recall first: titles, ranks, kin terms, naming phrases, districts, guesses."""

import pytest

from analysis.privacy.candidates import guesses
from analysis.privacy.pii import Hit, find_identifiers, numbers_and_addresses, surest_first


def _found(text: str, **options) -> dict[str, tuple[str, float]]:
    return {h.text: (h.kind, h.confidence) for h in find_identifiers(text, **options)}


@pytest.mark.parametrize(("text", "name"), [
    ("Officer Somchai took my phone", "Somchai"),
    ("then Sgt. Boonmee came", "Boonmee"),
    ("Captain Anan and", "Anan"),
    ("Capt. Wichai said", "Wichai"),
    ("Pol. Col. Prasert Wongdee signed", "Prasert Wongdee"),
    ("Pol. Lt. Col. Surachai was there", "Surachai"),
    ("Pol. Maj. Gen. Thawatchai ordered it", "Thawatchai"),
    ("Lt. Kittipong asked", "Kittipong"),
    ("Dr. Malee at the clinic", "Malee"),
    ("Khun Noi helped", "Noi"),
    ("Auntie Pim cooked", "Pim"),
    ("Aunty Lamai cooked", "Lamai"),
    ("Uncle Somsak drove", "Somsak"),
    ("Mama Daeng runs the bar", "Daeng"),
    ("the Mamasan Oy kept passports", "Oy"),
    ("Papa-san Chai paid", "Chai"),
    ("Boss Lek said no", "Lek"),
    ("Madam Kanya came", "Kanya"),
    ("Sister Nuch prayed", "Nuch"),
])
def test_privacy_names_english_titles_and_ranks(text: str, name: str) -> None:
    assert _found(text)[name] == ("name", 1.0)


@pytest.mark.parametrize(("text", "name"), [
    ("hi my name is noi, i work in the bar", "noi"),
    ("u can call me lek ok", "lek"),
    ("i am ploy and i come from the north", "ploy"),
])
def test_privacy_names_lowercase_after_naming_phrases(text: str, name: str) -> None:
    kind, confidence = _found(text, high_recall=False)[name]
    assert kind == "name" and confidence >= 0.9


def test_privacy_names_lowercase_dictionary_words_are_not_names() -> None:
    found = _found("i am tired and i am happy, call me later", high_recall=False)
    assert not {"tired", "happy", "later"} & set(found)


@pytest.mark.parametrize(("text", "name"), [
    ("คุณป้าสมศรีให้ข้าว", "สมศรี"),
    ("พี่สาวมาลัยมารับ", "มาลัย"),
    ("ไปหาน้าบุญมาที่บ้าน", "บุญมา"),
    ("เจ๊หน่อยเป็นคนจ่ายเงิน", "หน่อย"),
    ("เสี่ยวิชัยเป็นเจ้าของร้าน", "วิชัย"),
    ("แม่เล้าจันทร์เก็บบัตรไว้", "จันทร์"),
    ("ป๋าสมชายมาทุกคืน", "สมชาย"),
    ("ร.ต.อ.ประเสริฐ เป็นคนจับ", "ประเสริฐ"),
    ("ด.ต.สมบัติ ยึดโทรศัพท์", "สมบัติ"),
    ("จ่าสิบตำรวจวีระพงษ์ มาค้น", "วีระพงษ์"),
    ("สารวัตรธนาธิป สั่งให้ปิดร้าน", "ธนาธิป"),
    ("ผู้หมวดกิตติ ถามเยอะมาก", "กิตติ"),
    ("ผู้กองอนันต์ ไม่ยอมให้โทร", "อนันต์"),
    ("ชื่อจริงของหนูคือสุภาพร ค่ะ", "สุภาพร"),
    ("ชื่อเล่นว่าแพรวค่ะ", "แพรว"),
    ("หนูชื่อเกศินีค่ะ", "เกศินี"),
])
def test_privacy_names_thai_compound_titles_ranks_and_phrases(text: str, name: str) -> None:
    kind, confidence = _found(text)[name]
    assert kind == "name" and confidence >= 0.6


def test_privacy_names_eye_and_food_are_not_titles() -> None:
    found = _found("ตาบวมมาก ไม่ได้กินอาหารเลย ตายแน่ๆ", high_recall=False)
    assert found == {}


@pytest.mark.parametrize(("text", "place"), [
    ("บ้านอยู่อำเภอสันทราย", "สันทราย"),
    ("ย้ายไปอ.ฝาง ปีที่แล้ว", "ฝาง"),
    ("อยู่ตำบล หนองจ๊อม", "หนองจ๊อม"),
    ("ห้องเช่าแถวเขตบางรัก", "บางรัก"),
    ("ทำงานแขวงสีลม", "สีลม"),
    ("she lives in Sai Noi district", "Sai Noi"),
    ("we moved to Amphoe San Sai", "San Sai"),
    ("Tambon Nong Chom is near", "Nong Chom"),
])
def test_privacy_places_districts_after_markers(text: str, place: str) -> None:
    assert _found(text)[place] == ("place", 1.0)


def test_privacy_places_unlisted_name_after_marker_and_bare_district() -> None:
    found = _found("บ้านอยู่ตำบลบ้านโคกกระเจียว แล้วก็ไปทำงานที่บางพลี")
    assert found["บ้านโคกกระเจียว"][0] == "place"
    assert found["บางพลี"] == ("place", 0.7)


def test_privacy_candidates_unknown_words_capitals_and_after_titles() -> None:
    text = "วันนั้นปุ๊กกี้มาหา แล้วหมอเก๋ก็บอกว่า Then Wanchalerm came to see me."
    found = _found(text)
    assert found["ปุ๊กกี้"][0] == "name" and 0.3 <= found["ปุ๊กกี้"][1] <= 0.5
    assert found["เก๋"][0] == "name" and found["เก๋"][1] >= 0.6
    assert found["Wanchalerm"] == ("name", 0.4)
    assert "Then" not in found


def test_privacy_candidates_never_pseudonyms_nor_guard() -> None:
    text = "[NAME-01] บอกว่า [PHONE] ของ [PLACE-02] Zorblat อยู่ที่ [NAME-03]"
    assert [h.text for h in guesses(text, {})] == [] or all("[" not in h.text for h in guesses(text, {}))
    found = _found(text)
    assert set(found) == {"Zorblat"}
    assert numbers_and_addresses("Zorblat ปุ๊กกี้ call 0812345678") == [
        h for h in numbers_and_addresses("Zorblat ปุ๊กกี้ call 0812345678") if h.kind == "phone"]


def test_privacy_candidates_confident_hit_beats_a_longer_guess() -> None:
    sure, guess = Hit(3, 6, "abc", "name"), Hit(0, 10, "0123456789", "name", 0.4)
    assert surest_first([guess, sure]) == [sure]


def test_privacy_candidates_off_keeps_only_confident() -> None:
    found = find_identifiers("วันนั้นปุ๊กกี้มาหา Wanchalerm came", high_recall=False)
    assert all(h.confidence >= 0.9 for h in found)


@pytest.mark.parametrize(("text", "name"), [
    ("---\nid: X-01\nlanguage: en\ninterviewer: Jane Porter\n---\n\nI: hello\n", "Jane Porter"),
    ("---\nid: X-01\nlanguage: th\ntranslator: สุภาพร แก้วมณี\n---\n\nI: สวัสดี\n", "สุภาพร แก้วมณี"),
    ("---\nid: X-01\nlanguage: th\ntranslator: มิ้นท์ อ่องซาน\n---\n\nI: สวัสดี\n", "มิ้นท์ อ่องซาน"),
    ("---\nid: X-01\nlanguage: th\nparticipant_name: ใหม่\n---\n\nI: สวัสดี\n", "ใหม่"),
])
def test_privacy_names_front_matter_values_are_names(text: str, name: str) -> None:
    assert _found(text)[name] == ("name", 0.9)


def test_privacy_names_front_matter_categories_and_words_are_not_names() -> None:
    text = ("---\nid: X-01\nlanguage: th\nsite: ตาก\ngroup: migrant\nnationality: Lao\ntranslator: none\n"
            "notes: สัมภาษณ์ที่ร้านกาแฟ\n---\n\nI: สวัสดี\n")
    found = _found(text)
    assert found["ตาก"] == ("place", 0.9)
    assert not {"migrant", "Lao", "none", "สัมภาษณ์ที่ร้านกาแฟ", "X-01"} & set(found)


@pytest.mark.parametrize(("text", "name"), [
    ("ชื่อจริงของหนูคือ ปัณณพร ศรีวงศ์ อายุ 26", "ปัณณพร ศรีวงศ์"),
    ("ชื่อจริงคือ ธิดารัตน์ มีสุข อายุ 31", "ธิดารัตน์ มีสุข"),
    ("the boss is Khun Prasert Wongsawat now", "Prasert Wongsawat"),
])
def test_privacy_names_given_and_family_name_are_one_hit(text: str, name: str) -> None:
    assert _found(text)[name][0] == "name"


def test_privacy_names_family_extension_stops_at_ordinary_words() -> None:
    found = _found("ด.ต.สมบัติ ยึดโทรศัพท์ แล้วผู้หมวดธนากร บอกว่า")
    assert found["สมบัติ"] == ("name", 1.0) and found["ธนากร"] == ("name", 1.0)


@pytest.mark.parametrize(("text", "name"), [
    ("เขาเลยจดชื่อหนูว่า เอ่ เอ่ มอ แล้วปล่อยไป", "เอ่ เอ่ มอ"),
    ("my auntie is Mama Aye Aye Maw from Shan State", "Aye Aye Maw"),
    ("we call her Khun Hla Hla", "Hla Hla"),
    ("my name is Nang Kham", "Nang Kham"),
])
def test_privacy_names_spaced_burmese_names(text: str, name: str) -> None:
    assert _found(text)[name][0] == "name"


@pytest.mark.parametrize(("text", "name"), [
    ("พี่นกจากRainbow Sistersโทรมา", "นก"),
    ("แล้วส่งต่อให้พี่สาวหน่อยแก้ว ที่โรงแรม", "หน่อยแก้ว"),
    ("น้องฝนมาด้วย", "ฝน"),
])
def test_privacy_candidates_dictionary_word_after_kin_term_is_a_guess(text: str, name: str) -> None:
    kind, confidence = _found(text)[name]
    assert kind == "name" and confidence >= 0.3


def test_privacy_candidates_frequent_verbs_after_kin_terms_are_not_guessed() -> None:
    assert not {"ทำงาน", "รู้สึก", "ว่า", "ก็"} & set(_found("พี่ทำงานที่นี่ น้องรู้สึกดี พี่ว่าไง น้องก็ไป"))


def test_privacy_candidates_thai_name_with_english_possessive_and_who_is() -> None:
    text = "my friend ฝน's is here\n\nI: ฝนเป็นใครคะ\n\nR: วันนั้นฝนตกหนัก หน้าฝน"
    spans = [(h.start, h.text) for h in find_identifiers(text) if h.text == "ฝน"]
    assert [start for start, _ in spans] == [text.index("ฝน's"), text.index("ฝนเป็น")]


def test_privacy_names_guess_confirmed_by_a_title_spreads_with_its_confidence() -> None:
    text = "ฝนเป็นใครคะ\n\nR: เพื่อนค่ะ เจ๊ฝนเป็นคนดี ฝนก็ช่วย แต่ฝนตกหนัก"
    found = {h.start: h.confidence for h in find_identifiers(text) if h.text == "ฝน"}
    assert found == {0: 1.0, text.index("ฝนเป็นคน"): 1.0, text.index("ฝนก็"): 1.0}


@pytest.mark.parametrize(("text", "confidence"), [
    ("ตำรวจเรียกรถตู้ทะเบียน ฮต 8812 ตาก ที่หนูนั่งมา", 1.0),
    ("พาหนูมาจังหวัดตาก แล้ว", 1.0),
    ("ตอนนั้นอยู่ตาก สองปี", 0.3),
])
def test_privacy_places_ambiguous_provinces(text: str, confidence: float) -> None:
    covering = [h for h in find_identifiers(text) if "ตาก" in h.text]
    assert covering and max(h.confidence for h in covering) == confidence


def test_privacy_places_ambiguous_province_inside_a_word_is_no_place() -> None:
    assert not [h for h in find_identifiers("แม่ไปตากผ้าที่ตลาด ดีเลย") if h.kind == "place"]


def test_privacy_places_kept_places_in_both_languages() -> None:
    found = _found("ย้ายมาแม่สายแล้วก็อยู่ Mae Sai ต่อ", keep_places=("Mae Sai",))
    assert "แม่สาย" not in found and "Mae Sai" not in found
