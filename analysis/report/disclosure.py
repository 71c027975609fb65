"""Disclosure control for tables broken down by attribute: small counts hidden, and never recoverable.

A count from 1 to ``min_cell - 1`` could single out a person. The breakdowns of one attribute
(rights and codes, participants and segments, per group) are protected together:

1. **groups**: a group smaller than ``min_cell`` is merged into :data:`OTHER`; when "other" would
   itself be smaller than ``min_cell``, the smallest remaining group joins it; with fewer than two
   groups left the attribute is not broken down at all. So every group size is published and no
   column describes fewer than ``min_cell`` people.
2. **primary suppression**: a count from 1 to ``min_cell - 1`` is written ``<min_cell``.
3. **secondary suppression**: more cells are hidden, written :data:`SECONDARY` ("×": hidden so that a
   hidden count cannot be worked out; it may be any number), so that :func:`audit` finds every hidden
   cell safe: per right with its codes, an LP finds counts the reader cannot rule out that hold each
   small count at the other end of its range, moving the fewest, smallest shown cells; those are hidden.

What a reader knows (:class:`Tables`) and when a hidden cell is safe is defined in :func:`audit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

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
    "th": "อื่นๆ: ผู้ให้ข้อมูลของกลุ่มที่มีน้อยกว่า {m} คน รวมกัน (และกลุ่มที่เล็กที่สุดถัดไป "
          "หากรวมแล้วยังน้อยกว่า {m} คน)",
    "en": "other: the participants of groups with fewer than {m} people, put together (with the "
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
        parts = {lang: f"{parts[lang]}{' ' if lang == 'th' else '. '}{OTHER_NOTE[lang].format(m=min_cell)}"
                 for lang in parts}  # Thai ends a sentence with a space, not a full stop
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


class _System:
    """What a reader can write from :class:`Tables` (see :func:`audit`), over every cell of the four tables:
    ``a_eq x == b_eq`` (rows add up to their totals) and ``a_ub x <= b_ub`` (the links). Cells are numbered
    row by row, table after table (:data:`KEYS` order); hidden cells are the variables, shown cells constants.
    """

    def __init__(self, tables: Tables) -> None:
        self.tables, self.min_cell = tables, tables.min_cell
        self.groups = list(tables.values[KEYS[0]].columns)
        self.ids = {key: list(tables.values[key].index) for key in KEYS}
        self.offset, n = {}, 0
        for key in KEYS:
            self.offset[key], n = n, n + len(self.ids[key]) * len(self.groups)
        self.value = self.flat(tables.values).astype(float)
        self.a_eq, self.b_eq = self._sums()
        sizes = tables.sizes.reindex(self.groups).to_numpy(float)
        size = np.concatenate([np.tile(sizes if key[1] == "participants" else np.full(len(sizes), np.inf),
                                       len(self.ids[key])) for key in KEYS])
        self.cap = np.minimum(size, np.repeat(self.b_eq, len(self.groups)))  # at most its group, its row
        self.a_ub, self.b_ub = self._links()
        self.a_all = sp.vstack([self.a_eq, self.a_ub]).tocsr()
        self.part, self.part_cells, self.part_rows = self._parts()
        self._matrices: dict[int, tuple] = {}

    def cells(self, key: tuple[str, str]) -> np.ndarray:
        """The numbers of the cells of table ``key``, ids × groups."""
        width = len(self.groups)
        return self.offset[key] + np.arange(len(self.ids[key]) * width).reshape(len(self.ids[key]), width)

    def flat(self, frames: dict[tuple[str, str], pd.DataFrame]) -> np.ndarray:
        """``frames`` (one per key, ids × groups) as one array in cell order."""
        return np.concatenate([frames[key].reindex(index=self.ids[key], columns=self.groups).to_numpy(object)
                               .ravel() for key in KEYS])

    def _sums(self) -> tuple[sp.csr_array, np.ndarray]:
        """Each row adds up to the published overall count of its id."""
        cols = np.concatenate([self.cells(key).ravel() for key in KEYS])
        totals = np.concatenate([self.tables.totals[key].reindex(self.ids[key]).fillna(0).to_numpy(float)
                                 for key in KEYS])
        rows = np.repeat(np.arange(len(totals)), len(self.groups))
        return _matrix(rows, cols, np.ones(len(cols)), len(totals), len(self.value)), totals

    def _links(self) -> tuple[sp.csr_array, np.ndarray]:
        """All ``<= 0``: ``participants <= segments``, ``segments <= (segments row total) * participants``
        (no one tells, no segment); a right's cell is at least each of its codes' cells, at most their sum."""
        terms: list[tuple[list[int], list[float]]] = []
        for level in LEVELS:
            people, segments = self.cells((level, "participants")), self.cells((level, "segments"))
            totals = self.tables.totals[(level, "segments")].reindex(self.ids[(level, "segments")]).fillna(0)
            for row_p, row_s, total in zip(people, segments, totals.to_numpy(float), strict=True):
                for p, s in zip(row_p, row_s, strict=True):
                    terms += [([p, s], [1.0, -1.0]), ([s, p], [1.0, -total])]
        codes = {c: k for k, c in enumerate(self.ids[("code", "participants")])}
        for r, right in enumerate(self.ids[("right", "participants")]):
            children = [codes[c] for c in self.tables.family.get(right, []) if c in codes]
            for measure in MEASURES if children else ():
                whole, parts = self.cells(("right", measure))[r], self.cells(("code", measure))[children]
                for g, cell in enumerate(whole):
                    terms += [([part, cell], [1.0, -1.0]) for part in parts[:, g]]
                    terms.append(([cell, *parts[:, g]], [1.0] + [-1.0] * len(parts)))
        rows = [k for k, (cells, _) in enumerate(terms) for _ in cells]
        cols = [c for cells, _ in terms for c in cells]
        coefs = [v for _, values in terms for v in values]
        return _matrix(np.array(rows, int), np.array(cols, int), np.array(coefs, float), len(terms),
                       len(self.value)), np.zeros(len(terms))

    def _parts(self) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Independent parts of the system whatever is hidden (a right with its codes): each cell's part,
        and each part's cells and constraints."""
        row_label, cell_label = _components(self.a_all)
        names = {name: k for k, name in enumerate(np.unique(cell_label))}
        part = np.array([names[x] for x in cell_label], dtype=int)
        cells = [np.flatnonzero(cell_label == name) for name in names]
        rows = [np.flatnonzero(row_label == name) for name in names]
        return part, cells, rows

    def part_matrix(self, part: int) -> tuple[int, tuple, tuple]:
        """The constraints of ``part`` over its cells (numbered within it) as coordinates: the number of
        equalities, then ``(rows, cols, coefs, bound)`` of the equalities and of the inequalities."""
        if part not in self._matrices:
            cells, rows = self.part_cells[part], self.part_rows[part]
            n_eq = int((rows < self.a_eq.shape[0]).sum())
            bound = np.concatenate([self.b_eq, self.b_ub])[rows]
            local = self.a_all[rows][:, cells].tocoo()
            eq, ub = local.row < n_eq, local.row >= n_eq
            self._matrices[part] = (n_eq, (local.row[eq], local.col[eq], local.data[eq], bound[:n_eq]),
                                    (local.row[ub] - n_eq, local.col[ub], local.data[ub], bound[n_eq:]))
        return self._matrices[part]

    def feasible(self, point: np.ndarray) -> bool:
        """Whether ``point`` (a value for every cell) satisfies every constraint."""
        sums, links = self.a_eq @ point, self.a_ub @ point
        return bool(np.allclose(sums, self.b_eq) and np.all(links <= self.b_ub + 1e-9))

    def blocks(self, hidden: np.ndarray, primary: np.ndarray) -> list[_Block]:
        """The independent linear programs over the hidden cells (cells sharing a constraint are together)."""
        cols = np.flatnonzero(hidden)
        if not len(cols):
            return []
        known = np.where(hidden, 0.0, self.value)
        a = self.a_all[:, cols].tocsr()
        b = np.concatenate([self.b_eq, self.b_ub]) - self.a_all @ known
        n_eq = self.a_eq.shape[0]
        row_label, var_label = _components(a)
        lower = np.where(primary[cols], 1.0, 0.0)
        upper = np.where(primary[cols], self.min_cell - 1.0, self.cap[cols])
        out = []
        for name in np.unique(var_label):
            vars_, rows = np.flatnonzero(var_label == name), np.flatnonzero(row_label == name)
            sub = a[rows][:, vars_]
            out.append(_Block(cols[vars_], rows, int((rows < n_eq).sum()), sub, b[rows], lower[vars_],
                              upper[vars_], primary[cols[vars_]], self.min_cell))
        return out


