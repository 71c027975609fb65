"""Figures of rights violated: overall, by group, together, and participant by participant.

The unit is the participant (one interview; translations are not counted twice) unless a caption
says otherwise. Breakdowns arrive with small counts already hidden (``analysis.report.disclosure``); a
hidden cell is never drawn as a value, only marked "<min_cell".
"""

from __future__ import annotations

import functools
from itertools import cycle

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from analysis.report.figures.style import (
    PAGE_INCHES,
    PALETTE,
    attribute_label,
    label,
    style,
    value_label,
    wrap_label,
)

CAPTION_GREY = "#555555"
UNIT_TH = "หน่วย: ผู้ให้ข้อมูล (บทสัมภาษณ์หนึ่งบท)"
UNIT_EN = "Unit: participant (one interview)."
TOGETHER = {  # unit -> (th, en) of what a cell counts
    "participant": ("ตัวเลขในช่อง: จำนวนผู้ให้ข้อมูล (บทสัมภาษณ์) ที่พบทั้งสองสิทธิ",
                    "Cell: participants (interviews) in which both rights appear"),
    "segment": ("ตัวเลขในช่อง: จำนวนช่วงข้อความ (การพูดหนึ่งครั้ง) ที่พบทั้งสองสิทธิ",
                "Cell: segments (turns) in which both rights appear"),
}
MATRIX_SHADES = LinearSegmentedColormap.from_list(  # Blues from light to dark: 0 is left white
    "sitthi_blues", mpl.colormaps["Blues"](np.linspace(0.3, 1.0, 64)))


