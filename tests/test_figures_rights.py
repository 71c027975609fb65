"""Figures of rights violated (analysis.report.figures.rights), drawn with real matplotlib."""

from __future__ import annotations

import io
import unicodedata
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

from analysis.report.figures import (
    cooccurrence_heatmap,
    figure_png,
    participant_matrix,
    rights_by_group,
    rights_violated,
    style,
)
from analysis.report.figures.rights import (
    A4_HEIGHT,
    BAR_GROUPS,
    BAR_INCHES,
    _name,
    group_pages,
    participant_pages,
)
from analysis.report.figures.style import PAGE_INCHES

RIGHTS = {"LIB": ("สิทธิในเสรีภาพและความปลอดภัยในตัวบุคคล", "Liberty and security of person"),
          "PRIV": ("สิทธิในความเป็นอยู่ส่วนตัว ชื่อเสียง และศักดิ์ศรี", "Privacy, reputation and dignity"),
          "HLTH": ("สิทธิในสุขภาพและสิทธิในเนื้อตัวร่างกาย", "Health and bodily autonomy")}
IDS = list(RIGHTS)


def _frequencies(participants=(3, 5, 1)) -> pd.DataFrame:
    rows = [(i, th, en, "right", 2 * n, n)
            for (i, (th, en)), n in zip(RIGHTS.items(), participants, strict=True)]
    rows.append(("LIB-SHEL", "ถูกกักในสถานคุ้มครอง", "Held in a shelter", "code", 9, 6))  # a code: not drawn
    table = pd.DataFrame(rows, columns=["id", "label_th", "label_en", "level", "segments", "participants"])
    return table.assign(share=table["participants"] / 6)


def _breakdown() -> pd.DataFrame:
    """Sites A (4 people), B (1: hidden) and C (3, size hidden to protect B); A's HLTH count hidden."""
    rows = []
    for i, (th, en) in RIGHTS.items():
        for group, size, count in (("A", 4, {"LIB": 3, "PRIV": 4, "HLTH": None}[i]), ("B", None, None),
                                   ("C", None, 3)):
            rows.append({"id": i, "label_th": th, "label_en": en, "group": group, "group_size": size,
                         "participants": count, "suppressed": count is None})
    table = pd.DataFrame(rows).astype({"group_size": "Int64", "participants": "Int64"})
    return table.assign(share=(table["participants"] / table["group_size"]).astype("Float64").astype(float))


def _together() -> pd.DataFrame:
    return pd.DataFrame([[5, 2, 1], [2, 3, 0], [1, 0, 1]], index=IDS, columns=IDS)


def _matrix(participants: int = 4) -> pd.DataFrame:
    values = np.arange(participants * len(IDS)).reshape(participants, len(IDS)) % 4  # zeros included
    return pd.DataFrame(values, index=[f"P{n + 1}" for n in range(participants)], columns=IDS)


def _labels(lang: str) -> dict[str, str]:
    return {i: labels[0 if lang == "th" else 1] for i, labels in RIGHTS.items()}


def _caption(figure) -> str:
    return figure.texts[-1].get_text().replace("\n", " ")


FIGURES = {
    "violated": lambda lang: rights_violated(_frequencies(), n_participants=6, lang=lang),
    "by_group": lambda lang: rights_by_group(_breakdown(), by="site", lang=lang),
    "together": lambda lang: cooccurrence_heatmap(_together(), labels=_labels(lang), lang=lang),
    "together_segments": lambda lang: cooccurrence_heatmap(_together(), labels=_labels(lang), lang=lang,
                                                           unit="segment"),
    "matrix": lambda lang: participant_matrix(_matrix(), labels=_labels(lang), lang=lang),
}


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("key", list(FIGURES))
def test_rights_figures_render_without_missing_glyphs(key, lang) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing Thai glyph would be a UserWarning
        figure = FIGURES[key](lang)
        assert figure_png(figure).startswith(b"\x89PNG")
    assert figure._suptitle.get_text() and _caption(figure)


def test_rights_violated_largest_on_top_labelled_with_count_and_share() -> None:
    figure = rights_violated(_frequencies(), n_participants=6, lang="th")
    ax = figure.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert [t.split()[0] for t in ticks] == ["HLTH", "LIB", "PRIV"]  # the code row is left out; top is last
    assert "ความเป็นอยู่ส่วนตัว" in ticks[-1]
    assert [p.get_width() for p in ax.patches] == [1, 3, 5]
    assert [t.get_text() for t in ax.texts] == ["1 (17%)", "3 (50%)", "5 (83%)"]
    assert ax.get_xlabel() == "ผู้ให้ข้อมูล" and "n = 6" in _caption(figure)
    english = rights_violated(_frequencies(), n_participants=6, lang="en")
    assert english.axes[0].get_xlabel() == "participants"
    assert "n = 6 participants" in _caption(english) and "any of its codes" in _caption(english)
    with pytest.raises(ValueError, match="lang"):
        rights_violated(_frequencies(), n_participants=6, lang="fr")


