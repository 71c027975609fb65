"""Disclosure control for tables broken down by attribute: small counts hidden, and never recoverable.

A count from 1 to ``min_cell - 1`` could single out a person. The breakdowns of one attribute
(rights and codes, participants and segments, per group) are protected together:

1. **groups**: a group smaller than ``min_cell`` is merged into :data:`OTHER`; when "other" would
   itself be smaller than ``min_cell``, the smallest remaining group joins it; with fewer than two
   groups left the attribute is not broken down at all. So every group size is published and no
   column describes fewer than ``min_cell`` people.
2. **primary suppression**: a count from 1 to ``min_cell - 1`` is written ``<min_cell``.
3. **secondary suppression**: more cells are hidden, written :data:`SECONDARY` ("×": hidden so that a
   hidden count cannot be worked out; it may be any number), until :func:`audit` finds every hidden
   cell safe. Row by row first (closed form), then wherever the linear program still narrows a cell
   (through the rights-codes hierarchy or segments-participants links).

What a reader knows (:class:`Tables`) and when a hidden cell is safe is defined in :func:`audit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_array

OTHER = "อื่นๆ / other"
SECONDARY = "×"
LEVELS = ("right", "code")
MEASURES = ("participants", "segments")
KEYS = tuple((level, measure) for level in LEVELS for measure in MEASURES)
NOTE = {
    "th": "{p}: น้อยกว่า {m} คน (1 ถึง {top}) ไม่แสดงเพื่อไม่ให้ระบุตัวบุคคลได้ "
          "×: ซ่อนไว้เพื่อไม่ให้คำนวณจำนวนที่ซ่อนอื่นได้ อาจเป็นจำนวนใดก็ได้",
    "en": "{p}: fewer than {m} (1 to {top}), hidden so that no one can be singled out. "
          "×: hidden so that a hidden count cannot be worked out; it may be any number",
}
OTHER_NOTE = {
    "th": "อื่นๆ / other: ผู้ให้ข้อมูลของกลุ่มที่มีน้อยกว่า {m} คน รวมกัน (และกลุ่มที่เล็กที่สุดถัดไป "
          "หากรวมแล้วยังน้อยกว่า {m} คน)",
    "en": "อื่นๆ / other: the participants of groups with fewer than {m} people, put together (with the "
          "next smallest group when they are still fewer than {m})",
}


def primary_mark(min_cell: int) -> str:
    """How a small count is written: ``<min_cell`` (with ``min_cell == 2`` that would say "1": ×)."""
    return f"<{min_cell}" if min_cell >= 3 else SECONDARY


def note(min_cell: int, merged: bool) -> dict[str, str]:
    """The footnote of a breakdown in th and en: what ``<min_cell``, × (and "other") mean."""
    parts = {lang: text.format(p=primary_mark(min_cell), m=min_cell, top=min_cell - 1)
             for lang, text in NOTE.items()}
    if merged:
        parts = {lang: f"{parts[lang]}. {OTHER_NOTE[lang].format(m=min_cell)}" for lang in parts}
    return parts


def merge_small_groups(group_of: pd.Series, min_cell: int) -> pd.Series:
    """Each participant's group, small groups merged into :data:`OTHER` (see the module's rule 1).

    Empty when fewer than two groups are left (the attribute cannot be broken down safely).
    """
    sizes = group_of.value_counts()
    merged = set(sizes.index[sizes < min_cell])
    rest = sizes[sizes >= min_cell].sort_values(kind="stable")
    while merged and sizes[list(merged)].sum() < min_cell and len(rest):
        merged.add(rest.index[0])
        rest = rest.iloc[1:]
    out = group_of.where(~group_of.isin(merged), OTHER)
    return out if out.nunique() >= 2 else out.iloc[0:0]


@dataclass
class Tables:
    """The breakdowns of one attribute, as far as a reader of the report can see them.

    ``values`` and ``marks`` per ``(level, measure)`` are ids × groups frames: a mark of ``""`` means
    the value is shown, ``<min_cell`` or ``×`` that it is hidden (its value is then ignored). ``sizes``
    are the (published) group sizes, ``totals`` the published overall count of every id (the rights
    and codes tables), ``family`` maps each right to its codes (rows of the codes table).
    """

    values: dict[tuple[str, str], pd.DataFrame]
    marks: dict[tuple[str, str], pd.DataFrame]
    sizes: pd.Series
    totals: dict[tuple[str, str], pd.Series]
    family: dict[str, list[str]]
    min_cell: int

    @classmethod
    def from_long(cls, tables: dict[str, pd.DataFrame], totals: pd.DataFrame, family: dict[str, list[str]],
                  min_cell: int) -> Tables:
        """From published long tables by level (``hidden_as_text`` output: counts or marks as text)
        and the overall ``frequencies`` table."""
        values, marks = {}, {}
        for (level, measure) in KEYS:
            wide = tables[level].pivot(index="id", columns="group", values=measure)
            wide = wide.reindex(index=list(dict.fromkeys(tables[level]["id"])),
                                columns=list(dict.fromkeys(tables[level]["group"])))
            text = wide.astype(str)
            hidden = text.map(lambda v: v.startswith("<") or v == SECONDARY)
            marks[(level, measure)] = text.where(hidden, "")
            values[(level, measure)] = wide.where(~hidden, 0).astype(int)
        sizes = tables["right"].drop_duplicates("group").set_index("group")["group_size"].astype(int)
        overall = {(level, measure): totals[totals["level"] == level].set_index("id")[measure].astype(int)
                   for level, measure in KEYS}
        return cls(values, marks, sizes, overall, family, min_cell)


def _bounds(tables: Tables, key: tuple[str, str], group: str, mark: str) -> tuple[float, float | None]:
    """What a mark tells the reader about a hidden cell."""
    if mark.startswith("<"):
        return 1, tables.min_cell - 1
    return 0, float(tables.sizes[group]) if key[1] == "participants" else None


class _System:
    """The linear system a reader can write from :class:`Tables`: hidden cells are the variables."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.cells: list[tuple[tuple[str, str], str, str]] = []
        self.index: dict[tuple[tuple[str, str], str, str], int] = {}
        self.limits: list[tuple[float, float | None]] = []
        for key, marks in tables.marks.items():
            for (i, group), mark in marks.stack().items():
                if mark:
                    self.index[(key, i, group)] = len(self.cells)
                    self.cells.append((key, i, group))
                    self.limits.append(_bounds(tables, key, group, mark))
        self.equal: list[tuple[dict[int, float], float]] = []  # sum(coef * x) == bound
        self.below: list[tuple[dict[int, float], float]] = []  # sum(coef * x) <= bound
        self._rows()
        self._links()

    def _add(self, target: list, terms: list[tuple[tuple[str, str], str, str, float]], bound: float) -> None:
        """``sum(coef * cell) (==, <=) bound``; shown cells move to the right-hand side."""
        coefs: dict[int, float] = {}
        for key, i, group, coef in terms:
            if (key, i, group) in self.index:
                var = self.index[(key, i, group)]
                coefs[var] = coefs.get(var, 0.0) + coef
            else:
                bound -= coef * float(self.tables.values[key].loc[i, group])
        if coefs:
            target.append((coefs, bound))

    def _rows(self) -> None:
        """Each row adds up to the published overall count of its id."""
        for key, marks in self.tables.marks.items():
            for i in marks.index[(marks != "").any(axis=1)]:
                total = float(self.tables.totals[key][i])
                self._add(self.equal, [(key, i, g, 1.0) for g in marks.columns], total)

    def _links(self) -> None:
        """participants <= segments; a right's count is at least each code's and at most their sum."""
        t = self.tables
        for level in LEVELS:
            marks = t.marks[(level, "participants")]
            for i in marks.index:
                for g in marks.columns:
                    pair = [((level, "participants"), i, g, 1.0), ((level, "segments"), i, g, -1.0)]
                    self._add(self.below, pair, 0.0)
        codes = t.marks[("code", "participants")].index
        for right in t.marks[("right", "participants")].index:
            children = [c for c in t.family.get(right, []) if c in codes]
            if not children:
                continue
            for measure in MEASURES:
                for g in t.marks[("right", measure)].columns:
                    whole = (("right", measure), right, g)
                    for child in children:
                        self._add(self.below, [(("code", measure), child, g, 1.0), (*whole, -1.0)], 0.0)
                    parts = [(("code", measure), c, g, -1.0) for c in children]
                    self._add(self.below, [(*whole, 1.0), *parts], 0.0)

    def _matrix(self, rows: list[tuple[dict[int, float], float]]):
        if not rows:
            return None, None
        data = [(r, var, coef) for r, (coefs, _) in enumerate(rows) for var, coef in coefs.items()]
        r, c, v = zip(*data, strict=True)
        return (csr_array((v, (r, c)), shape=(len(rows), len(self.cells))),
                np.array([bound for _, bound in rows]))

    def _solve(self, objective: np.ndarray) -> np.ndarray | None:
        """A feasible point minimising ``objective`` (None when the system has no solution)."""
        result = linprog(objective, A_ub=self._ub[0], b_ub=self._ub[1], A_eq=self._eq[0], b_eq=self._eq[1],
                         bounds=self.limits, method="highs")
        return result.x if result.status == 0 else None

    def ranges(self, *, exact: bool = True) -> list[tuple[float, float]]:
        """Smallest and largest value of every hidden cell over everything published (two LPs each).

        With ``exact=False``, a cell already shown safe by the points found so far (its range can
        only be wider) gets the range of those points and no LP of its own: enough for :func:`safe`.
        """
        self._eq, self._ub = self._matrix(self.equal), self._matrix(self.below)
        n = len(self.cells)
        if not n:
            return []
        low, high = np.full(n, np.inf), np.full(n, -np.inf)
        exact_low, exact_high = np.zeros(n, bool), np.zeros(n, bool)

        def seen(point: np.ndarray | None) -> None:
            if point is not None:
                np.minimum(low, point, out=low)
                np.maximum(high, point, out=high)

        for objective in (np.ones(n), -np.ones(n)):
            seen(self._solve(objective))
        marks = [self.tables.marks[key].loc[i, g] for key, i, g in self.cells]
        for var in range(n):
            for sign, done in ((1.0, exact_low), (-1.0, exact_high)):
                if not exact and safe(low[var], high[var], marks[var], self.tables.min_cell):
                    break
                objective = np.zeros(n)
                objective[var] = sign
                point = self._solve(objective)
                if point is None:
                    return [(math.nan, math.nan)] * n
                seen(point)
                (low if sign > 0 else high)[var] = point[var]
                done[var] = True
        return list(zip(low.tolist(), high.tolist(), strict=True))