def _styled(draw):
    """Run a figure function inside the house style, after checking ``lang``."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        label(kwargs.get("lang", "th"), "", "")
        with mpl.rc_context(style()):
            return draw(*args, **kwargs)

    return wrapper


def _name(right_id: str, text: str | None, width: int = 34, lines: int = 2) -> str:
    """``"ID label"`` in up to ``lines`` lines of about ``width`` characters, broken between words
    (Thai words found by the tokeniser); only what still does not fit is cut at a word with "…"."""
    return wrap_label(f"{right_id} {text}" if text else right_id, width, lines)


def _finish(figure: Figure, lang: str, title: tuple[str, str], caption: tuple[str, str]) -> Figure:
    """Title and grey caption (wrapped to the figure's width)."""
    figure.suptitle(label(lang, *title), fontsize=13)
    chars = int(figure.get_figwidth() * 13)
    figure.supxlabel(wrap_label(label(lang, *caption), chars, lines=12), fontsize=9, color=CAPTION_GREY)
    return figure


def _ink(rgba) -> str:
    """Black or white, whichever contrasts more with a cell of colour ``rgba`` (WCAG luminance)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return "black" if 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] > 0.179 else "white"


def _grid(figure: Figure, values: np.ndarray, *, rows: list[str], columns: list[str], cmap, norm,
          bar_label: str, edges: str, rotation: int, texts: np.ndarray | None = None,
          blank: str | None = None) -> None:
    """Cells of ``values`` (NaN: not drawn, or in colour ``blank``) with their counts written in (or
    ``texts``, where not empty), tick labels and a colour bar."""
    ax = figure.subplots()
    cells = np.ma.masked_invalid(values)
    cmap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    if blank is not None:
        cmap = cmap.with_extremes(bad=blank)
    mesh = ax.pcolormesh(cells, cmap=cmap, norm=norm, edgecolors=edges, linewidth=0.8)
    ax.set_xlim(0, values.shape[1])
    ax.set_ylim(values.shape[0], 0)  # first row on top
    ax.set_xticks(np.arange(values.shape[1]) + 0.5, columns, rotation=rotation, ha="right",
                  rotation_mode="anchor", va="center" if rotation == 90 else "top")
    ax.set_yticks(np.arange(values.shape[0]) + 0.5, rows)
    ax.tick_params(length=0, labelsize=9)
    ax.spines[:].set_visible(False)
    for (row, column), value in np.ndenumerate(values):
        text = texts[row, column] if texts is not None else "" if np.isnan(value) else f"{int(value)}"
        if not text:
            continue
        ink = _ink(mesh.cmap(mesh.norm(value))) if not np.isnan(value) and value >= norm.vmin else "#444444"
        ax.text(column + 0.5, row + 0.5, text, ha="center", va="center", fontsize=8, color=ink)
    bar = figure.colorbar(mesh, ax=ax, shrink=min(1.0, 6 / max(values.shape[0], 1)), aspect=25, pad=0.02)
    bar.set_label(bar_label, fontsize=9)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    bar.ax.tick_params(labelsize=8)


@_styled
def rights_violated(frequencies: pd.DataFrame, *, n_participants: int, lang: str = "th") -> Figure:
    """Participants affected per right, as horizontal bars labelled "n (xx%)", the largest on top.

    ``frequencies`` is ``analysis.report.aggregate.frequencies``'s table (rows with ``level == "right"``
    are drawn). A right counts for a participant when any of its codes was applied in her interview;
    the percentages are of ``n_participants``.
    """
    rights = frequencies[frequencies["level"] == "right"]
    rights = rights.iloc[::-1].sort_values("participants", kind="stable")  # ties keep codebook order
    counts = rights["participants"].astype(int).to_numpy()
    height = min(0.52 * len(rights) + 2.2, PAGE_INCHES[1])
    figure = Figure(figsize=(PAGE_INCHES[0], height), layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(rights))
    bars = ax.barh(y, counts, color=PALETTE[0], height=0.7)
    ax.bar_label(bars, [f"{n} ({n / max(n_participants, 1):.0%})" for n in counts], padding=3, fontsize=9)
    ax.set_yticks(y, [_name(r.id, label(lang, r.label_th, r.label_en), lines=3) for r in rights.itertuples()])
    ax.set_ylim(-0.6, len(rights) - 0.4)
    ax.tick_params(axis="y", labelsize=10)
    ax.set_xlim(0, max(int(counts.max()) if len(counts) else 0, 1) * 1.22)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label(lang, "ผู้ให้ข้อมูล", "participants"))
    return _finish(figure, lang, ("สิทธิที่ถูกละเมิด", "Rights violated"), (
        f"n = {n_participants} คน {UNIT_TH} สิทธิหนึ่งนับให้ผู้ให้ข้อมูลเมื่อมีรหัสใดของสิทธินั้นในบทสัมภาษณ์ของเธอ "
        "ตัวเลข: จำนวนคน (ร้อยละของผู้ให้ข้อมูลทั้งหมด)",
        f"n = {n_participants} participants. {UNIT_EN} A right counts for a participant when any of its "
        "codes was applied in her interview. Labels: participants (% of all participants)."))


BAR_GROUPS = 6  # up to this many groups: grouped bars (one colour each); more: a grid of rights × groups
BAR_INCHES = 0.09  # the thinnest bar: its "75%" (7 pt) still fits beside it
FRAME_INCHES = 2.2  # title, axis and caption around the bars
GRID_ROWS, GRID_COLUMNS = 24, 16  # rights and groups on one page of the grid


def _bar_height(groups: int) -> float:
    """Inches a right takes in the bar layout: its bars (0.86 of it) and room for a three-line label."""
    return max(0.45, groups * BAR_INCHES / 0.86)


def group_pages(rights: int, groups: int) -> list[tuple[range, range]]:
    """The pages of ``rights_by_group``: the positions of the rights and of the groups on each page.

    Up to ``BAR_GROUPS`` groups, every group on every page and as many rights as bars of at least
    ``BAR_INCHES`` allow on A4; more groups: a grid of at most ``GRID_ROWS`` rights × ``GRID_COLUMNS``
    groups per page. Pages are as even as can be (``participant_pages``)."""
    if groups <= BAR_GROUPS:
        per_page = max(1, int((PAGE_INCHES[1] - FRAME_INCHES) // _bar_height(groups)))
        return [(rows, range(groups)) for rows in participant_pages(rights, per_page)]
    return [(rows, columns) for columns in participant_pages(groups, GRID_COLUMNS)
            for rows in participant_pages(rights, GRID_ROWS)]


def _group_name(group, size, values, lang: str, width: int) -> str:
    return wrap_label(f"{value_label(values, group, lang)} (n = {size})", width)


def _group_sizes(cells: pd.DataFrame, groups: list, hidden: str) -> dict:
    """Each group's size as published (``hidden`` when it is not)."""
    sizes = cells["group_size"].dropna().groupby(level="group").first()
    return {group: int(sizes[group]) if group in sizes else hidden for group in groups}


def _marks(rows: pd.DataFrame, hidden: str) -> np.ndarray:
    """Each row's mark of a hidden count (``hidden``, or "×" for secondary suppression)."""
    if "participants_mark" not in rows:
        return np.full(len(rows), hidden, dtype=object)
    return rows["participants_mark"].fillna(hidden).replace("", hidden).to_numpy(object)


