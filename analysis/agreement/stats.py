"""Agreement statistics, pure and vectorised: Krippendorff's α (with a bootstrap CI), Cohen's κ,
Fleiss' κ and percent agreement.

Reliability data is a coders × units array; ``NaN`` means the coder did not rate that unit.
Units rated by fewer than two coders carry no information about agreement and are ignored.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")
RELIABLE, TENTATIVE = 0.8, 0.667  # Krippendorff's thresholds


def _unit_value_counts(data, domain=None) -> tuple[np.ndarray, np.ndarray]:
    """``(values, counts)``: the distinct values (or ``domain``) and a units × values matrix of how
    many coders gave each value to each unit (only units with two or more ratings)."""
    data = np.asarray(data, dtype=float)
    if data.ndim != 2:
        raise ValueError("reliability data must be a coders × units array")
    values = np.unique(data[~np.isnan(data)]) if domain is None else np.asarray(domain, dtype=float)
    counts = (data[:, :, None] == values[None, None, :]).sum(axis=0)  # units × values
    return values, counts[counts.sum(axis=1) >= 2]


def _unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Per-unit coincidence matrices (units × V × V): o_u[c,k] = (n_c n_k − [c=k] n_c) / (m_u − 1)."""
    m = counts.sum(axis=1)[:, None, None]
    pairs = counts[:, :, None] * counts[:, None, :]
    pairs = pairs - np.eye(counts.shape[1])[None] * counts[:, :, None]
    return pairs / (m - 1)


def value_counts(data, domain) -> np.ndarray:
    """Units × values: how many coders gave each value of ``domain`` to each unit (every unit)."""
    return (np.asarray(data)[:, :, None] == np.asarray(domain, dtype=float)[None, None, :]).sum(axis=0)


def pair_agreement(counts: np.ndarray) -> np.ndarray:
    """Per unit with two or more ratings (``counts`` as ``value_counts``): the share of coder pairs
    that agree on it."""
    m = counts.sum(axis=1)
    rated = m >= 2
    return (counts * (counts - 1)).sum(axis=1)[rated] / (m[rated] * (m[rated] - 1))


def unit_coincidences(data, domain, counts: np.ndarray | None = None) -> np.ndarray:
    """Per-unit coincidence matrices (units × V × V) over a fixed value ``domain``, zero for units
    with fewer than two ratings, so matrices of several codes over the same units can be added
    (``counts``: the data's ``value_counts``, when the caller has them)."""
    counts = value_counts(data, domain) if counts is None else counts
    m = counts.sum(axis=1)
    result = np.zeros((len(counts), len(domain), len(domain)))
    pairable = m >= 2
    result[pairable] = _unit_coincidences(counts[pairable])
    return result


def alpha_from_units(per_unit: np.ndarray, domain, level: str = "nominal") -> float:
    """α from per-unit coincidence matrices (see ``unit_coincidences``)."""
    return float(_alpha_from(per_unit.sum(axis=0), np.asarray(domain, dtype=float), level))


