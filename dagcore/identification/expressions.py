"""Probability expressions: small immutable objects that render to text and LaTeX and evaluate numerically.

``P(("y",), ("x", "z"))`` is ``P(y | x, z)``; :class:`Sum`, :class:`Product`
and :class:`Fraction` combine them. Identification formulas (adjustment,
front-door, the ID algorithm) are built from these, simplified with
:func:`simplify`, shown with ``to_text()``/``to_latex()``, and evaluated on a
discrete joint distribution with :func:`evaluate`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Expression",
    "P",
    "Sum",
    "Product",
    "Fraction",
    "simplify",
    "backdoor_formula",
    "frontdoor_formula",
    "JointDistribution",
    "evaluate",
    "rename_bound",
]


def _fmt_vars(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _latex_name(name: str) -> str:
    simple = name.replace("_", r"\_")
    return simple if len(name) == 1 else r"\mathrm{" + simple + "}"


class Expression:
    """Base class of probability expressions."""

    def to_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_latex(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def free_variables(self) -> frozenset[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:
        return self.to_text()


@dataclass(frozen=True)
class P(Expression):
    """A (conditional) probability ``P(variables | given)`` over observed variables.

    Examples
    --------
    >>> print(P(("y",), ("x", "z")))
    P(y | x, z)
    >>> P(("y",), ("x",)).to_latex()
    'P(y \\\\mid x)'
    """

    variables: frozenset[str]
    given: frozenset[str] = frozenset()

    def __init__(self, variables: Iterable[str], given: Iterable[str] = ()) -> None:
        object.__setattr__(self, "variables", frozenset((variables,) if isinstance(variables, str) else variables))
        object.__setattr__(self, "given", frozenset((given,) if isinstance(given, str) else given) - self.variables)

    def to_text(self) -> str:
        inner = _fmt_vars(self.variables)
        return f"P({inner} | {_fmt_vars(self.given)})" if self.given else f"P({inner})"

    def to_latex(self) -> str:
        inner = ", ".join(_latex_name(v) for v in sorted(self.variables))
        if self.given:
            return f"P({inner} \\mid {', '.join(_latex_name(v) for v in sorted(self.given))})"
        return f"P({inner})"

    def free_variables(self) -> frozenset[str]:
        return self.variables | self.given


@dataclass(frozen=True)
class Sum(Expression):
    """``Σ_{over} expression``."""

    over: frozenset[str]
    expression: Expression

    def __init__(self, over: Iterable[str], expression: Expression) -> None:
        object.__setattr__(self, "over", frozenset((over,) if isinstance(over, str) else over))
        object.__setattr__(self, "expression", expression)

    def to_text(self) -> str:
        return f"Σ_{{{_fmt_vars(self.over)}}} {self.expression.to_text()}"

    def to_latex(self) -> str:
        return f"\\sum_{{{', '.join(_latex_name(v) for v in sorted(self.over))}}} {self.expression.to_latex()}"

    def free_variables(self) -> frozenset[str]:
        return self.expression.free_variables() - self.over


@dataclass(frozen=True)
class Product(Expression):
    """A product of factors (order kept for display)."""

    factors: tuple[Expression, ...]

    def __init__(self, factors: Iterable[Expression]) -> None:
        object.__setattr__(self, "factors", tuple(factors))

    def to_text(self) -> str:
        if not self.factors:
            return "1"
        return " ".join(f"[{f.to_text()}]" if isinstance(f, (Sum, Fraction)) else f.to_text() for f in self.factors)

    def to_latex(self) -> str:
        if not self.factors:
            return "1"
        return " ".join(f"\\left({f.to_latex()}\\right)" if isinstance(f, Sum) else f.to_latex() for f in self.factors)

    def free_variables(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for f in self.factors:
            out |= f.free_variables()
        return out


@dataclass(frozen=True)
class Fraction(Expression):
    """``numerator / denominator``."""

    numerator: Expression
    denominator: Expression

    def to_text(self) -> str:
        return f"[{self.numerator.to_text()}] / [{self.denominator.to_text()}]"

    def to_latex(self) -> str:
        return f"\\frac{{{self.numerator.to_latex()}}}{{{self.denominator.to_latex()}}}"

    def free_variables(self) -> frozenset[str]:
        return self.numerator.free_variables() | self.denominator.free_variables()


# ---------------------------------------------------------------------------------------------- simplification
def simplify(expr: Expression) -> Expression:
    """Remove what should not be left in a formula.

    - ``Σ_{x,y} P(x, y, z)`` becomes ``P(z)`` (marginalising a joint);
    - sums over variables that do not occur are dropped, nested sums merged;
    - products of one factor are unwrapped, nested products flattened;
    - ``P(a, b) / P(b)`` becomes ``P(a | b)``; a factor equal to 1 (``Σ_a P(a | b)``) is dropped;
    - factors shared by a numerator and its denominator cancel (``[P(a) P(b | a)] / [P(a)]`` is ``P(b | a)``).

    Examples
    --------
    >>> print(simplify(Sum({"x", "y"}, P({"x", "y", "z"}))))
    P(z)
    >>> print(simplify(Fraction(P({"a", "b"}), P({"b"}))))
    P(a | b)
    >>> print(simplify(Fraction(Product([P({"a"}), P({"b"}, {"a"})]), P({"a"}))))
    P(b | a)
    """
    if isinstance(expr, P):
        return expr
    if isinstance(expr, Fraction):
        num, den = simplify(expr.numerator), simplify(expr.denominator)
        if isinstance(den, Product) and not den.factors:
            return num
        if isinstance(num, P) and isinstance(den, P) and not num.given and not den.given and den.variables < num.variables:
            return P(num.variables - den.variables, den.variables)
        if isinstance(num, P) and isinstance(den, P) and num.given == den.given and den.variables < num.variables:
            return P(num.variables - den.variables, den.variables | den.given)
        if den == num:
            return Product(())
        cancelled = _cancel(num, den)
        if cancelled is not None:
            return simplify(cancelled)
        return Fraction(num, den)
    if isinstance(expr, Product):
        flat: list[Expression] = []
        for f in expr.factors:
            s = simplify(f)
            if isinstance(s, Product):
                flat.extend(s.factors)
            else:
                flat.append(s)
        return flat[0] if len(flat) == 1 else Product(flat)
    if isinstance(expr, Sum):
        inner = simplify(expr.expression)
        over = set(expr.over)
        if isinstance(inner, Sum):
            over |= inner.over
            inner = inner.expression
        over &= inner.free_variables()
        if not over:
            return inner
        if isinstance(inner, P):
            if not inner.given and over <= inner.variables:
                rest = inner.variables - over
                return P(rest) if rest else Product(())
            if over <= inner.variables:  # Σ_a P(a, b | c) = P(b | c); Σ_a P(a | c) = 1
                rest = inner.variables - over
                return P(rest, inner.given) if rest else Product(())
        if isinstance(inner, Product):
            # pull out factors that do not depend on the summed variables
            outside = [f for f in inner.factors if not (f.free_variables() & over)]
            inside = [f for f in inner.factors if f.free_variables() & over]
            if outside and inside:
                summed = simplify(Sum(over, Product(inside) if len(inside) > 1 else inside[0]))
                return simplify(Product([*outside, summed]))
            # chain rule: Σ_a P(a | b, c) P(b, c ...) patterns are kept as they are
            # drop a trailing factor that sums to one: Σ_v P(v | rest) with v only in it
            for i, f in enumerate(inside):
                if isinstance(f, P) and len(f.variables) == 1:
                    (v,) = f.variables
                    if v in over and all(v not in g.free_variables() for j, g in enumerate(inside) if j != i):
                        others = inside[:i] + inside[i + 1 :]
                        new_over = over - {v}
                        body = Product(others) if len(others) != 1 else others[0]
                        return simplify(Sum(new_over, body)) if others else Product(())
        return Sum(over, inner)
    return expr


def _factors(expr: Expression) -> list[Expression]:
    return list(expr.factors) if isinstance(expr, Product) else [expr]


def _cancel(num: Expression, den: Expression) -> Expression | None:
    """``[A B] / [A]`` becomes ``B``; ``[A B] / [A C]`` becomes ``[B] / [C]``; None when no factor is shared."""
    top, bottom = _factors(num), _factors(den)
    shared = False
    for f in list(bottom):
        if f in top:
            top.remove(f)
            bottom.remove(f)
            shared = True
    if not shared:
        return None
    n = top[0] if len(top) == 1 else Product(top)
    return n if not bottom else Fraction(n, bottom[0] if len(bottom) == 1 else Product(bottom))


# ---------------------------------------------------------------------------------------------- formulas
def backdoor_formula(x: Iterable[str], y: Iterable[str], z: Iterable[str]) -> Expression:
    """``Σ_z P(y | x, z) P(z)`` (``P(y | x)`` when z is empty).

    Examples
    --------
    >>> print(backdoor_formula(["X"], ["Y"], ["Z"]))
    Σ_{Z} P(Y | X, Z) P(Z)
    >>> print(backdoor_formula(["X"], ["Y"], []))
    P(Y | X)
    """
    xs, ys, zs = frozenset(x), frozenset(y), frozenset(z)
    if not zs:
        return P(ys, xs)
    return Sum(zs, Product([P(ys, xs | zs), P(zs)]))


def frontdoor_formula(x: Iterable[str], y: Iterable[str], m: Iterable[str]) -> Expression:
    """``Σ_m P(m | x) Σ_{x'} P(y | x', m) P(x')``, with ``x'`` written as the summed ``x``.

    Examples
    --------
    >>> print(frontdoor_formula(["X"], ["Y"], ["M"]))
    Σ_{M} P(M | X) [Σ_{X'} P(Y | M, X') P(X')]
    """
    xs, ys, ms = frozenset(x), frozenset(y), frozenset(m)
    primed = frozenset(v + "'" for v in xs)
    inner = Sum(primed, Product([P(ys, ms | primed), P(primed)]))
    return Sum(ms, Product([P(ms, xs), inner]))


# ---------------------------------------------------------------------------------------------- evaluation
class JointDistribution:
    """A discrete joint distribution over named variables, as a probability table.

    Parameters
    ----------
    variables : sequence of str
    domains : mapping of variable to sequence of values
    table : mapping of value tuples (in ``variables`` order) to probabilities

    Examples
    --------
    >>> d = JointDistribution(["a", "b"], {"a": [0, 1], "b": [0, 1]},
    ...                       {(0, 0): .1, (0, 1): .2, (1, 0): .3, (1, 1): .4})
    >>> round(d.probability({"a": 1}), 10), round(d.probability({"b": 1}, {"a": 1}), 10)
    (0.7, 0.5714285714)
    """

    def __init__(self, variables: Sequence[str], domains: Mapping[str, Sequence[Any]], table: Mapping[tuple, float]) -> None:
        self.variables = tuple(variables)
        self.domains = {v: tuple(domains[v]) for v in self.variables}
        self.table = dict(table)
        self._index = {v: i for i, v in enumerate(self.variables)}
        self._cache: dict[tuple, float] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]], variables: Sequence[str]) -> JointDistribution:
        """Empirical frequencies of observed rows (each a sequence in ``variables`` order)."""
        counts: dict[tuple, int] = {}
        n = 0
        for row in rows:
            key = tuple(row)
            counts[key] = counts.get(key, 0) + 1
            n += 1
        if n == 0:
            raise ValueError("no rows")
        domains = {v: sorted({k[i] for k in counts}) for i, v in enumerate(variables)}
        return cls(variables, domains, {k: c / n for k, c in counts.items()})

    def probability(self, event: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> float:
        """``P(event | given)``; 0 when ``P(given)`` is 0."""
        if given:
            den = self._marginal({**given})
            if den == 0:
                return 0.0
            return self._marginal({**given, **event}) / den
        return self._marginal(dict(event))

    def _marginal(self, event: dict[str, Any]) -> float:
        key = tuple(sorted(event.items(), key=lambda kv: kv[0]))
        if key in self._cache:
            return self._cache[key]
        for v in event:
            if v not in self._index:
                raise KeyError(f"unknown variable {v!r}")
        idx = [(self._index[v], val) for v, val in event.items()]
        total = sum(p for k, p in self.table.items() if all(k[i] == val for i, val in idx))
        self._cache[key] = total
        return total


def rename_bound(expr: Expression, outer: frozenset[str] = frozenset()) -> Expression:
    """Rename summed variables that clash with free variables around them (``x`` becomes ``x'``).

    Examples
    --------
    >>> e = Sum({"m"}, Product([P({"m"}, {"x"}), Sum({"x"}, Product([P({"y"}, {"x", "m"}), P({"x"})]))]))
    >>> print(rename_bound(e))
    Σ_{m} P(m | x) [Σ_{x'} P(y | m, x') P(x')]
    """
    if isinstance(expr, P):
        return expr
    if isinstance(expr, Sum):
        clash = expr.over & outer
        body = expr.expression
        over = set(expr.over)
        if clash:
            taken = outer | expr.expression.free_variables() | expr.over
            mapping = {}
            for v in clash:
                new = v + "'"
                while new in taken:
                    new += "'"
                taken |= {new}
                mapping[v] = new
            body = _substitute(body, mapping)
            over = (over - clash) | set(mapping.values())
        return Sum(over, rename_bound(body, outer | frozenset(over)))
    if isinstance(expr, Product):
        free = expr.free_variables() | outer
        return Product([rename_bound(f, free) for f in expr.factors])
    if isinstance(expr, Fraction):
        free = expr.free_variables() | outer
        return Fraction(rename_bound(expr.numerator, free), rename_bound(expr.denominator, free))
    return expr


def _substitute(expr: Expression, mapping: Mapping[str, str]) -> Expression:
    """Rename free occurrences of variables (bound ones inside nested sums are left alone)."""
    if isinstance(expr, P):
        return P({mapping.get(v, v) for v in expr.variables}, {mapping.get(v, v) for v in expr.given})
    if isinstance(expr, Sum):
        inner = {k: v for k, v in mapping.items() if k not in expr.over}
        return Sum(expr.over, _substitute(expr.expression, inner))
    if isinstance(expr, Product):
        return Product([_substitute(f, mapping) for f in expr.factors])
    if isinstance(expr, Fraction):
        return Fraction(_substitute(expr.numerator, mapping), _substitute(expr.denominator, mapping))
    return expr


def _base(name: str) -> str:
    return name.rstrip("'")


def evaluate(expr: Expression, distribution: JointDistribution, values: Mapping[str, Any]) -> float:
    """The numeric value of ``expr`` under ``distribution`` with free variables set to ``values``.

    A primed variable ``x'`` ranges over the domain of ``x`` and is looked up
    as ``x`` in the distribution.

    Examples
    --------
    >>> d = JointDistribution(["x", "y"], {"x": [0, 1], "y": [0, 1]},
    ...                       {(0, 0): .2, (0, 1): .2, (1, 0): .1, (1, 1): .5})
    >>> round(evaluate(P({"y"}, {"x"}), d, {"x": 1, "y": 1}), 10)
    0.8333333333
    """
    if isinstance(expr, P):
        event = {_base(v): values[v] for v in expr.variables}
        given = {_base(v): values[v] for v in expr.given}
        for v, val in given.items():
            if v in event and event[v] != val:
                return 0.0
        return distribution.probability(event, given or None)
    if isinstance(expr, Product):
        out = 1.0
        for f in expr.factors:
            out *= evaluate(f, distribution, values)
            if out == 0.0:
                return 0.0
        return out
    if isinstance(expr, Fraction):
        den = evaluate(expr.denominator, distribution, values)
        return 0.0 if den == 0 else evaluate(expr.numerator, distribution, values) / den
    if isinstance(expr, Sum):
        over = sorted(expr.over)
        total = 0.0
        for combo in itertools.product(*(distribution.domains[_base(v)] for v in over)):
            total += evaluate(expr.expression, distribution, {**values, **dict(zip(over, combo))})
        return total
    raise TypeError(f"cannot evaluate {type(expr).__name__}")