@_styled
def rights_by_group(breakdown: pd.DataFrame, *, by: str, lang: str = "th", min_cell: int = 3,
                    values: dict[str, dict[str, str]] | None = None, page: int = 1) -> Figure:
    """Share of the participants of each group affected by each right.

    ``breakdown`` is ``analysis.report.aggregate.breakdown``'s long table for attribute ``by`` (small
    counts already hidden). Up to ``BAR_GROUPS`` groups: grouped horizontal bars, a hidden cell with
    no bar, only "<min_cell" (or ×) in grey at its place. More groups: a grid of rights × groups, each
    cell shaded and labelled by its percent, hidden ones grey with their mark. A hidden group size
    shows as "n = <min_cell". ``values`` labels the groups (``Study.value_labels(by)``: value →
    {"th": …, "en": …}); a group without a label shows as it is. Many rights or groups take several
    A4 pages (``group_pages``): this is page ``page`` (from 1).
    """
    hidden = f"<{min_cell}"
    ids = list(dict.fromkeys(breakdown["id"]))
    groups = list(dict.fromkeys(breakdown["group"]))
    pages = group_pages(len(ids), len(groups))
    if not 1 <= page <= len(pages):
        raise ValueError(f"page must be between 1 and {len(pages)}, not {page!r}")
    rows, columns = pages[page - 1]
    cells = breakdown.set_index(["id", "group"])
    shown_ids, shown_groups = [ids[i] for i in rows], [groups[j] for j in columns]
    sizes = _group_sizes(cells, shown_groups, hidden)
    draw = _group_bars if len(groups) <= BAR_GROUPS else _group_grid
    attribute = attribute_label(by, lang)
    figure, marks = draw(cells, shown_ids, shown_groups, sizes, hidden=hidden, lang=lang, values=values,
                         attribute=attribute)
    of = label(lang, f" (หน้า {page}/{len(pages)})", f" (page {page} of {len(pages)})") \
        if len(pages) > 1 else ""
    secondary, unknown = "×" in marks, "–" in marks
    title = (f"สิทธิที่ถูกละเมิด แยกตาม{attribute}{of}", f"Rights violated by {attribute}{of}")
    return _finish(figure, lang, title, (
        f"{UNIT_TH} ร้อยละของผู้ให้ข้อมูลในกลุ่มที่ถูกละเมิดสิทธินั้น "
        f"{hidden}: ไม่แสดงเพื่อปกป้องผู้ให้ข้อมูล (น้อยกว่า {min_cell} คน หรือจะทำให้คำนวณจำนวนที่น้อยกว่านั้นได้)"
        + (" ×: ซ่อนไว้เพื่อไม่ให้คำนวณจำนวนที่ซ่อนอื่นได้ อาจเป็นจำนวนใดก็ได้" if secondary else "")
        + (" –: ไม่แสดงร้อยละเพราะไม่เปิดเผยขนาดกลุ่ม" if unknown else ""),
        f"{UNIT_EN} Share of the group's participants affected by the right. "
        f"{hidden}: hidden to protect participants (fewer than {min_cell}, or a number that would let a "
        "reader work such a count out)."
        + (" ×: hidden so that a hidden count cannot be worked out; it may be any number."
           if secondary else "")
        + (" –: share not shown because the group's size is hidden." if unknown else "")))


def _right_names(cells: pd.DataFrame, ids: list[str], lang: str, lines: int) -> list[str]:
    return [_name(i, label(lang, *cells.loc[i].iloc[0][["label_th", "label_en"]]), lines=lines) for i in ids]


