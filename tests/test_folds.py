"""The K-fold row layout (estimators/_folds.py) and the propensity fits that read it: the same rows, the same fits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore.errors import DataError, SeparationError
from dagcore.estimators import _nuisance
from dagcore.estimators._folds import FoldLayout, StackedRows, row_chunks
from dagcore.estimators._nuisance import (
    LogisticMLE,
    NewtonState,
    _logistic_hessian,
    cross_fit_logistic,
    crossfit_folds,
    logistic_newton,
)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(12, 80), k=st.integers(2, 5), seed=st.integers(0, 10_000), fortran=st.booleans())
def test_the_layout_holds_each_folds_rows(n: int, k: int, seed: int, fortran: bool) -> None:
    rng = np.random.default_rng(seed)
    t = (rng.random(n) < 0.5).astype(int)
    t[:k], t[k : 2 * k] = 1, 0  # both arms in every fold
    folds = crossfit_folds(t, k, random_state=seed)
    layout = FoldLayout(folds, t, 2)
    X = rng.normal(size=(n, 3))
    X = np.asfortranarray(X) if fortran else X
    Xs = layout.gather(X)
    assert Xs.flags.f_contiguous == fortran or X.shape[1] == 1
    np.testing.assert_array_equal(Xs, X[layout.order])
    np.testing.assert_array_equal(layout.restore(Xs), X)
    for i, (train, test) in enumerate(folds):
        np.testing.assert_array_equal(np.sort(layout.order[slice(*layout.held_out_bounds[i])]), np.sort(test))
        for g in (0, 1):
            block = layout.order[slice(*layout.block_bounds[i][g])]
            np.testing.assert_array_equal(block, np.sort(test[t[test] == g]))  # the data's order within a block
            np.testing.assert_array_equal(np.sort(layout.order[layout.training_positions(i, g)]), np.sort(train[t[train] == g]))
        rows = np.asarray(layout.training(Xs, i))
        np.testing.assert_array_equal(rows, Xs[layout.training_positions(i)])
        np.testing.assert_array_equal(np.sort(layout.order[layout.training_positions(i)]), np.sort(train))
        np.testing.assert_array_equal(layout.training_vector(np.arange(n), i), layout.training_positions(i))


def test_a_split_that_is_not_k_fold_is_refused() -> None:
    rows = np.arange(6)
    with pytest.raises(ValueError, match="K-fold"):
        FoldLayout([(rows, rows)])  # no cross-fitting: train and test are the same rows
    with pytest.raises(ValueError, match="K-fold"):
        FoldLayout([(rows[3:], rows[:3]), (rows[:3], rows[2:])])  # overlapping test parts


def test_stacked_rows_act_as_their_concatenation() -> None:
    rng = np.random.default_rng(1)
    parts = [rng.normal(size=(m, 4)) for m in (5, 0, 9, 3)]
    whole, rows = np.concatenate(parts), StackedRows(parts)
    v, r = rng.normal(size=4), rng.normal(size=17)
    assert rows.shape == whole.shape
    np.testing.assert_allclose(rows @ v, whole @ v, rtol=1e-14)
    np.testing.assert_allclose(rows.rmatvec(r), whole.T @ r, rtol=1e-13)
    np.testing.assert_array_equal(np.vstack([c for _, c in row_chunks(rows, 4)]), whole)
    assert [lo for lo, _ in row_chunks(rows, 4)] == [0, 4, 5, 9, 13, 14]
    np.testing.assert_array_equal(np.asarray(rows), whole)


def test_the_logistic_fit_on_stacked_rows_is_the_fit_on_their_copy() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(900, 3)) * [1.0, 100.0, 0.01] + [0.0, 5e3, 1.0]
    X[:, 2] = np.where(np.arange(900) < 400, 1.0, X[:, 2])
    t = (rng.random(900) < 1 / (1 + np.exp(-(X[:, 0] - 0.5)))).astype(float)
    rows = StackedRows([X[:400], X[400:]])
    np.testing.assert_allclose(np.r_[logistic_newton(rows, t)], np.r_[logistic_newton(X, t)], rtol=1e-10)
    X[:, 1] = 7.0  # a constant column: dropped in both
    rows = StackedRows([X[:400], X[400:]])
    np.testing.assert_allclose(np.r_[logistic_newton(rows, t)], np.r_[logistic_newton(X, t)], rtol=1e-10)
    separated = (X[:, 0] > 0).astype(float)
    with pytest.raises(SeparationError, match="column 0"):
        logistic_newton(rows, separated)


def _standardised_hessian(X: np.ndarray, fit: tuple[float, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    mu, sd = X.mean(axis=0), X.std(axis=0)
    eta = X @ fit[1] + fit[0]
    hess = np.empty((X.shape[1] + 1,) * 2)
    _logistic_hessian(X, 1 / (1 + np.exp(-eta)), mu, sd, False, np.empty_like(X), hess)
    return hess, eta


@pytest.mark.parametrize("distance", [1e-4, 3e-3, 0.3, 3.0])
def test_a_run_continued_from_a_newton_state_reaches_the_mle(distance: float) -> None:
    """The chord steps from a known Hessian end at the MLE whether the Hessian's point is near or far."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(5000, 3)) * [1.0, 3.0, 0.5] + [2.0, -1.0, 0.0]
    t = (rng.random(5000) < 1 / (1 + np.exp(-(X @ [0.7, -0.3, 1.2] - 0.4)))).astype(float)
    moments = (X.mean(axis=0), X.std(axis=0))
    b0, b = logistic_newton(X, t)
    there = (b0 + distance, b * (1 + distance))
    hess, eta = _standardised_hessian(X, there)
    start = (there[0] - 0.5 * distance, there[1] * (1 - 0.5 * distance))
    c0, c = logistic_newton(X, t, start=start, moments=moments, state=NewtonState(hess, eta, distance))
    np.testing.assert_allclose(np.r_[c0, c], np.r_[b0, b], rtol=1e-9, atol=1e-12)


