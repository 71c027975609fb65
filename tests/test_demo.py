"""The fictional demo corpus is what the foundation issue promises: varied, valid and safe."""

import re
from collections import Counter

import pytest

from analysis.text.corpus import read_corpus
from analysis.text.script import language_of


@pytest.fixture(scope="module")
def corpus(demo_study):
    corpus = read_corpus(demo_study)
    assert corpus.problems == []
    return corpus


def test_demo_size_and_languages(corpus) -> None:
    languages = Counter(t.language for t in corpus)
    assert len(corpus) >= 20
    assert languages["th"] >= 8 and languages["en"] >= 6 and languages["mixed"] >= 3


def test_demo_sites_groups_and_fiction(corpus) -> None:
    assert len({t.attributes["site"] for t in corpus}) >= 4
    assert {t.attributes["group"] for t in corpus} == {"thai", "migrant"}
    assert all(t.fictional for t in corpus)


def test_demo_transcript_sizes(corpus) -> None:
    for transcript in corpus:
        assert 1500 <= len(transcript.body) <= 6000, transcript.id
        assert 15 <= len(transcript.turns) <= 60, transcript.id


def test_demo_declared_language_matches_the_script(corpus) -> None:
    for transcript in corpus:
        assert language_of(transcript.body) == transcript.language, transcript.id


def test_demo_translations_have_the_same_turns(corpus) -> None:
    translations = [t for t in corpus if t.translation_of]
    assert len(translations) >= 4
    for translation in translations:
        original = corpus.get(translation.translation_of)
        assert original.language == "th" and translation.language == "en"
        assert [p.speaker for p in translation.turns] == [p.speaker for p in original.turns]
        for key in ("site", "group", "nationality", "age_band"):
            assert translation.attributes[key] == original.attributes[key]


def test_demo_holds_no_identifiers(corpus) -> None:
    for transcript in corpus:
        digits = re.sub(r"[\s\-]", "", transcript.body)
        assert not re.search(r"[0-9๐-๙]{6,}", digits), transcript.id
        assert not re.search(r"\S+@\S+\.\w+|https?://|www\.", transcript.body), transcript.id


def test_demo_codings_three_coders_valid_with_honest_disagreement(demo_study, corpus) -> None:
    from analysis.agreement.study import study_agreement
    from analysis.coding.status import study_codings

    table, problems = study_codings(demo_study)
    assert problems == [] and set(table["status"]) == {"ok"}
    transcripts = table.groupby("coder_id")["transcript_id"].nunique()
    assert transcripts["nok"] == transcripts["mai"] == len(corpus) and 4 <= transcripts["fon"] < len(corpus)
    alpha = study_agreement(demo_study, samples=50).table.set_index("id")["alpha"].dropna()
    assert 0.6 < alpha["(pooled)"] < 0.9  # moderate overall ...
    assert (alpha >= 0.8).sum() >= 10 and (alpha < 0.667).sum() >= 10  # some agreed well, some poorly
