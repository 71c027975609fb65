"""Disclosure control for tables broken down by attribute: small counts hidden, and never recoverable.

A count from 1 to ``min_cell - 1`` could single out a person, so it is hidden (shown as
``<min_cell``). Hiding one cell is not enough when the row total is published elsewhere (the
overall frequency of a code is): the reader would subtract. So:

1. a group smaller than ``min_cell`` has its whole column hidden, zeros included (a 0 in a group of
   one says what that one person did not report), and its size;
2. every other count from 1 to ``min_cell - 1`` is hidden;
3. a row (or the row of group sizes) with exactly one hidden cell also hides its smallest shown
   cell, so no hidden value equals a published total minus the shown ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def small(values: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Cells holding a count from 1 to ``min_cell - 1``."""
    return (values >= 1) & (values < min_cell)


def protect_rows(hidden: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """``hidden`` plus, in each row with exactly one hidden cell, the smallest other cell."""
    hidden = hidden.copy()
    shown = values.where(~hidden)
    lonely = hidden.sum(axis=1) == 1
    for row in hidden.index[lonely & shown.notna().any(axis=1)]:
        hidden.loc[row, shown.loc[row].astype(float).idxmin()] = True
    return hidden


def hide_small_cells(values: pd.DataFrame, group_sizes: pd.Series,
                     min_cell: int) -> tuple[pd.DataFrame, pd.Series]:
    """Which cells of ``values`` (rows: codes or rights, columns: groups) and which group sizes to hide.

    Returns two boolean masks shaped like ``values`` and ``group_sizes``.
    """
    sizes = group_sizes.reindex(values.columns).fillna(0).astype(int)
    tiny = (sizes >= 1) & (sizes < min_cell)
    size_hidden = protect_rows(tiny.to_frame().T, sizes.to_frame().T).iloc[0]
    hidden = small(values, min_cell) | pd.DataFrame(np.broadcast_to(tiny.to_numpy(), values.shape),
                                                    index=values.index, columns=values.columns)
    return protect_rows(hidden, values), size_hidden


def shown_as(value: object, hidden: bool, min_cell: int) -> str:
    """A table cell as text: the count, or ``<min_cell`` when hidden."""
    return f"<{min_cell}" if hidden else str(value)