def test_rights_by_group_hidden_cells_get_no_bar_only_the_marker() -> None:
    figure = rights_by_group(_breakdown(), by="site", lang="en")
    ax = figure.axes[0]
    bars = sorted((round(p.get_y() + p.get_height() / 2, 6), p.get_width()) for p in ax.patches)
    assert [width for _, width in bars] == [100.0, 75.0]  # A's PRIV 4/4 (lower) and LIB 3/4 (top) only
    assert all(np.isfinite(width) for _, width in bars)
    markers = [t for t in ax.texts if t.get_text() == "<3"]
    assert len(markers) == 4  # B for every right, and A's HLTH
    bar_places = {y for y, _ in bars}
    assert all(round(t.get_position()[1], 6) not in bar_places for t in markers)
    assert len([t for t in ax.texts if t.get_text() == "–"]) == 3  # C: count shown, size hidden: no share
    assert {t.get_text() for t in ax.texts} >= {"75%", "100%"}
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["A (n = 4)", "B (n = <3)", "C (n = <3)"]
    assert figure._suptitle.get_text() == "Rights violated by site"
    caption = _caption(figure)
    assert "<3: hidden to protect participants (fewer than 3," in caption
    assert "Unit: participant" in caption
    assert [t.get_text().split()[0] for t in ax.get_yticklabels()] == ["HLTH", "PRIV", "LIB"]  # LIB on top
    thai = rights_by_group(_breakdown(), by="site", lang="th")
    assert "แยกตามพื้นที่" in thai._suptitle.get_text()
    assert "<3: ไม่แสดงเพื่อปกป้องผู้ให้ข้อมูล (น้อยกว่า 3 คน" in _caption(thai)


def test_rights_by_group_min_cell_in_marker_and_caption() -> None:
    figure = rights_by_group(_breakdown(), by="nationality", lang="en", min_cell=5)
    assert "<5" in {t.get_text() for t in figure.axes[0].texts} and "(fewer than 5," in _caption(figure)


def test_rights_cooccurrence_heatmap_writes_the_lower_triangle() -> None:
    figure = cooccurrence_heatmap(_together(), labels=_labels("th"), lang="th")
    ax = figure.axes[0]
    written = {(int(t.get_position()[1]), int(t.get_position()[0])): t for t in ax.texts}
    assert {cell: t.get_text() for cell, t in written.items()} == {
        (0, 0): "5", (1, 0): "2", (1, 1): "3", (2, 0): "1", (2, 1): "0", (2, 2): "1"}  # no upper triangle
    assert written[(0, 0)].get_color() == "black" and written[(2, 1)].get_color() == "white"  # light / dark
    assert ax.collections[0].get_cmap().name == "cividis"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert rows[0].startswith("LIB สิทธิในเสรีภาพ") and columns[2] == "HLTH"  # columns: ids, to fit A4
    assert "ผู้ให้ข้อมูล (บทสัมภาษณ์)" in _caption(figure)
    english = cooccurrence_heatmap(_together(), labels=_labels("en"), lang="en", unit="segment")
    assert "segments (turns) in which both rights appear" in _caption(english)
    with pytest.raises(ValueError, match="unit"):
        cooccurrence_heatmap(_together(), labels=_labels("en"), unit="sentence")


def test_rights_participant_matrix_shades_applied_cells_with_a_colour_bar() -> None:
    matrix = _matrix()
    figure = participant_matrix(matrix, labels=_labels("en"), lang="en")
    ax, bar = figure.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P2", "P3", "P4"]
    assert [t.get_text().split()[0] for t in ax.get_xticklabels()] == IDS
    shaded = ax.collections[0].get_array()
    assert np.array_equal(shaded.mask.reshape(matrix.shape), matrix.to_numpy() == 0)  # 0: left white
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(v) for v in matrix.to_numpy().ravel() if v)
    assert "segments" in bar.get_ylabel()
    assert "n = 4 participants" in _caption(figure)
    assert "n = 4 คน" in _caption(participant_matrix(matrix, labels=_labels("th"), lang="th"))