def safe(low: float, high: float, mark: str, min_cell: int) -> bool:
    """Whether a hidden cell whose feasible values are ``low``..``high`` is protected (see :func:`audit`)."""
    if math.isnan(low) or math.isnan(high):
        return False
    low, high = math.ceil(low - 1e-6), math.floor(high + 1e-6)
    if mark.startswith("<"):
        return low <= 1 and high >= min_cell - 1
    return low == 0 or high >= min_cell


def audit(tables: Tables, *, exact: bool = True) -> pd.DataFrame:
    """The feasible range of every hidden cell, from everything published, and whether it is safe.

    The reader knows every shown count, every group size, the overall count of each right and code
    (rows add up to it: groups partition the participants), that a participants cell lies in
    0..group size and is at most the segments cell, that a right's cell is at least each of its
    codes' cells and at most their sum (a participant tells of a right when she tells of any of its
    codes), and what marks say: ``<m`` is 1..m-1 (zeros are always shown), × is any number.
    ``scipy.optimize.linprog`` gives the smallest and largest value of each hidden cell (LP bounds,
    rounded inward to whole numbers). A hidden cell is **safe** when the reader learns nothing
    beyond its mark:

    - ``<m``: its range still holds both 1 and m-1 (she knows it is small, as the mark says, but
      not which small number: neither a single person nor "exactly m-1" is pinned);
    - ×: its range holds 0 or a number of at least m (she cannot tell that it is a small count: it
      may be nobody, or a number the table could have shown). A × cell may be pinned to 0 or to m or
      more: that value was publishable; what matters is that the ``<m`` cells it protects are not.

    So no hidden count from 1 to m-1 is ever pinned or known to be any narrower than "<m".

    Returns one row per hidden cell: ``level, measure, id, group, mark, low, high, safe``. With
    ``exact=False`` (faster), ``low``..``high`` is only part of the range for cells already proven safe.
    """
    system = _System(tables)
    rows = [(key[0], key[1], i, g, tables.marks[key].loc[i, g], low, high)
            for (key, i, g), (low, high) in zip(system.cells, system.ranges(exact=exact), strict=True)]
    frame = pd.DataFrame(rows, columns=["level", "measure", "id", "group", "mark", "low", "high"])
    frame["safe"] = [safe(lo, hi, m, tables.min_cell) for lo, hi, m in zip(frame["low"], frame["high"],
                                                                           frame["mark"], strict=True)]
    return frame