def _matrix(rows: np.ndarray, cols: np.ndarray, coefs: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_array:
    return sp.csr_array((coefs, (rows, cols)), shape=(n_rows, n_cols))


def _components(a: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Connected parts of constraints ``a`` (rows) and variables (columns) sharing them: labels of each."""
    pattern = (abs(a) > 0).astype(float)
    _, label = connected_components(sp.bmat([[None, pattern], [pattern.T, None]]), directed=False)
    return label[:a.shape[0]], label[a.shape[0]:]


def _unsafe(low: np.ndarray, high: np.ndarray, primary: np.ndarray, min_cell: int) -> np.ndarray:
    """Which cells :func:`safe` rejects, ``<m`` where ``primary`` (vectorised; NaN is unsafe)."""
    with np.errstate(invalid="ignore"):
        low, high = np.ceil(low - 1e-6), np.floor(high + 1e-6)
        fine = np.where(primary, (low <= 1) & (high >= min_cell - 1), (low == 0) | (high >= min_cell))
    return ~fine


@dataclass
class _Block:
    """One independent part of the reader's system: hidden cells ``cells`` (global numbers), constraints
    ``rows`` (global numbers, the first ``n_eq`` equalities) as ``a x (==, <=) b``, and each cell's bounds."""

    cells: np.ndarray
    rows: np.ndarray
    n_eq: int
    a: sp.csr_array
    b: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    primary: np.ndarray
    min_cell: int

    def solve(self, objective: np.ndarray):
        """scipy's result for minimising ``objective`` over the block."""
        eq, ub = slice(0, self.n_eq), slice(self.n_eq, None)
        has_eq, has_ub = self.n_eq > 0, self.a.shape[0] > self.n_eq
        bounds = [(lo, None if math.isinf(hi) else hi) for lo, hi in zip(self.lower, self.upper, strict=True)]
        return linprog(objective, A_ub=self.a[ub] if has_ub else None, b_ub=self.b[ub] if has_ub else None,
                       A_eq=self.a[eq] if has_eq else None, b_eq=self.b[eq] if has_eq else None,
                       bounds=bounds, method="highs")

    def unsafe(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        return _unsafe(low, high, self.primary, self.min_cell)

    def ranges(self, *, exact: bool) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest value of each cell; with ``exact=False`` only as far as needed to prove it
        safe (NaN when the system has no solution).

        LP optima only widen the ranges seen. First one LP per round pushes every unproven cell towards
        the end it lacks (many are proven at once); then one LP per cell and direction still needed (all
        with ``exact``); a bound already at the cell's own limit needs no LP.
        """
        n = len(self.cells)
        low, high = np.full(n, np.inf), np.full(n, -np.inf)
        pending = self.unsafe(low, high)
        while pending.any():
            result = self.solve(np.where(pending, self._direction(low, high), 0.0))
            if result.status != 0:
                return np.full(n, np.nan), np.full(n, np.nan)
            low, high = np.minimum(low, result.x), np.maximum(high, result.x)
            still = self.unsafe(low, high)
            if still.sum() == pending.sum():
                break
            pending = still
        for var in range(n):
            for sign in (1.0, -1.0) if exact else self._wanted(var, low, high):
                if (low[var] <= self.lower[var]) if sign > 0 else (high[var] >= self.upper[var]):
                    continue
                objective = np.zeros(n)
                objective[var] = sign
                result = self.solve(objective)
                if result.status != 0:
                    return np.full(n, np.nan), np.full(n, np.nan)
                low, high = np.minimum(low, result.x), np.maximum(high, result.x)
        return low, high

    def _direction(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """+1 (minimise) for a ``<m`` cell still lacking a point at 1, -1 (maximise) for the others."""
        return np.where(self.primary & (low > 1 + 1e-6), 1.0, -1.0)

    def _wanted(self, var: int, low: np.ndarray, high: np.ndarray) -> list[float]:
        """The single LPs (+1 minimise, -1 maximise) that could still prove ``var`` safe."""
        if not self.unsafe(low, high)[var]:
            return []
        if not self.primary[var]:
            return [-1.0, 1.0]
        return [s for s, lacks in ((1.0, low[var] > 1 + 1e-6), (-1.0, high[var] < self.min_cell - 1 - 1e-6))
                if lacks]


def safe(low: float, high: float, mark: str, min_cell: int) -> bool:
    """Whether a hidden cell whose feasible values are ``low``..``high`` is protected (see :func:`audit`)."""
    if math.isnan(low) or math.isnan(high):
        return False
    low, high = math.ceil(low - 1e-6), math.floor(high + 1e-6)
    if mark.startswith("<"):
        return low <= 1 and high >= min_cell - 1
    return low == 0 or high >= min_cell


def _hidden(marks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which cells are hidden, and which of them are marked ``<m``."""
    marks = marks.astype(str)
    return marks != "", np.char.startswith(marks, "<")


def audit(tables: Tables, *, exact: bool = True) -> pd.DataFrame:
    """The feasible range of every hidden cell, from everything published, and whether it is safe.

    The reader knows every shown count, every group size, the overall count of each right and code
    (rows add up to it: groups partition the participants), that a participants cell lies in
    0..group size and is at most the segments cell, that a segments cell is 0 when the participants
    cell is (``segments <= row total * participants``), that a right's cell is at least each of its
    codes' cells and at most their sum (a participant tells of a right when she tells of any of its
    codes), and what marks say: ``<m`` is 1..m-1 (zeros are always shown), × is any number.
    ``scipy.optimize.linprog`` gives the smallest and largest value of each hidden cell (LP bounds,
    rounded inward to whole numbers), block by block (cells tied by no constraint are solved apart).
    A hidden cell is **safe** when the reader learns nothing beyond its mark:

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
    marks = system.flat(tables.marks)
    hidden, primary = _hidden(marks)
    low, high = np.full(len(marks), np.nan), np.full(len(marks), np.nan)
    for block in system.blocks(hidden, primary):
        low[block.cells], high[block.cells] = block.ranges(exact=exact)
    rows = [(key[0], key[1], i, g) for key in KEYS for i in system.ids[key] for g in system.groups]
    frame = pd.DataFrame([rows[k] for k in np.flatnonzero(hidden)],
                         columns=["level", "measure", "id", "group"])
    frame["mark"], frame["low"], frame["high"] = marks[hidden].astype(str), low[hidden], high[hidden]
    frame["safe"] = [safe(lo, hi, m, tables.min_cell) for lo, hi, m in zip(frame["low"], frame["high"],
                                                                           frame["mark"], strict=True)]
    return frame


def suppress(tables: Tables) -> Tables:
    """Mark the cells to hide in ``tables`` (``values`` true counts, ``marks`` ignored) so that
    :func:`audit` passes; returns ``tables`` with its ``marks`` set.

    Counts from 1 to m-1 are marked ``<m``; then :func:`_secondary` hides (×) the fewest, smallest
    shown cells it can find that keep every hidden count from 1 to m-1 safe. Why a cell is safe, in
    closed form: the true counts are a solution of the reader's system (:func:`audit`); a hidden count
    of 0 or at least m (every × over a count that could have been shown) therefore has 0 or a number of
    at least m in its range, so it is safe with no LP; a ``<m`` count has its true value as one end, and
    needs a solution holding it at the other end (1 or m-1). Solutions stay solutions when more cells
    are hidden, so a cell once shown safe stays safe. :func:`audit` (in the tests) checks it all anew.
    """
    system, m = _System(tables), tables.min_cell
    marks = np.where((system.value >= 1) & (system.value < m), primary_mark(m), "").astype(object)
    if system.groups and m > 1:  # no groups: nothing is broken down
        if not system.feasible(system.value):
            raise ValueError("disclosure: the counts per group do not add up to their totals")
        marks = _secondary(system, marks)
    width = len(system.groups)
    for key in KEYS:
        shape = (len(system.ids[key]), width)
        tables.marks[key] = pd.DataFrame(marks[system.cells(key).ravel()].reshape(shape),
                                         index=system.ids[key], columns=system.groups)
    return tables


def _secondary(system: _System, marks: np.ndarray) -> np.ndarray:
    """``marks`` with shown cells hidden (×) until every hidden count from 1 to m-1 is safe, links too.

    The true counts are a solution of the reader's system, so a hidden count of 0 or at least m is
    safe, and a ``<m`` cell already holds one end of its range. LPs find the small counts that cannot
    reach what they lack (:func:`_missing_ends`); for those, one LP per part of the system (a right with
    its codes) finds a solution reaching every missing end it can while moving the fewest, smallest
    shown cells (:func:`_witness`); the cells that moved are hidden, so the reader cannot rule that
    solution out. A ``<m`` cell that cannot reach its other end becomes × (it then needs 0, else m or
    more); a × that can reach neither hides its whole part. Again until every cell is safe: hiding
    only widens ranges, so cells found safe stay safe, and each round hides more.
    """
    seen = np.stack([system.value, system.value])  # per cell, the least and most it is in a known solution
    tried: dict[int, int] = {}  # small counts marked ×: how many of their ends were out of reach
    for _ in range(len(marks) + 1):
        needs = _missing_ends(system, marks, seen, tried)
        if not needs:
            return marks
        batches: dict[int, dict[int, tuple[float, float]]] = {}
        for cell, end in needs.items():
            batches.setdefault(int(system.part[cell]), {})[cell] = end
        for part, targets in batches.items():
            missed = _witness(system, part, marks, seen, targets)
            if len(targets) > 1:  # together they may not fit: what is missed waits for the next round
                missed = [] if len(missed) < len(targets) else [
                    c for c in missed if _witness(system, part, marks, seen, {c: targets[c]})]
            for cell in missed:
                if marks[cell] != SECONDARY:
                    marks[cell] = SECONDARY
                    continue
                tried[cell] = tried.get(cell, 0) + 1 + (system.cap[cell] < system.min_cell)
                if tried[cell] > 2:
                    return np.full(len(marks), SECONDARY, dtype=object)  # not reached on the tables tested
                if tried[cell] == 2:
                    marks[system.part_cells[part]] = SECONDARY
    return np.full(len(marks), SECONDARY, dtype=object)  # not reached: every round hides more


def _missing_ends(system: _System, marks: np.ndarray, seen: np.ndarray,
                  tried: dict[int, int]) -> dict[int, tuple[float, float]]:
    """The hidden small counts (1..m-1) not yet shown safe by the solutions found so far (``seen``: each
    cell's least and most in them; they stay solutions when more is hidden), each with the range a
    solution must hold it in: 1 or m-1 for ``<m``; 0, else m or more (``tried``) for ×."""
    hidden, primary = _hidden(marks)
    m, needs = system.min_cell, {}
    unsafe = _unsafe(seen[0], seen[1], primary, m)
    for cell in np.flatnonzero(hidden & (system.value >= 1) & (system.value < m) & unsafe):
        if primary[cell]:
            needs[int(cell)] = (1.0, 1.0) if seen[0, cell] > 1 + 1e-6 else (m - 1.0, m - 1.0)
        else:
            needs[int(cell)] = (m, float(system.cap[cell])) if tried.get(cell, 0) % 2 else (0.0, 0.0)
    return needs


def _witness(system: _System, part: int, marks: np.ndarray, seen: np.ndarray,
             targets: dict[int, tuple[float, float]]) -> list[int]:
    """Hide the cells of ``part`` that let one solution of the reader's system hold as many target cells
    as it can within their ranges; the targets it cannot.

    One LP over every cell of the part, each within 0..its limit: a target out of its range costs 10^5
    per unit, a shown cell moved 1 + count / (1 + largest count) per unit (few, small cells), a ``<m``
    cell out of 1..m-1 2 per unit, other hidden cells nothing. The shown cells that moved are hidden and
    the ``<m`` cells that left 1..m-1 become ×, so the solution is one the reader cannot rule out.
    """
    cells, (n_eq, eq, ub) = system.part_cells[part], system.part_matrix(part)
    hidden, primary = _hidden(marks[cells])
    value, n = system.value[cells], len(cells)
    where = np.flatnonzero(np.isin(cells, list(targets)))
    ends = np.array([targets[c] for c in cells[where]]).reshape(-1, 2)
    shown, soft = np.flatnonzero(~hidden), np.flatnonzero(primary)
    bands = [(shown, value[shown], value[shown], 1 + value[shown] / (1 + value.max(initial=0))),
             (soft, np.ones(len(soft)), np.full(len(soft), system.min_cell - 1.0), np.full(len(soft), 2.0)),
             (where, ends[:, 0], ends[:, 1], np.full(len(where), 1e5))]
    picked, low, high, cost = (np.concatenate([band[k] for band in bands]) for k in range(4))
    picked = picked.astype(int)
    w, (rows, cols, coefs, bound) = len(picked), ub
    slack = n + np.arange(w)  # low - slack <= z <= high + slack
    band_rows = len(bound) + np.arange(2 * w)
    pairs = np.column_stack([picked, slack]).ravel()
    a_ub = sp.csr_array((np.concatenate([coefs, np.tile([-1.0, -1.0, 1.0, -1.0], w)]),
                         (np.concatenate([rows, np.repeat(band_rows, 2)]),
                          np.concatenate([cols, np.column_stack([pairs.reshape(-1, 2)] * 2).ravel()]))),
                        shape=(len(bound) + 2 * w, n + w))
    limits = np.column_stack([np.zeros(n + w), np.concatenate([system.cap[cells], np.full(w, np.inf)])])
    result = linprog(np.concatenate([np.zeros(n), cost]), A_ub=a_ub,
                     b_ub=np.concatenate([bound, np.column_stack([-low, high]).ravel()]),
                     A_eq=sp.csr_array((eq[2], (eq[0], eq[1])), shape=(n_eq, n + w)), b_eq=eq[3],
                     bounds=limits, method="highs", options={"presolve": False})
    if result.status != 0:
        return list(targets)
    moved = result.x[n:] > 1e-7
    marks[cells[picked[:len(shown) + len(soft)][moved[:len(shown) + len(soft)]]]] = SECONDARY
    point = result.x[:n]
    seen[:, cells] = np.minimum(seen[0, cells], point), np.maximum(seen[1, cells], point)
    return [int(c) for c in cells[where[moved[len(shown) + len(soft):]]]]