def test_rights_figures_grow_with_their_rows() -> None:
    many = pd.concat([_frequencies().assign(id=lambda f, n=n: f["id"] + str(n)) for n in range(6)])
    assert (rights_violated(many, n_participants=6).get_figheight()
            > rights_violated(_frequencies(), n_participants=6).get_figheight() + 5)
    assert (participant_matrix(_matrix(40), labels={}).get_figheight()
            > participant_matrix(_matrix(4), labels={}).get_figheight() + 5)


def test_rights_participant_pages_are_even_and_never_longer_than_the_page() -> None:
    assert participant_pages(0) == [range(0, 0)] and participant_pages(50) == [range(0, 50)]
    pages = participant_pages(1801)
    assert len(pages) == 37 and {len(p) for p in pages} <= {48, 49}
    assert [i for page in pages for i in page] == list(range(1801))  # every participant once, in order


def test_rights_participant_matrix_in_pages_fits_one_a4_page() -> None:
    from PIL import Image

    matrix = _matrix(120)
    matrix.iloc[0, 0] = 9  # the darkest cell is on page 1: page 3 is shaded on the same scale
    figure = participant_matrix(matrix, labels=_labels("th"), lang="th", page=3)
    ax = figure.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [f"P{n}" for n in range(81, 121)]  # 120 participants: 3 pages of 40
    assert ax.collections[0].norm.vmax == 9
    assert "หน้า 3/3: คนที่ 81–120" in _caption(figure) and "n = 120 คน" in _caption(figure)
    english = participant_matrix(matrix, labels=_labels("en"), lang="en", page=1)
    assert "n = 120 participants, page 1 of 3: participants 1–40." in _caption(english)
    with io.BytesIO() as buffer, mpl.rc_context(style()):
        participant_matrix(_matrix(50), labels=_labels("th"), lang="th").savefig(buffer, format="png")
        height = Image.open(buffer).height
    assert height <= round(A4_HEIGHT * 300)  # one A4 page at 300 dpi, far below Pillow's pixel limit
    with pytest.raises(ValueError, match="page must be between 1 and 3"):
        participant_matrix(matrix, labels={}, page=4)


def test_rights_labels_wrap_between_thai_words_and_keep_marks() -> None:
    long = "เสรีภาพจากการถูกทรมานและการปฏิบัติที่โหดร้าย ไร้มนุษยธรรม หรือย่ำยีศักดิ์ศรี"
    lines = _name("CIDT", long, 30).split("\n")
    assert len(lines) == 2 and lines[0].startswith("CIDT ") and lines[1].endswith("…")
    assert all(unicodedata.category(line[0]) != "Mn" for line in lines)  # no line starts with a tone mark
    assert "".join(lines).replace(" ", "").rstrip("…") in ("CIDT" + long).replace(" ", "")
    assert _name("FAM", "Family life") == "FAM Family life" and _name("X", None) == "X"


def test_rights_by_group_legend_uses_value_labels_of_the_language() -> None:
    values = {"A": {"th": "เชียงใหม่", "en": "Chiang Mai"}, "B": {"en": "Bangkok"}}
    legends = {lang: [t.get_text() for t in rights_by_group(_breakdown(), by="site", lang=lang,
                                                             values=values).legends[0].get_texts()]
               for lang in ("th", "en")}
    assert legends["th"] == ["เชียงใหม่ (n = 4)", "B (n = <3)", "C (n = <3)"]  # no Thai label: as it is
    assert legends["en"] == ["Chiang Mai (n = 4)", "Bangkok (n = <3)", "C (n = <3)"]


def test_rights_labels_shorten_only_on_word_boundaries() -> None:
    from analysis.report.figures import shorten, wrap_label

    assert shorten("Freedom of movement and protection from arbitrary expulsion", 30) \
        == "Freedom of movement and…"
    assert shorten("NDIS-PROFILE", 8) == "NDIS-PR…"  # one word longer than the room: cut between letters
    thai = "สิทธิในมาตรฐานการครองชีพที่เพียงพอและหลักประกันทางสังคม"
    short = shorten(thai, 20)
    assert short.endswith("…") and thai.startswith(short[:-1]) and short[:-1] in wrap_label(thai, 20, 9)
    wrapped = wrap_label("LIVE " + thai, 20, lines=4).split("\n")
    assert "".join(wrapped).replace(" ", "") == ("LIVE" + thai) and len(wrapped) > 1  # fits: nothing cut
    assert wrap_label("HLTH Health and bodily autonomy", 12).split("\n") == ["HLTH Health", "and bodily…"]
    assert wrap_label("(A B) C", 3) == "(A\nB)…"  # never a line starting with ")" or ending with "("