def _row_safe(values: np.ndarray, marks: list[str], caps: np.ndarray, total: float, min_cell: int) -> bool:
    """Closed-form :func:`safe` of every hidden cell of one row, from the row's total alone."""
    hidden = [k for k, m in enumerate(marks) if m]
    if not hidden:
        return True
    rest = total - sum(values[k] for k, m in enumerate(marks) if not m)
    limits = [(1, min_cell - 1) if marks[k].startswith("<") else (0, caps[k]) for k in hidden]
    for n, (k, (lo, hi)) in enumerate(zip(hidden, limits, strict=True)):
        others = limits[:n] + limits[n + 1:]
        low = max(lo, rest - sum(h for _, h in others))
        if not safe(low, min(hi, rest - sum(o for o, _ in others)), marks[k], min_cell):
            return False
    return True


def protect_row(values: np.ndarray, marks: list[str], caps: np.ndarray, total: float,
                min_cell: int) -> list[str]:
    """``marks`` with shown cells hidden (×) until the row's hidden cells are safe from its total:
    the smallest shown cell that makes it safe, else the largest, and so on; at worst the whole row."""
    marks = list(marks)
    while not _row_safe(values, marks, caps, total, min_cell):
        shown = sorted((k for k, m in enumerate(marks) if not m), key=lambda k: (values[k], k))
        if not shown:
            return [SECONDARY] * len(marks)
        enough = [k for k in shown
                  if _row_safe(values, [SECONDARY if j == k else m for j, m in enumerate(marks)], caps, total,
                               min_cell)]
        marks[enough[0] if enough else shown[-1]] = SECONDARY
    return marks


