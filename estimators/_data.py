"""Input validation at the boundary of the estimator layer.

Every estimator calls :func:`prepare` first, so bad data gets a precise
:class:`~dagcore.DataError` naming the column and the problem, never a
traceback from deep inside pandas, statsmodels or scikit-learn.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches

import numpy as np
import pandas as pd

from dagcore.errors import DataError

__all__ = ["Prepared", "prepare", "formula_variables", "check_binary", "design_frame", "design_matrix"]


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


def _check_columns(data: pd.DataFrame, columns: Iterable[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
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
        A missing column (with a did-you-mean), missing values (counted per
        column) when ``dropna`` is False, a non-numeric column that is not
        categorical, or no rows left.

    Examples
    --------
    >>> df = pd.DataFrame({"t": [0, 1, 1, 0], "y": [1.0, 2.0, None, 0.5], "z": [1, 2, 3, 4]})
    >>> prepare(df, "t", "y", ["z"])
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: 1 row has missing values (y: 1); pass dropna=True (--dropna on the command line) to drop them
    >>> len(prepare(df, "t", "y", ["z"], dropna=True).data)
    3
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
    missing = used.isna()
    bad_rows = int(missing.any(axis=1).sum())
    notes: list[str] = []
    full = None
    if keep_missing_outcome:
        cov_cols = [c for c in columns if c != outcome]
        full = data.loc[~data[cov_cols].isna().any(axis=1), columns]
    if bad_rows:
        per_column = {c: int(n) for c, n in missing.sum().items() if n}
        detail = ", ".join(f"{c}: {n}" for c, n in per_column.items())
        if not dropna:
            raise DataError(
                f"{bad_rows} row{'s have' if bad_rows != 1 else ' has'} missing values ({detail}); pass dropna=True (--dropna on the command line) to drop them"
            )
        used = used.loc[~missing.any(axis=1)]
        notes.append(f"dropped {bad_rows} rows with missing values ({detail})")
    if len(used) == 0:
        raise DataError("no rows left to estimate from")
    for col in (treatment, outcome):
        values = used[col].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise DataError(f"column {col!r} has infinite values")
    if used[treatment].nunique() < 2:
        raise DataError(f"treatment {treatment!r} is constant ({used[treatment].iloc[0]!r}): there is no contrast to estimate")
    return Prepared(used.copy(), treatment, outcome, list(covariates), bad_rows if dropna else 0, notes, full)


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


_FORMULA_FUNCTIONS = {"C", "I", "np", "log", "exp", "sqrt", "center", "standardize", "scale", "bs", "cr", "Q", "poly", "Treatment", "Sum"}


def formula_variables(formula: str, columns: Iterable[str]) -> set[str]:
    """Data columns that a patsy/statsmodels formula uses.

    Examples
    --------
    >>> sorted(formula_variables("y ~ t + I(age**2) + C(edu)", ["y", "t", "age", "edu", "other"]))
    ['age', 'edu', 't', 'y']
    """
    cols = set(columns)
    text = formula.replace("~", "+").replace(":", "*").strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise DataError(f"cannot read the formula {formula!r}") from None
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in functions:
            if node.id in cols:
                found.add(node.id)
            elif node.id not in _FORMULA_FUNCTIONS:
                raise DataError(f"the formula {formula!r} uses {node.id!r}, which is not a column of the data")
    return found


def check_propensity_formula(formula: str | None, columns: Iterable[str], treatment: str, covariates: Iterable[str], *, allow_extra: bool) -> None:
    """Refuse a propensity formula that uses variables outside the adjustment set (a collider or mediator could hide there).

    Examples
    --------
    >>> check_propensity_formula("t ~ z + w", ["t", "z", "w"], "t", ["z"], allow_extra=False)
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: the propensity formula uses ['w'], outside the adjustment set; pass allow_extra_variables=True to override
    """
    if not formula:
        return
    extra = formula_variables(formula, columns) - {treatment} - set(covariates)
    if extra and not allow_extra:
        raise DataError(f"the propensity formula uses {sorted(extra)}, outside the adjustment set; pass allow_extra_variables=True to override")


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
