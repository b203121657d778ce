"""Test the graph against the data: every implied conditional independence, tested.

A DAG implies that some variables are independent given others (d-separation).
Each implication ``X ⊥ Y | Z`` is tested on the data with a test that fits the
variables' types:

- both continuous: partial correlation, Fisher's z (discrete members of ``Z``
  enter as indicator columns);
- both discrete and ``Z`` discrete: a G test (likelihood ratio; ``"chi2"`` for
  Pearson's) stratified by the levels of ``Z``;
- otherwise (mixed): a regression test, the F test of the discrete variable's
  indicators in a linear regression of the other variable on ``Z``.

p-values are corrected for multiple testing (Holm by default, or
Benjamini-Hochberg). Each result lists the statistic, the p-value, the
adjusted p-value, an effect size (the partial correlation, a Cramér's V-like
``√(G / (n (min(r, c) − 1)))``, or the square root of the partial R²) and
whether the data contradicts the implication.

A rejected implication means the graph misses an edge (or a common cause)
between the two variables, or the test's model (linearity) does not fit; an
accepted one is no proof the graph is right.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from dagcore.errors import DataError

__all__ = ["LocalTest", "LocalTests", "local_tests", "independence_test", "adjust_pvalues"]

_TESTS = ("auto", "fisher_z", "g", "chi2", "regression")


@dataclass(frozen=True)
class LocalTest:
    """One implied independence ``x ⊥ y | given`` tested on the data."""

    x: str
    y: str
    given: tuple[str, ...]
    test: str
    statistic: float
    df: float
    p_value: float
    p_adjusted: float
    effect: float
    effect_name: str
    n: int
    rejected: bool

    @property
    def statement(self) -> str:
        """The implication as text, e.g. ``A ⊥ C | B``."""
        text = f"{self.x} ⊥ {self.y}"
        return text + (f" | {', '.join(self.given)}" if self.given else "")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["given"] = list(self.given)
        d["statement"] = self.statement
        for k in ("statistic", "df", "p_value", "p_adjusted", "effect"):
            if not math.isfinite(d[k]):
                d[k] = None
        return d


@dataclass(frozen=True)
class LocalTests:
    """All tested implications with the multiple-testing correction used."""

    results: tuple[LocalTest, ...]
    alpha: float
    correction: str
    skipped: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[LocalTest]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def rejected(self) -> tuple[LocalTest, ...]:
        """The implications the data contradicts."""
        return tuple(r for r in self.results if r.rejected)

    def summary(self) -> str:
        """A few lines: how many implications were tested and which ones the data contradicts."""
        lines = [
            f"{len(self.results)} implied independencies tested ({self.correction} correction, α = {self.alpha:g}): "
            f"{len(self.rejected)} contradicted by the data"
        ]
        for r in sorted(self.rejected, key=lambda r: r.p_adjusted):
            lines.append(f"  {r.statement}: {r.effect_name} {r.effect:.3g}, adjusted p = {r.p_adjusted:.3g} ({r.test})")
        if self.skipped:
            lines.append(f"  not tested (variables missing from the data): {len(self.skipped)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "alpha": self.alpha,
            "correction": self.correction,
            "n_tested": len(self.results),
            "n_rejected": len(self.rejected),
            "results": [r.to_dict() for r in self.results],
            "skipped": list(self.skipped),
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)


def adjust_pvalues(p: Iterable[float], method: str = "holm") -> np.ndarray:
    """Holm (family-wise) or Benjamini-Hochberg (false discovery rate) adjusted p-values.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(list(p), dtype=float)
    m = p.size
    if m == 0:
        return p
    method = method.lower()
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method in ("bh", "fdr_bh", "benjamini-hochberg"):
        adj = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
    elif method == "none":
        adj = ranked
    else:
        raise ValueError(f"unknown correction {method!r}; expected 'holm', 'bh' or 'none'")
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def _is_discrete(col: Any, max_levels: int) -> bool:
    import pandas as pd

    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == bool or col.dtype == object:
        return True
    if not np.issubdtype(col.dtype, np.number):
        return True
    values = col.dropna().to_numpy()
    return bool(np.all(np.mod(values, 1) == 0)) and np.unique(values).size <= max_levels


def _design(frame: Any, cols: list[str], discrete: dict[str, bool]) -> np.ndarray:
    import pandas as pd

    parts = [np.ones((len(frame), 1))]
    for c in cols:
        if discrete[c]:
            parts.append(pd.get_dummies(frame[c].astype("category"), drop_first=True, dtype=float).to_numpy())
        else:
            parts.append(frame[[c]].to_numpy(dtype=float))
    return np.column_stack(parts)