def bootstrap_from_units(per_unit: np.ndarray, domain, level: str = "nominal", *, samples: int = 1000,
                         seed: int = 0, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of α resampling the units (rows of ``per_unit``) with replacement.

    Each sample is a weighted sum of per-unit matrices: one matrix product per block of samples, so
    memory stays at a block of float weights whatever the number of units."""
    units, v = per_unit.shape[0], per_unit.shape[1]
    if units < 2:
        return float("nan"), float("nan")
    weights, flat = _resampling_weights(units, samples, seed), per_unit.reshape(units, v * v)
    block = max(1, _BLOCK_CELLS // units)
    sums = np.concatenate([weights[i:i + block].astype(float) @ flat for i in range(0, samples, block)])
    alphas = _alpha_from(sums.reshape(samples, v, v), np.asarray(domain, dtype=float), level)
    alphas = alphas[~np.isnan(alphas)]
    if len(alphas) == 0:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(alphas, [tail, 100 - tail])
    return float(low), float(high)


def _delta2(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    """Squared distance between values; ``marginals`` is (…, V), the result (…, V, V)."""
    c, k = values[:, None], values[None, :]
    if level == "nominal":
        return np.broadcast_to((c != k).astype(float), marginals.shape[:-1] + c.shape[:1] * 2)
    if level == "interval":
        return np.broadcast_to((c - k) ** 2, marginals.shape[:-1] + c.shape[:1] * 2)
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.nan_to_num(((c - k) / (c + k)) ** 2)
        return np.broadcast_to(d, marginals.shape[:-1] + c.shape[:1] * 2)
    if level == "ordinal":
        cumulative = np.cumsum(marginals, axis=-1)
        lower, upper = np.minimum(np.arange(len(values))[:, None], np.arange(len(values))[None, :]), \
            np.maximum(np.arange(len(values))[:, None], np.arange(len(values))[None, :])
        between = cumulative[..., upper] - cumulative[..., lower] + marginals[..., lower]
        return (between - (marginals[..., :, None] + marginals[..., None, :]) / 2) ** 2
    raise ValueError(f"level must be one of {LEVELS}, not {level!r}")


def _alpha_from(coincidence: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """α from (…, V, V) coincidence matrices (NaN where there is no variation to judge)."""
    marginals = coincidence.sum(axis=-1)
    n = marginals.sum(axis=-1)
    delta2 = _delta2(values, marginals, level)
    observed = (coincidence * delta2).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * delta2).sum(axis=(-2, -1)) / (n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, 1 - observed / expected, np.nan)


def krippendorff_alpha(data, level: str = "nominal") -> float:
    """Krippendorff's α of coders × units ``data`` (NaN = missing) at ``level`` of measurement.

    Returns NaN when α is undefined: fewer than two pairable ratings, or only one value used
    (every coder agreeing on everything leaves no variation to judge agreement against).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    values, counts = _unit_value_counts(data)
    if len(counts) == 0 or len(values) < 2:
        return float("nan")
    return float(_alpha_from(_unit_coincidences(counts).sum(axis=0), values, level))


def bootstrap_alpha(data, level: str = "nominal", *, samples: int = 1000, seed: int = 0,
                    confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of α, resampling units with replacement (seeded, reproducible)."""
    values, counts = _unit_value_counts(data)
    if len(counts) < 2 or len(values) < 2:
        return float("nan"), float("nan")
    return bootstrap_from_units(_unit_coincidences(counts), values, level, samples=samples, seed=seed,
                                confidence=confidence)


_BLOCK_CELLS = 4_000_000  # resampling weights turned to floats at a time (32 MB)


@lru_cache(maxsize=4)
def _resampling_weights(units: int, samples: int, seed: int) -> np.ndarray:
    """How often each unit is drawn in each bootstrap sample (samples × units, as small integers),
    reused across codes that share their units, so a whole table resamples the same units."""
    rng, chance, block = np.random.default_rng(seed), np.full(units, 1 / units), max(1, _BLOCK_CELLS // units)
    blocks = []  # drawn a block of samples at a time and narrowed at once: never samples × units of int64
    for first in range(0, samples, block):
        drawn = rng.multinomial(units, chance, size=min(block, samples - first))
        blocks.append(drawn.astype(np.min_scalar_type(int(drawn.max(initial=0)))))
    weights = np.concatenate(blocks) if blocks else np.zeros((0, units), np.uint8)
    weights.setflags(write=False)
    return weights


def cohen_kappa(a, b) -> float:
    """Cohen's κ of two equal-length label sequences (NaN when chance agreement is total)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("cohen_kappa needs two label sequences of the same length")
    labels, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    table = np.zeros((len(labels), len(labels)))
    np.add.at(table, (codes[: len(a)], codes[len(a):]), 1)
    return kappa_from_table(table)


def kappa_from_table(table) -> float:
    """Cohen's κ of a square contingency table (rows: coder 1, columns: coder 2)."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    observed = np.trace(table) / total
    expected = (table.sum(axis=0) * table.sum(axis=1)).sum() / total**2
    return float((observed - expected) / (1 - expected)) if expected < 1 else float("nan")


def fleiss_kappa(counts) -> float:
    """Fleiss' κ of a units × categories table of how many raters chose each category."""
    counts = np.asarray(counts, dtype=float)
    raters = counts.sum(axis=1)
    if not np.allclose(raters, raters[0]) or raters[0] < 2:
        raise ValueError("Fleiss' κ needs the same number (≥ 2) of raters for every unit")
    n = raters[0]
    p_unit = ((counts**2).sum(axis=1) - n) / (n * (n - 1))
    p_category = counts.sum(axis=0) / counts.sum()
    expected = (p_category**2).sum()
    return float((p_unit.mean() - expected) / (1 - expected)) if expected < 1 else float("nan")


def percent_agreement(data) -> float:
    """Mean over units (with ≥ 2 ratings) of the share of coder pairs that agree on the unit."""
    _, counts = _unit_value_counts(data)
    return float(pair_agreement(counts).mean()) if len(counts) else float("nan")


def verdict(alpha: float) -> str:
    """Krippendorff's reading of α: reliable (≥ 0.8), tentative (≥ 0.667), unreliable, or undefined."""
    if np.isnan(alpha):
        return "undefined"
    return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE else "unreliable"