def _protect_rows(tables: Tables) -> None:
    for key, marks in tables.marks.items():
        values = tables.values[key]
        caps = (tables.sizes.reindex(marks.columns).to_numpy(float) if key[1] == "participants"
                else np.full(len(marks.columns), np.inf))
        for i in marks.index:
            row = marks.loc[i].tolist()
            if any(row):
                marks.loc[i] = protect_row(values.loc[i].to_numpy(float), row, caps,
                                           float(tables.totals[key][i]), tables.min_cell)


def _linked(tables: Tables, key: tuple[str, str], i: str, group: str) -> list[tuple[tuple[str, str], str]]:
    """The cells of ``group`` tied to cell ``(key, i)`` by a link: its other measure, its right or codes."""
    level, _ = key
    ids = [i]
    if level == "code":
        ids += [r for r, codes in tables.family.items() if i in codes]
        ids += [c for r in ids[1:] for c in tables.family[r]]
    else:
        ids += tables.family.get(i, [])
    return [(key, j) for key in KEYS for j in ids if j in tables.marks[key].index]


def suppress(tables: Tables, *, rounds: int = 3) -> Tables:
    """Mark the cells to hide in ``tables`` (``values`` true counts, ``marks`` ignored) so that
    :func:`audit` passes; returns ``tables`` with its ``marks`` set.

    Primary marks, then rows made safe from their totals (:func:`protect_row`); while the audit finds
    an unsafe cell, the shown cells tied to it in its group are hidden too (``rounds`` times), then
    the whole rows of its right and codes, then, should that not be enough, everything.
    """
    m, primary = tables.min_cell, primary_mark(tables.min_cell)
    for key, values in tables.values.items():
        tables.marks[key] = pd.DataFrame(np.where((values >= 1) & (values < m), primary, ""),
                                         index=values.index, columns=values.columns)
    for level in LEVELS:  # a segments count shown next to a hidden participants count tells too much
        people, segments = tables.marks[(level, "participants")], tables.marks[(level, "segments")]
        tables.marks[(level, "segments")] = segments.where((people == "") | (segments != ""), SECONDARY)
    if m <= 1:
        return tables
    for attempt in range(rounds + 2):
        _protect_rows(tables)
        unsafe = audit(tables, exact=False)
        unsafe = unsafe[~unsafe["safe"]]
        if unsafe.empty:
            return tables
        for row in unsafe.itertuples():
            for key, j in _linked(tables, (row.level, row.measure), row.id, row.group):
                marks = tables.marks[key]
                if attempt < rounds:
                    if marks.loc[j, row.group] == "" and tables.totals[key][j] > 0:
                        marks.loc[j, row.group] = SECONDARY
                else:
                    marks.loc[j] = SECONDARY
    for key, marks in tables.marks.items():  # not reached on the tables tested; safe whatever happens
        tables.marks[key] = pd.DataFrame(SECONDARY, index=marks.index, columns=marks.columns)
    return tables