def _many_groups(groups: int, rights: int) -> pd.DataFrame:
    """A breakdown of ``groups`` sites × ``rights`` rights: counts 0..size, those from 1 to 2 hidden ("<3"),
    every fifth cell hidden by secondary suppression ("×")."""
    rows = []
    for r in range(rights):
        for g in range(groups):
            size = 3 + (g * 7) % 9
            count = (r * 5 + g * 3) % (size + 1)
            mark = "×" if (r + g) % 5 == 0 else "<3" if 0 < count < 3 else ""
            rows.append({"id": f"R{r:02d}", "label_th": "สิทธิในเสรีภาพและความปลอดภัยในตัวบุคคล",
                         "label_en": "Liberty and security of person", "group": f"S{g:02d}",
                         "group_size": size,
                         "participants": np.nan if mark else count, "share": np.nan if mark else count / size,
                         "suppressed": bool(mark), "participants_mark": mark})
    return pd.DataFrame(rows)


def _png_inches(figure) -> tuple[float, float]:
    """The saved size of ``figure`` in inches (after its layout)."""
    from PIL import Image

    with io.BytesIO() as buffer, mpl.rc_context(style()):
        figure.savefig(buffer, format="png", dpi=50)
        image = Image.open(buffer)
        return image.width / 50, image.height / 50


@pytest.mark.parametrize("lang", ["th", "en"])
def test_rights_by_group_many_groups_as_a_grid_on_a4(lang) -> None:
    breakdown = _many_groups(15, 16)
    pages = group_pages(16, 15)
    assert pages == [(range(16), range(15))]  # 15 groups × 16 rights: one page of the grid
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no missing glyph
        figure = rights_by_group(breakdown, by="site", lang=lang)
        width, height = _png_inches(figure)
    assert width <= PAGE_INCHES[0] + 0.01 and height <= PAGE_INCHES[1] + 0.01
    ax = figure.axes[0]
    assert not ax.patches  # no bars: 15 colours could not be told apart
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert len(columns) == 15 and columns[0] == "S00 (n = 3)" and columns[1] == "S01 (n = 10)"
    assert len(ax.get_yticklabels()) == 16
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 15 * 16 and {"<3", "×"} <= set(texts)  # every cell: its percent or its mark
    cells = breakdown.set_index(["id", "group"])
    assert texts[1] == f"{100 * cells.loc[('R00', 'S01'), 'share']:.0f}"  # row by row, as drawn
    assert all(t.get_fontsize() >= 7 for t in [*ax.texts, *ax.get_yticklabels(), *ax.get_xticklabels()])
    assert ("×: hidden so that" in _caption(figure)) == (lang == "en")


def test_rights_by_group_many_rights_and_groups_in_pages_that_fit_a4() -> None:
    breakdown = _many_groups(30, 40)  # more than a grid page holds either way
    pages = group_pages(40, 30)
    assert len(pages) == 4 and {len(rows) for rows, _ in pages} == {20}
    assert {len(columns) for _, columns in pages} == {15}
    seen = {(r, c) for rows, columns in pages for r in rows for c in columns}
    assert seen == {(r, c) for r in range(40) for c in range(30)}  # every cell on exactly one page
    last = rights_by_group(breakdown, by="site", lang="en", page=4)
    assert _png_inches(last)[1] <= PAGE_INCHES[1] + 0.01
    assert last._suptitle.get_text() == "Rights violated by site (page 4 of 4)"
    assert [t.get_text().split()[0] for t in last.axes[0].get_xticklabels()][:1] == ["S15"]
    with pytest.raises(ValueError, match="page must be between 1 and 4"):
        rights_by_group(breakdown, by="site", page=5)


def test_rights_by_group_bars_keep_their_thickness_and_go_to_pages() -> None:
    breakdown = _many_groups(BAR_GROUPS, 16)
    pages = group_pages(16, BAR_GROUPS)
    assert len(pages) == 2 and all(columns == range(BAR_GROUPS) for _, columns in pages)
    for page in (1, 2):
        figure = rights_by_group(breakdown, by="site", lang="th", page=page)
        assert _png_inches(figure)[1] <= PAGE_INCHES[1] + 0.01
        ax = figure.axes[0]
        inches_per_unit = ax.get_window_extent().height / figure.dpi / np.ptp(ax.get_ylim())
        assert min(p.get_height() for p in ax.patches) * inches_per_unit >= BAR_INCHES * 0.9
        assert len(figure.legends[0].get_texts()) == BAR_GROUPS
    assert len(group_pages(16, 5)) == 1  # the demo's five sites × 16 rights: still one page
