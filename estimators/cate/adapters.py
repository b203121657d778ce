"""Adapters: any EconML CATE estimator or CausalML meta-learner as a dagcore estimator (the optional ``[econml]`` extra).

``dagcore.estimate(estimand, data, method=obj)`` with an object that is not a
dagcore estimator wraps it in :class:`ExternalCate` when it follows one of two
interfaces, checked by the methods it has (nothing is imported):

* **EconML** (``LinearDML``, ``CausalForestDML``, ``DRLearner``, ...):
  ``fit(Y, T, X=..., W=...)`` and ``effect(X)``. dagcore passes the effect
  modifiers as ``X`` and the adjustment set as ``W``; the ATE is the mean
  ``effect(X)`` over the rows, its interval ``ate_interval(X, alpha=)`` when
  the estimator has inference (the SE is the interval's half width over
  ``z``), and ``effect_interval`` is EconML's.
* **CausalML meta-learners** (``BaseTRegressor``, ``BaseXRegressor``, ...):
  ``fit(X, treatment, y)``, ``predict(X)`` and ``estimate_ate(X, treatment, y)``.
  CausalML has no ``W``: the learner gets every feature (controls and
  modifiers) as ``X``, so its CATE needs all of them; the ATE and its
  interval are ``estimate_ate``'s.

The wrapped object is deep-copied before fitting (the user's object is never
fit); refuters re-run the adapter with the same object.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dagcore.errors import EstimatorError
from dagcore.estimators.cate._base import CateEstimator, design
from dagcore.estimators.result import Estimate

__all__ = ["ExternalCate", "external_contract"]


def _params(func: Any) -> list[str]:
    try:
        return list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return []


def external_contract(obj: Any) -> str | None:
    """``"econml"``, ``"causalml"`` or None: which CATE interface ``obj`` follows.

    Examples
    --------
    >>> class Fake:
    ...     def fit(self, Y, T, *, X=None, W=None): return self
    ...     def effect(self, X=None): return X
    >>> external_contract(Fake()), external_contract(object())
    ('econml', None)
    """
    fit = getattr(obj, "fit", None)
    if not callable(fit):
        return None
    names = _params(fit)
    if callable(getattr(obj, "effect", None)) and {"Y", "T"} <= set(names) and ("X" in names or "W" in names):
        return "econml"
    if callable(getattr(obj, "predict", None)) and callable(getattr(obj, "estimate_ate", None)) and names[:3] == ["X", "treatment", "y"]:
        return "causalml"
    return None


def contract_error(obj: Any) -> EstimatorError:
    """The error for a ``method`` object that fits no estimator contract."""
    return EstimatorError(
        f"method must be a method name, a dagcore estimator (class or instance), an EconML CATE estimator "
        f"(fit(Y, T, X=, W=) and effect(X)) or a CausalML meta-learner (fit(X, treatment, y), predict(X), "
        f"estimate_ate(X, treatment, y)); got a {type(obj).__module__}.{type(obj).__name__}, which follows none of these"
    )


class ExternalCate(CateEstimator):
    """A CATE estimator from EconML or CausalML behind dagcore's contract (see the module docstring).

    Parameters
    ----------
    model : object
        An unfitted EconML CATE estimator or CausalML meta-learner.
    effect_modifiers : sequence of str, optional
        EconML's ``X``; default the graph's pre-treatment covariates.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> class ConstantEffect:  # the smallest EconML-like estimator: the difference in means
    ...     def fit(self, Y, T, *, X=None, W=None):
    ...         self.d = Y[T == 1].mean() - Y[T == 0].mean(); return self
    ...     def effect(self, X=None):
    ...         return np.full(len(X), self.d)
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 0.0, 1.0], "t": [0, 1, 0, 1], "y": [0.0, 2.0, 1.0, 3.0]})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    >>> est = ExternalCate(model=ConstantEffect(), effect_modifiers=["x"]).fit(df, e).estimate_
    >>> est.value, est.method
    (2.0, 'econml:ConstantEffect')
    """

    name = "external"

    model: Any = None

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        kind = external_contract(self.model)
        if kind is None:
            raise contract_error(self.model)
        model = copy.deepcopy(self.model)
        d = self._setup(data, estimand, binary=(kind == "causalml"))
        W, _ = design(d.prep.data, list(d.choice.controls), None)
        n = len(d.t)
        self.name = f"{kind}:{type(self.model).__name__}"  # type: ignore[misc]
        z = float(stats.norm.ppf(0.5 + self.level / 2))
        ci: tuple[float, float] | None = None
        try:
            if kind == "econml":
                X = d.V if d.V.shape[1] else None
                model.fit(d.y, d.t, X=X, W=W if W.shape[1] else None)
                self._cate_on_modifiers = True
                cate = self._econml_effect(model, d.V)
                value = float(cate.mean())
                se = float("nan")
                if callable(getattr(model, "ate_interval", None)):
                    try:
                        lo, hi = model.ate_interval(X, alpha=1 - self.level)
                        ci = (float(np.ravel(lo)[0]), float(np.ravel(hi)[0]))
                        se = (ci[1] - ci[0]) / (2 * z)
                    except Exception:  # an EconML estimator fit without inference
                        ci = None
                inference = "EconML's ate_interval" if ci is not None else "none (the EconML estimator has no inference)"
            else:
                model.fit(d.F, d.t, d.y)
                self._cate_on_modifiers = False
                cate = np.asarray(model.predict(d.F), dtype=float).reshape(n, -1)[:, 0]
                kwargs = {"pretrain": True} if "pretrain" in _params(model.estimate_ate) else {}
                ate, lb, ub = (np.ravel(np.asarray(v, dtype=float))[0] for v in model.estimate_ate(d.F, d.t, d.y, **kwargs))
                value, ci = float(ate), (float(lb), float(ub))
                se = (ci[1] - ci[0]) / (2 * z)
                inference = "CausalML's estimate_ate interval"
        except EstimatorError:
            raise
        except Exception as err:
            raise EstimatorError(f"the {kind} estimator {type(self.model).__name__} failed: {type(err).__name__}: {err}") from None
        self.model_ = model
        self.kind_ = kind
        self.cate_ = cate
        return self._result(
            estimand, value, se if np.isfinite(se) else float("nan"), n, inference=inference,
            ci=ci if ci is not None else (float("nan"), float("nan")),
            diagnostics=self._cate_diagnostics(cate), notes=d.notes,
        )

    @staticmethod
    def _econml_effect(model: Any, V: np.ndarray) -> np.ndarray:
        out = np.asarray(model.effect(V if V.shape[1] else None), dtype=float)
        return np.broadcast_to(out.reshape(-1), (len(V),)).copy() if out.size in (1, len(V)) else out.reshape(len(V), -1)[:, 0]

    def _effect(self, X: np.ndarray) -> np.ndarray:
        if self.kind_ == "econml":
            return self._econml_effect(self.model_, X)
        return np.asarray(self.model_.predict(X), dtype=float).reshape(len(X), -1)[:, 0]

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        if self.kind_ == "econml" and callable(getattr(self.model_, "effect_interval", None)):
            try:
                lo, hi = self.model_.effect_interval(X if X.shape[1] else None, alpha=1 - level)
            except Exception as err:
                raise EstimatorError(f"the EconML estimator gives no effect interval: {err}") from None
            return np.asarray(lo, dtype=float).reshape(-1), np.asarray(hi, dtype=float).reshape(-1)
        return super()._interval(X, level)
