"""Input validation at the boundary of the estimator layer.

Every estimator calls :func:`prepare` first, so bad data gets a precise
:class:`~dagcore.DataError` naming the column and the problem, never a
traceback from deep inside pandas, statsmodels or scikit-learn.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DagcoreWarning, DataError, PositivityWarning

__all__ = [
    "MAX_MAGNITUDE",
    "FormulaModel",
    "FormulaVariables",
    "Prepared",
    "check_binary",
    "check_frame",
    "check_formula",
    "check_propensity_formula",
    "design_frame",
    "design_matrix",
    "formula_design",
    "formula_model",
    "formula_variables",
    "prepare",
    "read_formula",
]


@dataclass
class Prepared:
    """Validated data for one estimator: the rows used and what happened to the others."""

    data: pd.DataFrame
    treatment: str
    outcome: str
    covariates: list[str]
    dropped: int = 0
    notes: list[str] = field(default_factory=list)
    full: pd.DataFrame | None = None


#: The largest magnitude a model column may hold: beyond it, squares and cross-products overflow in
#: floating point (sqrt of the largest double is 1.3e154), so least squares and the logistic fit fail.
MAX_MAGNITUDE = 1e150


def check_frame(data: Any) -> pd.DataFrame:
    """``data`` when it is a DataFrame with unique column labels; else a :class:`~dagcore.DataError` saying how to fix it.

    Examples
    --------
    >>> check_frame(np.zeros((3, 2)))
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: data must be a pandas DataFrame with one column per graph variable, got a numpy ndarray of shape (3, 2); wrap it: pd.DataFrame(array, columns=[...the variables' names...])
    >>> check_frame(pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"]))
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: the data has duplicate column labels: 'a' (2 columns); a variable must be one column: rename or drop the duplicates
    """
    if isinstance(data, pd.DataFrame):
        dup = data.columns[data.columns.duplicated()].unique()
        if len(dup):
            shown = ", ".join(f"{c!r} ({int((data.columns == c).sum())} columns)" for c in dup[:5])
            raise DataError(f"the data has duplicate column labels: {shown}; a variable must be one column: rename or drop the duplicates")
        return data
    if isinstance(data, np.ndarray):
        raise DataError(
            f"data must be a pandas DataFrame with one column per graph variable, got a numpy ndarray of shape {data.shape}; "
            "wrap it: pd.DataFrame(array, columns=[...the variables' names...])"
        )
    if isinstance(data, Mapping):
        raise DataError("data must be a pandas DataFrame with one column per graph variable, got a dict; wrap it: pd.DataFrame(the_dict)")
    if isinstance(data, pd.Series):
        raise DataError(f"data must be a pandas DataFrame with one column per graph variable, got a Series ({data.name!r}); use series.to_frame() or a DataFrame of every variable")
    hint = "; convert it with .to_pandas()" if hasattr(data, "to_pandas") else ""
    raise DataError(f"data must be a pandas DataFrame with one column per graph variable, got {type(data).__name__}{hint}")


def _check_columns(data: pd.DataFrame, columns: Iterable[str]) -> None:
    check_frame(data)
    names = [str(c) for c in data.columns]
    for col in columns:
        if col not in data.columns:
            close = [c for c in names if c.lower() == col.lower()] or get_close_matches(col, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError(f"column {col!r} is not in the data{hint} (the graph's variables must be columns of the DataFrame)")


def prepare(
    data: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    extra: Sequence[str] = (),
    dropna: bool = False,
    keep_missing_outcome: bool = False,
) -> Prepared:
    """Check columns, missing values and types; return the rows to use.

    Parameters
    ----------
    data : DataFrame
    treatment, outcome : str
    covariates : sequence of str
    extra : sequence of str
        Further columns needed (instruments, mediators).
    dropna : bool
        Drop rows with missing values in the used columns (reported) instead of raising.
    keep_missing_outcome : bool
        Keep the full set of rows with complete covariates in ``full`` (for
        standardization over everyone, as Hernán & Robins do).

    Raises
    ------
    DataError
        Data that is not a DataFrame or has duplicate column labels
        (:func:`check_frame`); a missing column (with a did-you-mean); missing
        or infinite values (counted per column) when ``dropna`` is False; a
        non-numeric column that is not categorical; a value beyond
        :data:`MAX_MAGNITUDE`; no rows left; a constant treatment or outcome;
        fewer than 2 units in an arm of a binary treatment.

    Warns
    -----
    DagcoreWarning
        A constant covariate (it adjusts for nothing).
    PositivityWarning
        A covariate whose treated and untreated ranges do not intersect: it
        separates the arms, so every estimator extrapolates (outcome models
        silently, the propensity models refuse).

    Examples
    --------
    >>> df = pd.DataFrame({"t": [0, 1, 1, 0, 1], "y": [1.0, 2.0, None, 0.5, 3.0], "z": [1, 2, 3, 4, float("inf")]})
    >>> prepare(df, "t", "y", ["z"])
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: 2 rows have missing or infinite values (y: 1, z: 1 infinite); pass dropna=True (--dropna on the command line) to drop them
    >>> df.loc[4, "z"] = 5.0; len(prepare(df, "t", "y", ["z"], dropna=True).data)
    4
    """
    columns = list(dict.fromkeys([treatment, outcome, *covariates, *extra]))
    _check_columns(data, columns)
    used = data[columns]
    for col in columns:
        series = used[col]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(series)
                or pd.api.types.is_string_dtype(series)):
            raise DataError(f"column {col!r} has type {series.dtype}, which cannot be used in a model")
        if col in (treatment, outcome) and not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            raise DataError(
                f"column {col!r} ({'treatment' if col == treatment else 'outcome'}) must be numeric, "
                f"got {series.dtype} with values like {series.dropna().unique()[:3].tolist()}"
            )
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(used[c]) and not pd.api.types.is_bool_dtype(used[c])]
    other = [c for c in columns if c not in numeric]
    A = used[numeric].to_numpy(dtype=float) if numeric else np.zeros((len(used), 0))
    # one argmin / argmax pass per column gives the ranges, flags NaN and inf (they propagate to the extremes)
    # and tells which arm holds each extreme (the separation check below)
    cols = np.arange(A.shape[1])
    arg_lo, arg_hi = (A.argmin(axis=0), A.argmax(axis=0)) if len(used) else (cols, cols)
    lows, highs = (A[arg_lo, cols], A[arg_hi, cols]) if len(used) else (np.zeros(0), np.zeros(0))
    clean = bool(np.isfinite(lows).all() and np.isfinite(highs).all())
    bad = None if clean else ~np.isfinite(A)
    bad_other = used[other].isna().to_numpy() if other else None
    row_bad = np.zeros(len(used), dtype=bool)
    for flags in (bad, bad_other):
        if flags is not None:
            row_bad |= flags.any(axis=1)
    bad_rows = int(row_bad.sum())
    notes: list[str] = []
    full = None
    if keep_missing_outcome:
        ok = np.ones(len(used), dtype=bool)
        for flags, names in ((bad, numeric), (bad_other, other)):
            if flags is not None:
                ok &= ~flags[:, [i for i, c in enumerate(names) if c != outcome]].any(axis=1)
        full = data.loc[ok, columns]
    if bad_rows:
        n_inf = dict(zip(numeric, np.isinf(A).sum(axis=0).tolist())) if bad is not None else {}
        n_bad = {c: 0 for c in columns}
        if bad is not None:
            n_bad.update(zip(numeric, bad.sum(axis=0).tolist()))
        if bad_other is not None:
            n_bad.update(zip(other, bad_other.sum(axis=0).tolist()))
        parts = []
        for c in columns:
            infinite, nan = int(n_inf.get(c, 0)), int(n_bad[c]) - int(n_inf.get(c, 0))
            if nan or infinite:
                parts.append(f"{c}: " + ", ".join(x for x in (f"{nan}" if nan else "", f"{infinite} infinite" if infinite else "") if x))
        detail = ", ".join(parts)
        any_inf, any_nan = any(n_inf.values()), sum(n_bad.values()) > sum(n_inf.values())
        what = "missing values" if not any_inf else "missing or infinite values" if any_nan else "infinite values"
        if not dropna:
            raise DataError(
                f"{bad_rows} row{'s have' if bad_rows != 1 else ' has'} {what} ({detail}); pass dropna=True (--dropna on the command line) to drop them"
            )
        used = used.loc[~row_bad]
        A = A[~row_bad]
        notes.append(f"dropped {bad_rows} rows with {what} ({detail})")
        if len(used):
            arg_lo, arg_hi = A.argmin(axis=0), A.argmax(axis=0)
            lows, highs = A[arg_lo, cols], A[arg_hi, cols]
    if len(used) == 0:
        raise DataError("no rows left to estimate from")
    lo_hi: dict[str, tuple[float, float]] = {c: (float(lo), float(hi)) for c, lo, hi in zip(numeric, lows, highs)}
    for c in numeric:
        big = max(-lo_hi[c][0], lo_hi[c][1])
        if big > MAX_MAGNITUDE:
            raise DataError(
                f"column {c!r} has values as large as {big:.3g}: beyond {MAX_MAGNITUDE:.0e} their squares overflow in floating point, "
                "so no model can be fit; rescale it (divide by a power of ten)"
            )
    if (lo_hi[treatment][0] == lo_hi[treatment][1]) if treatment in lo_hi else used[treatment].nunique() < 2:
        raise DataError(f"treatment {treatment!r} is constant ({_shown(used[treatment].iloc[0])}): there is no contrast to estimate")
    t_values = used[treatment].to_numpy(dtype=float)
    binary = bool(np.isin(t_values, (0.0, 1.0)).all())
    if binary:
        n1 = int(t_values.sum())
        n0 = len(t_values) - n1
        if min(n1, n0) < 2:
            arm = "treated" if n1 < 2 else "untreated"
            raise DataError(
                f"only {min(n1, n0)} {arm} unit{'s' if min(n1, n0) != 1 else ''} in {treatment!r} (of {len(t_values)} rows): "
                "an effect cannot be told from that unit's own noise; at least 2 units per arm are needed"
            )
    if (lo_hi[outcome][0] == lo_hi[outcome][1]) if outcome in lo_hi else used[outcome].nunique() < 2:
        raise DataError(
            f"outcome {outcome!r} is constant ({_shown(used[outcome].iloc[0])} in every row used): every effect estimate would be "
            "exactly 0 with no uncertainty; there is nothing to estimate"
        )
    for c in covariates:
        if (lo_hi[c][0] == lo_hi[c][1]) if c in lo_hi else used[c].nunique(dropna=False) < 2:
            warnings.warn(
                f"covariate {c!r} is constant ({_shown(used[c].iloc[0])} in every row used): it adjusts for nothing and is collinear "
                "with the intercept",
                DagcoreWarning,
                stacklevel=3,
            )
    if binary:
        wanted = set(covariates) - {treatment, outcome}
        cov_idx = [i for i, c in enumerate(numeric) if c in wanted]
        separating = _separating_covariates(A, t_values, numeric, cov_idx, arg_lo, arg_hi) if cov_idx else []
        if separating:
            warnings.warn(
                f"no overlap: {'; '.join(separating)}; estimators that model the outcome (regression, standardization, "
                "double ML, the meta-learners) extrapolate across the gap, and the propensity estimators cannot weight",
                PositivityWarning,
                stacklevel=3,
            )
    # data[columns] is already a frame of its own (a copy, or copy-on-write in pandas 3): a .copy() here only
    # consolidated its blocks, 0.4 s and one more copy of the data at 10^6 rows x 20 columns
    return Prepared(used, treatment, outcome, list(covariates), bad_rows if dropna else 0, notes, full)


def _shown(value: Any) -> str:
    """A value as a message shows it: strings quoted, numbers plain (3.0, not np.float64(3.0))."""
    return repr(value) if isinstance(value, str) else str(value)


def _separating_covariates(
    A: np.ndarray, t: np.ndarray, columns: Sequence[str], which: Sequence[int], arg_lo: np.ndarray, arg_hi: np.ndarray
) -> list[str]:
    """Covariates (the columns of ``A``) that alone separate the arms: their treated and untreated ranges do not intersect.

    Cheap enough to run for every estimator: when one arm holds both the
    smallest and the largest value of a column its range contains the other's,
    so only the columns of ``which`` whose extremes (rows ``arg_lo``, ``arg_hi``)
    are split between the arms, and whose first rows of each arm do not already
    interleave, are checked arm by arm. Separation by a
    combination of covariates is detected by the propensity model's linear program.
    """
    treated = t == 1
    probe1, probe0 = np.flatnonzero(treated)[:256], np.flatnonzero(~treated)[:256]
    out = []
    for j in which:
        if treated[arg_lo[j]] == treated[arg_hi[j]]:
            continue
        x = A[:, j]
        p1, p0 = x[probe1], x[probe0]
        if p1.max() > p0.min() and p0.max() > p1.min():
            continue  # a few rows of each arm already interleave

        x1, x0 = x[treated], x[~treated]
        lo1, hi1, lo0, hi0 = x1.min(), x1.max(), x0.min(), x0.max()
        if hi1 < lo0 or hi0 < lo1:
            out.append(f"covariate {columns[j]!r} separates the arms (treated {lo1:.4g} to {hi1:.4g}, untreated {lo0:.4g} to {hi0:.4g})")
    return out


def check_binary(data: pd.DataFrame, column: str, *, role: str = "treatment", estimator: str = "this estimator") -> np.ndarray:
    """The column as a 0/1 float array, or a DataError naming its values.

    Examples
    --------
    >>> check_binary(pd.DataFrame({"t": [0, 1, 2]}), "t")
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: this estimator needs a binary (0/1) treatment; 't' takes the values [0, 1, 2] (use a regression-based estimator for a continuous treatment)
    """
    values = data[column].to_numpy(dtype=float)
    unique = np.unique(values)
    if not set(unique.tolist()) <= {0.0, 1.0}:
        shown = [int(v) if float(v).is_integer() else float(v) for v in unique[:6]]
        raise DataError(
            f"{estimator} needs a binary (0/1) {role}; {column!r} takes the values {shown}"
            + (" ..." if unique.size > 6 else "")
            + " (use a regression-based estimator for a continuous treatment)"
        )
    return values


class _Recorder(Mapping[str, Any]):
    """A namespace of the data's columns that records every column a formula looks up."""

    def __init__(self, data: pd.DataFrame) -> None:
        self.data = data
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if isinstance(key, str) and key in self.data.columns:
            self.used.add(key)
            return self.data[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (str(c) for c in self.data.columns)

    def __len__(self) -> int:
        return len(self.data.columns)


@dataclass(frozen=True)
class FormulaVariables:
    """The data columns each side of a formula reads, and its left-hand side's value.

    Attributes
    ----------
    lhs, rhs : frozenset of str
        Columns read by the left- and right-hand sides.
    lhs_terms : int
        Number of terms on the left-hand side.
    lhs_value : numpy array or None
        The left-hand side evaluated on the data (when it has one single-factor term).
    """

    lhs: frozenset[str]
    rhs: frozenset[str]
    lhs_terms: int = 0
    lhs_value: np.ndarray | None = None


def _formula_namespace() -> dict[str, Any]:
    """What a formula may call besides the columns: patsy's own functions (C, I, Q, center, bs, ...) and ``np``."""
    import patsy.builtins

    return {"np": np, **{name: getattr(patsy.builtins, name) for name in patsy.builtins.__all__}}


def read_formula(formula: str, data: pd.DataFrame) -> FormulaVariables:
    """The columns a patsy (statsmodels) formula really reads, side by side.

    The formula is parsed by patsy (``ModelDesc.from_formula``) and every
    factor of every term is evaluated, as patsy evaluates it, in a namespace
    that records each column looked up, so ``Q("my col")``, ``C(x)``,
    ``I(x**2)``, ``np.log(x)`` and ``center(x)`` are all seen.

    Raises
    ------
    DataError
        A formula patsy cannot read (with the hint to write a name that is not
        a Python identifier as ``Q("my col")``: patsy has no backquotes), or a
        name that is neither a column of the data nor a formula function.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "t": [0, 1, 1], "my col": [1.0, 2.0, 3.0], "e": ["a", "b", "a"]})
    >>> v = read_formula('y ~ t + np.log(Q("my col")) + C(e)', df)
    >>> sorted(v.lhs), sorted(v.rhs)
    (['y'], ['e', 'my col', 't'])
    >>> read_formula("y ~ t + `my col`", df)
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: cannot read the formula 'y ~ t + `my col`' (patsy: ...); write a column name that is not a Python identifier as Q("my col"), not in backquotes
    """
    import warnings

    import patsy

    if not isinstance(formula, str) or "~" not in formula:
        raise DataError(f"a model formula needs '~', e.g. 'y ~ t + z', got {formula!r}")
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as err:
        hint = '; write a column name that is not a Python identifier as Q("my col"), not in backquotes' if "`" in formula else ""
        raise DataError(f"cannot read the formula {formula!r} (patsy: {err.message}){hint}") from None
    env = patsy.EvalEnvironment([_formula_namespace()])
    sides: list[frozenset[str]] = []
    lhs_value = None
    for side, terms in (("left", desc.lhs_termlist), ("right", desc.rhs_termlist)):
        used: set[str] = set()
        for term in terms:
            for factor in term.factors:
                code = getattr(factor, "code", None)
                if code is None:  # pragma: no cover - string formulas give EvalFactors only
                    raise DataError(f"cannot read the factor {factor!r} of the formula {formula!r}")
                recorder = _Recorder(data)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # the fit evaluates the formula again, and warns there
                        value = env.eval(code, inner_namespace=recorder)
                except NameError as err:
                    name = getattr(err, "name", None)
                    what = repr(name) if name else str(err)
                    raise DataError(
                        f"the formula {formula!r} uses {what}, which is not a column of the data (nor a formula function)"
                    ) from None
                except Exception as err:
                    raise DataError(f"cannot evaluate {code!r} in the formula {formula!r}: {err}") from None
                used |= recorder.used
                if side == "left" and len(terms) == 1 and len(term.factors) == 1:
                    lhs_value = np.asarray(value)
        sides.append(frozenset(used))
    return FormulaVariables(sides[0], sides[1], len(desc.lhs_termlist), lhs_value)


def formula_variables(formula: str, data: pd.DataFrame) -> set[str]:
    """Data columns that a patsy/statsmodels formula uses (both sides; see :func:`read_formula`).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0], "t": [0, 1], "age": [30, 40], "edu": ["a", "b"], "other": [0, 0]})
    >>> sorted(formula_variables("y ~ t + I(age**2) + C(edu)", df))
    ['age', 'edu', 't', 'y']
    """
    v = read_formula(formula, data)
    return set(v.lhs | v.rhs)


def check_formula(
    formula: str,
    data: pd.DataFrame,
    *,
    lhs: str,
    allowed: Iterable[str],
    never: Mapping[str, str],
    allow_extra: bool,
    what: str = "formula",
) -> FormulaVariables:
    """The one formula guard: the left-hand side is ``lhs`` itself, ``never`` stays off the right, the rest is licensed.

    Parameters
    ----------
    formula : str
        A patsy (statsmodels) formula.
    data : DataFrame
    lhs : str
        The column the left-hand side must be, untransformed.
    allowed : iterable of str
        Columns the right-hand side may use (the treatment and the adjustment set).
    never : mapping of str to str
        Columns that may never be on the right-hand side, whatever
        ``allow_extra`` says, each with the reason (the outcome: a model of
        the outcome on itself fits perfectly and estimates nothing).
    allow_extra : bool
        Let the right-hand side use other columns (``allow_extra_variables=True``).
    what : str
        How the messages name the formula ("formula", "propensity formula").

    Raises
    ------
    DataError
        Naming the variable and the formula.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "t": [0, 1, 1], "z": [1.0, 0.0, 2.0]})
    >>> sorted(check_formula("y ~ t + I(z**2)", df, lhs="y", allowed={"t", "z"}, never={}, allow_extra=False).rhs)
    ['t', 'z']
    >>> check_formula("y ~ t + z + y", df, lhs="y", allowed={"t", "z"}, never={"y": "the outcome"}, allow_extra=True)
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: 'y' (the outcome) may not be on the right-hand side of the formula 'y ~ t + z + y'
    """
    v = read_formula(formula, data)
    lhs_text = formula.split("~", 1)[0].strip()
    if v.lhs_terms != 1 or v.lhs != {lhs} or v.lhs_value is None or not _same_values(v.lhs_value, data[lhs]):
        raise DataError(f"the {what}'s left-hand side must be {lhs!r} itself, got {lhs_text!r} in {formula!r}")
    for col, reason in never.items():
        if col in v.rhs:
            raise DataError(f"{col!r} ({reason}) may not be on the right-hand side of the {what} {formula!r}")
    extra = v.rhs - set(allowed) - {lhs}
    if extra and not allow_extra:
        raise DataError(
            f"the {what} uses {sorted(extra)}, which the graph's adjustment set does not license "
            "(it could adjust for a collider or a mediator); pass allow_extra_variables=True to override"
        )
    return v


def _same_values(value: np.ndarray, column: pd.Series) -> bool:
    try:
        return bool(value.shape == (len(column),) and np.array_equal(value.astype(float), column.to_numpy(dtype=float), equal_nan=True))
    except (TypeError, ValueError):
        return bool(value.shape == (len(column),) and (value == column.to_numpy()).all())


def check_propensity_formula(
    formula: str | None, data: pd.DataFrame, treatment: str, covariates: Iterable[str], *, outcome: str, allow_extra: bool
) -> list[str]:
    """Refuse a propensity formula that is not ``treatment ~ ...`` over the adjustment set (a collider or mediator could hide there).

    The outcome and the treatment itself may never be on its right-hand side.
    Returns the columns it uses beyond the adjustment set (allowed by
    ``allow_extra``), for :func:`prepare`'s ``extra``.

    Examples
    --------
    >>> df = pd.DataFrame({"t": [0, 1, 1, 0], "z": [1.0, 2.0, 3.0, 1.0], "w": [0.0, 1.0, 0.0, 2.0], "y": [1.0, 2.0, 3.0, 4.0]})
    >>> check_propensity_formula("t ~ z + w", df, "t", ["z"], outcome="y", allow_extra=False)
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: the propensity formula uses ['w'], which the graph's adjustment set does not license (it could adjust for a collider or a mediator); pass allow_extra_variables=True to override
    >>> check_propensity_formula("t ~ z + w", df, "t", ["z"], outcome="y", allow_extra=True)
    ['w']
    >>> check_propensity_formula("t ~ z + np.log(y)", df, "t", ["z"], outcome="y", allow_extra=True)
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: 'y' (the outcome) may not be on the right-hand side of the propensity formula 't ~ z + np.log(y)'
    """
    if not formula:
        return []
    covs = set(covariates)
    never = {outcome: "the outcome", treatment: "the treatment the propensity model predicts"}
    v = check_formula(formula, data, lhs=treatment, allowed=covs, never=never, allow_extra=allow_extra,
                      what="propensity formula")
    return sorted(v.rhs - covs)


def design_frame(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Numeric covariates with their names: categorical/object columns one-hot encoded (first level dropped).

    Examples
    --------
    >>> list(design_frame(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}), ["a", "b"]).columns)
    ['a', 'b_y']
    """
    frame = data[list(columns)]
    cat = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c]) or isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if cat:
        frame = pd.get_dummies(frame, columns=cat, drop_first=True, dtype=float)
    return frame.astype(float)


def design_matrix(data: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """:func:`design_frame` as a float array (``n × 0`` when there are no columns)."""
    if not columns:
        return np.zeros((len(data), 0))
    return design_frame(data, columns).to_numpy(dtype=float)


def formula_design(formula: str, data: pd.DataFrame, *, drop: Sequence[str] = ()) -> tuple[np.ndarray, list[str]]:
    """The right-hand side of a patsy formula as a model matrix without its intercept, terms reading a ``drop`` column left out.

    The features of a nuisance model given as a formula: the treatment's terms
    (and its interactions) are dropped where the estimator models each arm
    separately or partials the treatment out, and the learners add their own
    intercept. The formula is read as :func:`read_formula` reads it.

    Raises
    ------
    DataError
        A formula patsy cannot build on ``data``.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "t": [0, 1, 1], "z": [1.0, 2.0, 3.0], "g": ["a", "b", "a"]})
    >>> X, names = formula_design("y ~ t + I(z**2) + C(g) + t:z", df, drop=["t"])
    >>> names, X.tolist()
    (['C(g)[T.b]', 'I(z ** 2)'], [[0.0, 1.0], [1.0, 4.0], [0.0, 9.0]])
    """
    m = formula_model(formula, data, drop=drop)
    return m.matrix, m.names


@dataclass(frozen=True)
class FormulaModel:
    """The model matrix of a formula's right-hand side on the fitting data, and the recipe to build it on other rows.

    Attributes
    ----------
    matrix : numpy array
        The columns (no intercept) on the fitting data.
    names : list of str
        Their patsy names.
    design_info : patsy DesignInfo or None
        The recipe (levels of ``C(...)``, state of ``center(...)``), None without terms.
    """

    matrix: np.ndarray
    names: list[str]
    design_info: Any = None

    def rows(self, data: pd.DataFrame) -> np.ndarray:
        """The same columns built on ``data`` with the fitting data's levels and transform states.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "z": [1.0, 2.0, 3.0], "g": ["a", "b", "a"]})
        >>> formula_model("y ~ I(z**2) + C(g)", df).rows(pd.DataFrame({"z": [4.0], "g": ["b"]})).tolist()
        [[1.0, 16.0]]
        """
        import patsy

        if self.design_info is None:
            return np.zeros((len(data), 0))
        try:
            (matrix,) = patsy.build_design_matrices([self.design_info], data, NA_action="raise")
        except Exception as err:
            raise DataError(f"could not build the model matrix on the new rows: {err}") from None
        keep = [i for i, name in enumerate(self.design_info.column_names) if name != "Intercept"]
        return np.asarray(matrix, dtype=float)[:, keep]


def formula_model(formula: str, data: pd.DataFrame, *, drop: Sequence[str] = ()) -> FormulaModel:
    """:func:`formula_design` with the recipe to build the same columns on new rows (:meth:`FormulaModel.rows`).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "t": [0, 1, 1], "z": [1.0, 2.0, 3.0]})
    >>> formula_model("y ~ t + z + t:z", df).names
    ['t', 'z', 't:z']
    """
    import patsy

    reads = read_formula(formula, data).rhs  # the formula's errors, in our words
    key = (formula, tuple(drop), len(data), tuple(sorted(reads)))
    known = _FORMULA_MODELS.get(key, data)
    if known is not None:
        return known
    desc = patsy.ModelDesc.from_formula(formula)
    env = patsy.EvalEnvironment([_formula_namespace()])
    dropped = set(drop)
    terms = []
    for term in desc.rhs_termlist:
        if not term.factors:  # the intercept
            continue
        used: set[str] = set()
        for factor in term.factors:
            recorder = _Recorder(data)
            with contextlib.suppress(Exception):  # read_formula evaluated every factor already
                env.eval(factor.code, inner_namespace=recorder)
            used |= recorder.used
        if not used & dropped:
            terms.append(term)
    if not terms:
        return FormulaModel(np.zeros((len(data), 0)), [])
    try:
        matrix = patsy.dmatrix(patsy.ModelDesc([], [patsy.INTERCEPT, *terms]), data, NA_action="raise", eval_env=env)
    except Exception as err:
        raise DataError(f"could not build the model matrix of {formula!r}: {err}") from None
    names = list(matrix.design_info.column_names)
    keep = [i for i, name in enumerate(names) if name != "Intercept"]
    model = FormulaModel(np.asarray(matrix, dtype=float)[:, keep], [names[i] for i in keep], matrix.design_info)
    _FORMULA_MODELS.put(key, data, model)
    return model


class _FormulaModels:
    """The last few model matrices built from a formula, for a refit on the same columns (a refuter's placebo, dummy outcome).

    patsy takes 26 ms of an IPW fit's 36 ms on the NHEFS propensity formula
    (1,566 rows, categorical and squared terms; 2026-12-01), and a refuter
    refits hundreds of times, most of them with the formula's columns
    unchanged (only the treatment or the outcome replaced). A stored matrix is
    returned only when every column the formula reads is equal, value for
    value and dtype for dtype, to the columns it was built from
    (``Series.equals``), so the matrix is the one patsy would build; only
    small matrices are kept (at most 8 of at most 16 MiB), and each hit is a
    copy.
    """

    _LIMIT, _BYTES = 8, 16 * 2**20

    def __init__(self) -> None:
        import threading
        from collections import OrderedDict

        self._items: OrderedDict[tuple[Any, ...], tuple[dict[str, pd.Series], FormulaModel]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], data: pd.DataFrame) -> FormulaModel | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
        columns, model = item
        if not all(data[name].equals(values) and data[name].dtype == values.dtype for name, values in columns.items()):
            return None
        return FormulaModel(model.matrix.copy(), list(model.names), model.design_info)

    def put(self, key: tuple[Any, ...], data: pd.DataFrame, model: FormulaModel) -> None:
        if model.matrix.nbytes > self._BYTES:
            return
        columns = {name: data[name].copy() for name in key[3]}
        with self._lock:
            self._items[key] = (columns, FormulaModel(model.matrix.copy(), list(model.names), model.design_info))
            self._items.move_to_end(key)
            while len(self._items) > self._LIMIT:
                self._items.popitem(last=False)


_FORMULA_MODELS = _FormulaModels()