def _group_bars(cells: pd.DataFrame, ids: list[str], groups: list, sizes: dict, *, hidden: str, lang: str,
                values, attribute: str) -> tuple[Figure, set[str]]:
    """Grouped horizontal bars, one colour per group (legend on the right); returns the marks written."""
    thick = 0.86 / max(len(groups), 1)  # each right has 1 unit of height; the rest is the gap
    per_right = _bar_height(len(groups))
    figure = Figure(figsize=(PAGE_INCHES[0], len(ids) * per_right + FRAME_INCHES), layout="constrained")
    ax = figure.subplots()
    top = np.arange(len(ids))[::-1] + 0.43  # the first right of the codebook on top
    handles, written = [], set()
    for j, (group, colour) in enumerate(zip(groups, cycle(PALETTE))):
        rows = cells.xs(group, level="group").reindex(ids)
        y = top - (j + 0.5) * thick
        suppressed = rows["suppressed"].fillna(True).to_numpy(bool)
        shares = rows["share"].to_numpy(float) * 100
        shown = ~suppressed & ~np.isnan(shares)
        bars = ax.barh(y[shown], shares[shown], height=thick * 0.92, color=colour)
        ax.bar_label(bars, [f"{s:.0f}%" for s in shares[shown]], padding=2, fontsize=7, color="#333333")
        marks = _marks(rows, hidden)
        for place, mark in [*zip(y[suppressed], marks[suppressed], strict=True),
                            *((p, "–") for p in y[~shown & ~suppressed])]:  # "–": count shown, size hidden
            ax.text(0.8, place, mark, fontsize=7, color="#666666", va="center", ha="left")
            written.add(mark)
        handles.append(Patch(color=colour, label=_group_name(group, sizes[group], values, lang, 24)))
    ax.set_yticks(np.arange(len(ids)), _right_names(cells, ids, lang, 3)[::-1], fontsize=10)
    for edge in np.arange(len(ids) - 1) + 0.5:
        ax.axhline(edge, color="#e5e5e5", linewidth=0.6)
    ax.set(ylim=(-0.55, len(ids) - 0.45), xlim=(0, 112), xticks=[0, 25, 50, 75, 100])
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(label(lang, "ร้อยละของผู้ให้ข้อมูลในกลุ่ม", "% of the participants in the group"))
    figure.legend(handles=handles, loc="outside right upper", fontsize=9, frameon=False,
                  title=attribute, title_fontsize=10,
                  alignment="left")
    return figure, written


def _group_grid(cells: pd.DataFrame, ids: list[str], groups: list, sizes: dict, *, hidden: str, lang: str,
                values, attribute: str) -> tuple[Figure, set[str]]:
    """Rights (rows) × groups (columns), each cell shaded by its percent and labelled with it; a hidden
    cell grey with its mark. Returns the marks written."""
    shares = np.full((len(ids), len(groups)), np.nan)
    texts = np.full(shares.shape, "", dtype=object)
    for j, group in enumerate(groups):
        rows = cells.xs(group, level="group").reindex(ids)
        suppressed = rows["suppressed"].fillna(True).to_numpy(bool)
        share = rows["share"].to_numpy(float) * 100
        shown = ~suppressed & ~np.isnan(share)
        shares[shown, j] = share[shown]
        texts[:, j] = np.where(shown, [f"{v:.0f}" if not np.isnan(v) else "" for v in share],
                               np.where(suppressed, _marks(rows, hidden), "–"))
    width = min(3.6 + 0.36 * len(groups) + 1.0, PAGE_INCHES[0])
    figure = Figure(figsize=(width, min(0.3 * len(ids) + 4.2, PAGE_INCHES[1])), layout="constrained")
    _grid(figure, shares, rows=_right_names(cells, ids, lang, 2),
          columns=[_group_name(g, sizes[g], values, lang, 18) for g in groups], cmap=MATRIX_SHADES,
          norm=Normalize(0, 100), edges="white", rotation=90, texts=texts, blank="#eeeeee",
          bar_label=label(lang, "ร้อยละของผู้ให้ข้อมูลในกลุ่ม", "% of the participants in the group"))
    figure.axes[0].set_xlabel(attribute)
    figure.axes[1].yaxis.set_major_formatter(PercentFormatter(100))  # the colour bar
    return figure, set(texts[np.isnan(shares)].tolist())