def _resid(v: np.ndarray, X: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(X, v, rcond=None)
    return v - X @ coef


def _fisher_z(frame: Any, x: str, y: str, given: list[str], discrete: dict[str, bool]) -> tuple:
    Z = _design(frame, given, discrete)
    rx = _resid(frame[x].to_numpy(dtype=float), Z)
    ry = _resid(frame[y].to_numpy(dtype=float), Z)
    denom = math.sqrt((rx @ rx) * (ry @ ry))
    r = float(rx @ ry / denom) if denom > 0 else 0.0
    r = max(min(r, 1 - 1e-12), -1 + 1e-12)
    k = np.linalg.matrix_rank(Z) - 1
    dof = len(frame) - k - 3
    if dof <= 0:
        return "fisher_z", math.nan, math.nan, 1.0, r, "partial correlation"
    z = math.atanh(r) * math.sqrt(dof)
    return "fisher_z", z, float(dof), float(2 * stats.norm.sf(abs(z))), r, "partial correlation"


def _stratified(frame: Any, x: str, y: str, given: list[str], kind: str) -> tuple:
    import pandas as pd

    xc, xl = pd.factorize(frame[x], sort=True)
    yc, yl = pd.factorize(frame[y], sort=True)
    if given:
        sc = frame.groupby(given, observed=True, sort=False).ngroup().to_numpy()
    else:
        sc = np.zeros(len(frame), dtype=int)
    ns, rx, ry = int(sc.max()) + 1, len(xl), len(yl)
    table = np.bincount((sc * rx + xc) * ry + yc, minlength=ns * rx * ry).reshape(ns, rx, ry).astype(float)
    rows = table.sum(2, keepdims=True)
    cols = table.sum(1, keepdims=True)
    tot = table.sum((1, 2), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(tot > 0, rows * cols / tot, 0.0)
        if kind == "chi2":
            cells = np.where(expected > 0, (table - expected) ** 2 / expected, 0.0)
        else:
            cells = np.where(table > 0, 2 * table * np.log(table / expected), 0.0)
    stat = float(cells.sum())
    dof = int((np.maximum((rows[:, :, 0] > 0).sum(1) - 1, 0) * np.maximum((cols[:, 0, :] > 0).sum(1) - 1, 0)).sum())
    levels = min(rx, ry)
    v = math.sqrt(max(stat, 0.0) / (len(frame) * (levels - 1))) if levels > 1 else 0.0
    p = float(stats.chi2.sf(stat, dof)) if dof > 0 else 1.0
    return kind, stat, float(dof), p, v, "Cramér's V"


def _regression(frame: Any, x: str, y: str, given: list[str], discrete: dict[str, bool]) -> tuple:
    import pandas as pd

    # the response: the continuous one, else the one with fewer levels; the other enters as indicators
    if discrete[x] and not discrete[y] or discrete[x] and discrete[y] and frame[y].nunique() < frame[x].nunique():
        x, y = y, x
    Z = _design(frame, given, discrete)
    if discrete[y]:
        extra = pd.get_dummies(frame[y].astype("category"), drop_first=True, dtype=float).to_numpy()
    else:
        extra = frame[[y]].to_numpy(dtype=float)
    if discrete[x] and frame[x].nunique() > 2:
        responses: Any = pd.get_dummies(frame[x].astype("category"), drop_first=True, dtype=float).to_numpy().T
    else:
        responses = [pd.Series(frame[x]).astype("category").cat.codes.to_numpy(float) if discrete[x]
                     else frame[x].to_numpy(dtype=float)]
    full = np.column_stack([Z, extra])
    q = np.linalg.matrix_rank(full) - np.linalg.matrix_rank(Z)
    dof = len(frame) - np.linalg.matrix_rank(full)
    best = (math.nan, 1.0, 0.0)
    for resp in responses:
        r0 = _resid(resp, Z)
        r1 = _resid(resp, full)
        rss0, rss1 = float(r0 @ r0), float(r1 @ r1)
        if q <= 0 or dof <= 0 or rss0 <= 0:
            continue
        f = ((rss0 - rss1) / q) / (rss1 / dof) if rss1 > 0 else math.inf
        p = float(stats.f.sf(f, q, dof))
        pr2 = (rss0 - rss1) / rss0
        if p < best[1] or math.isnan(best[0]):
            best = (f, p, pr2)
    f, p, pr2 = best
    p = min(1.0, p * len(responses))  # Bonferroni over the indicators of a many-level response
    return "regression", f, float(q), p, math.sqrt(max(pr2, 0.0)), "partial R (regression)"


def independence_test(
    data: Any,
    x: str,
    y: str,
    given: Iterable[str] = (),
    *,
    test: str = "auto",
    max_levels: int = 10,
) -> tuple[str, float, float, float, float, str, int]:
    """Test ``x ⊥ y | given`` on ``data``.

    Returns ``(test, statistic, df, p_value, effect, effect_name, n)``; rows
    with a missing value in any of the variables are left out.

    Parameters
    ----------
    test : {"auto", "fisher_z", "g", "chi2", "regression"}
        ``auto`` picks by variable type (see the module docstring).
    max_levels : int
        A numeric column with integer values and at most this many distinct
        values is treated as discrete.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=500); b = a + rng.normal(size=500); c = b + rng.normal(size=500)
    >>> df = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> kind, stat, dof, p, r, name, n = independence_test(df, "a", "c", ["b"])
    >>> kind, p > 0.01, abs(r) < 0.1
    ('fisher_z', True, True)
    >>> independence_test(df, "a", "c")[3] < 1e-10
    True
    """
    given = [given] if isinstance(given, str) else list(given)
    cols = [x, y, *given]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {', '.join(map(repr, missing))} not in the data")
    if test not in _TESTS:
        raise ValueError(f"unknown test {test!r}; expected one of {', '.join(_TESTS)}")
    frame = data[cols].dropna()
    if len(frame) < 5:
        raise DataError(f"too few complete rows ({len(frame)}) to test {x} ⊥ {y}")
    discrete = {c: _is_discrete(frame[c], max_levels) for c in cols}
    if test == "auto":
        if not discrete[x] and not discrete[y]:
            test = "fisher_z"
        elif discrete[x] and discrete[y] and all(discrete[c] for c in given):
            test = "g"
        else:
            test = "regression"
    if test == "fisher_z":
        for c in (x, y):
            if not np.issubdtype(frame[c].dtype, np.number):
                raise DataError(f"column {c!r} is not numeric; Fisher's z needs numeric variables")
        out = _fisher_z(frame, x, y, given, discrete)
    elif test in ("g", "chi2"):
        out = _stratified(frame, x, y, given, test)
    else:
        out = _regression(frame, x, y, given, discrete)
    return (*out, len(frame))  # type: ignore[return-value]


def _statements(source: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    if hasattr(source, "observed") and hasattr(source, "edges"):
        from dagcore.structure import implied_independencies

        source = implied_independencies(source)
    out = []
    for s in source:
        if hasattr(s, "x"):
            x, y, given = s.x, s.y, s.given
        else:
            x, y, given = s
        xs = [x] if isinstance(x, str) else sorted(x)
        ys = [y] if isinstance(y, str) else sorted(y)
        g = (given,) if isinstance(given, str) else tuple(sorted(given or ()))
        for a in xs:
            for b in ys:
                out.append((a, b, g))
    return out


def local_tests(
    graph: Any,
    data: Any,
    *,
    alpha: float = 0.05,
    correction: str = "holm",
    test: str = "auto",
    max_levels: int = 10,
) -> LocalTests:
    """Test every conditional independence the graph implies on the data.

    Parameters
    ----------
    graph : CausalGraph or iterable of statements
        A graph (its implications come from :func:`dagcore.implied_independencies`),
        or the statements themselves: objects with ``x``, ``y``, ``given``
        attributes or ``(x, y, given)`` tuples.
    data : pandas.DataFrame
    alpha : float
        Level at which an adjusted p-value counts as a contradiction.
    correction : {"holm", "bh", "none"}
        Holm controls the family-wise error rate; Benjamini-Hochberg the false discovery rate.
    test, max_levels :
        See :func:`independence_test`.

    Returns
    -------
    LocalTests
        Implications whose variables are not all in the data are listed in ``skipped``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> a = rng.normal(size=400); b = a + rng.normal(size=400); c = b + a + rng.normal(size=400)
    >>> df = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> res = local_tests([("a", "c", ["b"])], df)     # the chain a -> b -> c implies a ⊥ c | b
    >>> [(r.statement, r.rejected) for r in res]
    [('a ⊥ c | b', True)]
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if not hasattr(data, "columns"):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    statements = _statements(graph)
    raw = []
    skipped = []
    for x, y, given in statements:
        if any(c not in data.columns for c in (x, y, *given)):
            skipped.append(f"{x} ⊥ {y}" + (f" | {', '.join(given)}" if given else ""))
            continue
        raw.append((x, y, given, independence_test(data, x, y, given, test=test, max_levels=max_levels)))
    adjusted = adjust_pvalues([r[3][3] for r in raw], correction)
    results = tuple(
        LocalTest(
            x=x, y=y, given=given, test=out[0], statistic=float(out[1]), df=float(out[2]), p_value=float(out[3]),
            p_adjusted=float(p_adj), effect=float(out[4]), effect_name=out[5], n=int(out[6]),
            rejected=bool(p_adj < alpha),
        )
        for (x, y, given, out), p_adj in zip(raw, adjusted)
    )
    return LocalTests(results=results, alpha=alpha, correction=correction, skipped=tuple(skipped))