def test_the_folds_after_the_first_continue_without_a_new_hessian(monkeypatch: pytest.MonkeyPatch) -> None:
    """On big data the later folds start from one Newton step off the first fold's fit (no Hessian of their own) and reach their MLEs."""
    rng = np.random.default_rng(5)
    n = 240_000
    X = np.asfortranarray(rng.normal(size=(n, 3)) * [1.0, 20.0, 0.1] + [0.0, 300.0, 1.0])
    t = (rng.random(n) < 1 / (1 + np.exp(-(X @ [0.8, 0.02, 3.0] - 9.0)))).astype(float)
    folds = crossfit_folds(t, 5, random_state=0)
    hessians: list[int] = []
    original = _nuisance._logistic_hessian

    def counting(X: object, p: np.ndarray, *args: object) -> None:
        hessians.append(len(p))
        original(X, p, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_nuisance, "_logistic_hessian", counting)
    e = cross_fit_logistic(X, t, folds)
    training = [n_rows for n_rows in hessians if n_rows > 100_000]  # the fits on a training set (not a subsample or a fold's share)
    assert 1 <= len(training) <= 3, hessians  # the first fold's fit only
    monkeypatch.setattr(_nuisance, "_logistic_hessian", original)
    for train, test in folds:
        cold = LogisticMLE().fit(X[train], t[train]).predict_proba(X[test])[:, 1]
        np.testing.assert_allclose(e[test], cold, rtol=1e-9, atol=1e-12)


def test_a_column_constant_on_one_training_set_is_dropped_there_only() -> None:
    rng = np.random.default_rng(6)
    n = 3000
    X = rng.normal(size=(n, 3))
    t = (rng.random(n) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    folds = crossfit_folds(t, 5, random_state=1)
    X[:, 2] = 0.0
    X[folds[2][1], 2] = rng.normal(size=folds[2][1].size)  # varies in fold 2's held-out rows only
    e = cross_fit_logistic(X, t, folds)
    for train, test in folds:
        cold = LogisticMLE().fit(X[train], t[train]).predict_proba(X[test])[:, 1]
        np.testing.assert_allclose(e[test], cold, rtol=1e-9, atol=1e-12)


def test_a_training_set_with_one_class_is_a_named_error() -> None:
    t = np.r_[np.ones(5), np.zeros(5)]
    folds = [(np.arange(5, 10), np.arange(5)), (np.arange(5), np.arange(5, 10))]
    with pytest.raises(DataError, match="two classes, got 1"):
        cross_fit_logistic(np.arange(10.0)[:, None], t, folds)


@pytest.mark.parametrize("dtype", [float, bool, np.int64])
def test_the_folds_are_scikit_learns_stratified_folds_of_the_treatment(dtype: type) -> None:
    """crossfit_folds hands StratifiedKFold compact labels (faster): the folds must be those of the treatment itself."""
    from sklearn.model_selection import StratifiedKFold

    t = (np.random.default_rng(7).random(5000) < 0.3).astype(dtype)
    expected = StratifiedKFold(5, shuffle=True, random_state=3).split(np.zeros((5000, 1)), t)
    for (train, test), (want_train, want_test) in zip(crossfit_folds(t, 5, random_state=3), expected, strict=True):
        np.testing.assert_array_equal(test, want_test)
        np.testing.assert_array_equal(train, want_train)