@_styled
def cooccurrence_heatmap(matrix: pd.DataFrame, *, labels: dict[str, str], lang: str = "th",
                         unit: str = "participant") -> Figure:
    """Rights violated together: the lower triangle (with the diagonal) of ``matrix``, counts written in.

    ``matrix`` is ``analysis.report.aggregate.cooccurrence``'s square table; ``unit`` says what it counts
    ("participant": interviews in which both rights appear; "segment": turns in which both appear).
    """
    if unit not in TOGETHER:
        raise ValueError(f"unit must be one of {tuple(TOGETHER)}, not {unit!r}")
    ids = list(matrix.index)
    values = matrix.loc[ids, ids].to_numpy(float, copy=True)
    values[np.triu_indices(len(ids), k=1)] = np.nan
    rows = [_name(i, labels.get(i), 30, 2) for i in ids]  # columns: the ids only, so the page holds it
    wide, tall = min(0.42 * len(ids), PAGE_INCHES[0] - 3.8), 0.4 * len(ids)  # rows: two lines of label
    figure = Figure(figsize=(wide + 3.8, min(tall + 1.9, PAGE_INCHES[1])), layout="constrained")
    units = label(lang, *{"participant": ("ผู้ให้ข้อมูล", "participants"),
                          "segment": ("ช่วงข้อความ", "segments")}[unit])
    top = np.nanmax(values) if len(ids) else 1
    _grid(figure, values, rows=rows, columns=ids, cmap="cividis", norm=Normalize(0, max(top, 1)),
          edges="white", bar_label=units, rotation=90)
    cell_th, cell_en = TOGETHER[unit]
    return _finish(figure, lang, ("สิทธิที่ถูกละเมิดร่วมกัน", "Rights violated together"), (
        f"{cell_th} เส้นทแยง: จำนวน{units}ที่พบสิทธินั้น ({len(ids)} สิทธิ)",
        f"{cell_en}; diagonal: {units} with that right ({len(ids)} rights)."))


A4_HEIGHT = 11.69  # inches: no figure is taller than one A4 page (3,508 pixels at 300 dpi)
PAGE_ROWS = 50  # participants on one page of the participant × right figure


def participant_pages(participants: int, rows: int = PAGE_ROWS) -> list[range]:
    """Row positions of each page of the participant × right figure: pages of at most ``rows``
    participants, as even as can be (1,801 participants: 37 pages of 48 or 49, not 36 of 50 and one of 1)."""
    pages = max(1, -(-participants // rows))
    bounds = [round(n * participants / pages) for n in range(pages + 1)]
    return [range(start, end) for start, end in zip(bounds, bounds[1:], strict=False)]


@_styled
def participant_matrix(matrix: pd.DataFrame, *, labels: dict[str, str], lang: str = "th",
                       page: int = 1, rows: int = PAGE_ROWS) -> Figure:
    """Participants (rows) × rights (columns), each cell shaded by the segments in which the right applies.

    ``matrix`` is ``report.aggregate.participant_rights``'s table; 0 (the right does not apply) is white.
    A study of more than ``rows`` participants is drawn in pages (``participant_pages``): this is page
    ``page`` (from 1), shaded on the same scale as every other page, never taller than A4.
    """
    pages = participant_pages(len(matrix), rows)
    if not 1 <= page <= len(pages):
        raise ValueError(f"page must be between 1 and {len(pages)}, not {page!r}")
    shown = matrix.iloc[pages[page - 1]]
    values = shown.to_numpy(float)
    shaded = np.where(values > 0, values, np.nan)
    columns = [_name(i, labels.get(i), 30, lines=1) for i in matrix.columns]
    height = min(0.18 * len(shown) + 4.0, A4_HEIGHT)
    figure = Figure(figsize=(0.42 * len(columns) + 2.6, height), layout="constrained")
    top = float(matrix.to_numpy().max()) if matrix.size else 1
    _grid(figure, shaded, rows=[str(i) for i in shown.index], columns=columns, cmap=MATRIX_SHADES,
          norm=Normalize(1, max(top, 2)), edges="#d9d9d9", rotation=90,
          bar_label=label(lang, "ช่วงข้อความ (ว่าง = 0)", "segments (blank = 0)"))
    figure.axes[0].set_ylabel(label(lang, "ผู้ให้ข้อมูล", "participant"), labelpad=8)
    first, last = pages[page - 1].start + 1, pages[page - 1].stop
    part = label(lang, f" หน้า {page}/{len(pages)}: คนที่ {first:,}–{last:,}",
                 f", page {page} of {len(pages)}: participants {first:,}–{last:,}") if len(pages) > 1 else ""
    return _finish(figure, lang, ("ผู้ให้ข้อมูล × สิทธิ", "Participants × rights"), (
        f"n = {len(matrix):,} คน{part} {UNIT_TH} ช่องที่มีสี: สิทธินั้นถูกละเมิด ตัวเลขและความเข้มของสี: "
        "จำนวนช่วงข้อความที่พบสิทธินั้น ช่องว่าง: ไม่พบ",
        f"n = {len(matrix):,} participants{part}. {UNIT_EN} Shaded: the right applies; number and shade: "
        "segments in which it applies; blank: not at all."))
