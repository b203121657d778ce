"""Honest estimands: an instrument is not nonparametric identification, formulas have no unexplained free variables."""

from __future__ import annotations

import json

import pytest
from test_identification import BinarySCM

from dagcore import (
    Estimand,
    EstimatorError,
    Fraction,
    P,
    Product,
    evaluate,
    identify,
    simplify,
)
from dagcore.cli import main
from dagcore.grammar import parse

IV = "Z -> X -> Y; W -> Z; W -> Y; X <-> Y; X [exposure]; Y [outcome]"


def test_an_iv_estimand_is_not_called_identified() -> None:
    e = identify(parse(IV))
    assert e.strategy == "iv" and not e.identified and e.estimable and bool(e) and e.parametric
    assert e.identified_under == "linearity/homogeneity (or LATE under monotonicity)"
    assert e.headline().endswith(
        "not identifiable without parametric assumptions; identified under linearity/homogeneity "
        "(or LATE under monotonicity) by instrument Z given {W}"
    )
    assert "hedge" in e.reason  # why nonparametric identification failed
    assert e.assumptions[0].startswith("parametric:")
    d = e.to_dict()
    assert d["identified"] is False and d["estimable"] is True and d["identified_under"] == e.identified_under
    assert "why not nonparametrically: not identifiable: the hedge" in e.summary()


def test_conditional_iv_latex_keeps_the_conditioning() -> None:
    e = identify(parse(IV))
    assert e.formula == "Cov(Z, Y | W) / Cov(Z, X | W)"
    assert e.latex == r"\frac{\mathrm{Cov}(Z, Y \mid W)}{\mathrm{Cov}(Z, X \mid W)}"


def test_other_strategies_are_identified_and_not_parametric() -> None:
    e = identify(parse("C -> X -> Y; C -> Y; X [exposure]; Y [outcome]"))
    assert e.identified and e.estimable and not e.parametric and e.identified_under is None
    bow = identify(parse("X -> Y; X <-> Y; X [exposure]; Y [outcome]"))
    assert not bow.identified and not bow.estimable and not bow


def test_the_napkin_formula_has_no_free_variable_and_evaluates_on_x_and_y() -> None:
    g = parse("W -> Z -> X -> Y; W <-> X; W <-> Y; X [exposure]; Y [outcome]")
    e = identify(g)
    assert e.expression.free_variables() == {"X", "Y"}
    scm = BinarySCM(g, seed=5)
    dist = scm.observational()
    for x in (0, 1):
        assert evaluate(e.expression, dist, {"X": x, "Y": 1}) == pytest.approx(scm.interventional({"X": x}, {"Y": 1}), abs=1e-12)


def test_shared_factors_cancel() -> None:
    a, b, c = P({"a"}), P({"b"}, {"a"}), P({"c"})
    assert simplify(Fraction(Product([a, b]), a)) == b
    assert simplify(Fraction(Product([a, b]), Product([a, c]))) == Fraction(b, c)


def test_identify_given_runs_idc_at_the_top_level() -> None:
    g = parse("Z -> X -> Y; Z -> Y; X [exposure]; Y [outcome]")
    e = identify(g, given="Z")
    assert e.strategy == "id" and e.given == {"Z"} and e.formula == "P(Y | X, Z)"
    assert e.headline().startswith("Effect of X on Y given {Z}")
    assert e.to_dict()["given"] == ["Z"]
    with pytest.raises(EstimatorError, match="conditional effect"):
        from dagcore.estimators.plugin import PlugIn

        PlugIn().fit(None, e)


def test_cli_identify_given(tmp_path, capsys) -> None:
    path = tmp_path / "g.dag"
    path.write_text("Z -> X -> Y; Z -> Y; X [exposure]; Y [outcome]")
    assert main(["identify", str(path), "--given", "Z", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["given"] == ["Z"] and out["formula"] == "P(Y | X, Z)"


def test_estimand_built_by_hand_for_iv_is_parametric() -> None:
    e = Estimand(treatment="x", outcome="y", strategy="iv", instruments={"z"})
    assert not e.identified and e.estimable and e.parametric


def test_strategies_are_documented_in_the_order_identify_tries_them() -> None:
    import importlib
    import re

    from dagcore.estimand import STRATEGIES

    strategy = importlib.import_module("dagcore.identification.strategy")

    documented = re.findall(r"^\d\. \*\*(\w+)\*\*", strategy.__doc__ or "", flags=re.M)
    assert documented == ["randomized", "backdoor", "frontdoor", "id", "iv"]
    assert list(STRATEGIES[:5]) == documented and STRATEGIES[5] == "not_identifiable"
