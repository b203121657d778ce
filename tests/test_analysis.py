"""dagcore.analyze: the whole analysis, its report (Markdown, HTML, JSON) and the CLI."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dagcore
from dagcore import IPW, CausalGraph, DataError
from dagcore.estimators.report.analysis import Analysis, analyze
from dagcore.estimators.report.formats import SECTIONS


def simulate(seed: int = 0, n: int = 1200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w = rng.normal(size=n)
    z = rng.normal(size=n)
    x = (0.5 * w + 0.5 * z + rng.normal(size=n) > 0).astype(float)
    y = 2.0 * x + 0.5 * w + 0.5 * z + rng.normal(size=n)
    m = 0.8 * y + rng.normal(size=n)
    return pd.DataFrame({"w": w, "z": z, "x": x, "y": y, "m": m})


GOOD = CausalGraph([("w", "x"), ("w", "y"), ("z", "x"), ("z", "y"), ("x", "y"), ("y", "m")], exposure="x", outcome="y")
# forgets that w causes x and y (so w is left out of every adjustment set, the O-set included)
# and says m is caused by x, not y
BAD = CausalGraph([("z", "x"), ("z", "y"), ("x", "y"), ("x", "m")], nodes=["w"], exposure="x", outcome="y")


@pytest.fixture(scope="module")
def good() -> Analysis:
    return analyze(GOOD, simulate(), n_simulations=50, random_state=0)


def test_every_part_is_there(good: Analysis) -> None:
    assert good.identified and good.estimand.strategy == "backdoor"
    assert len(good.estimates) >= 2
    assert abs(good.estimate.value - 2.0) < 4 * good.estimate.se
    assert {r.method for r in good.refutations} >= {"placebo_treatment", "bootstrap", "dummy_outcome"}
    assert all(r.verdict == "pass" for r in good.refutations), [r.summary() for r in good.refutations]
    assert good.e_value is not None and good.e_value.point > 1
    assert good.ovb is not None and 0 < good.ovb.rv_q < 1
    assert good.local_tests is not None and len(good.local_tests) > 0 and not good.local_tests.rejected
    assert any("rests on the graph" in x for x in good.limits)


def test_is_an_immutable_value(good: Analysis) -> None:
    with pytest.raises(AttributeError):
        good.estimates = ()  # type: ignore[misc]


def test_limits_come_from_what_was_found() -> None:
    a = analyze(BAD, simulate(1), n_simulations=30, random_state=1)
    assert a.local_tests.rejected
    assert any("contradicts" in x for x in a.limits)
    # w is a measured confounder left out of the adjustment set: the dummy outcome (built from every
    # measured non-descendant of x) carries w's effect, and w is imbalanced across x
    dummy = next(r for r in a.refutations if r.method == "dummy_outcome")
    assert dummy.verdict == "fail"
    assert any("dummy_outcome" in x for x in a.limits)


def test_not_identifiable_skips_estimation() -> None:
    g = CausalGraph([("x", "y"), ("w", "x"), ("w", "y")], bidirected=[("x", "y")], exposure="x", outcome="y")
    a = analyze(g, simulate(2), n_simulations=10)
    assert not a.identified and a.estimates == () and a.refutations == ()
    assert "not identifiable" in a.limits[0]
    for text in (a.to_markdown(), a.to_html(), a.summary()):
        assert "not identifiable" in text
    assert json.loads(a.to_json())["identified"] is False


def test_markdown_has_every_section(good: Analysis) -> None:
    md = good.to_markdown()
    for _, title in SECTIONS:
        assert f"## {title}" in md
    assert "| placebo_treatment | PASS |" in md


def test_html_is_self_contained(good: Analysis) -> None:
    html = good.to_html()
    for sid, title in SECTIONS:
        assert f'<section id="{sid}">' in html and title in html
    assert html.count("<svg") >= 2  # the graph and the sensitivity contour, inline
    assert "<script" not in html
    # no external resource: the only URLs are SVG namespaces
    urls = set(re.findall(r"(?:src|href)=\"([^\"#][^\"]*)\"", html))
    assert urls == set(), urls
    assert set(re.findall(r"https?://[^\s\"']+", html)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_json_round_trips(good: Analysis) -> None:
    d = json.loads(good.to_json())
    assert set(d) >= {"estimand", "estimates", "refutations", "sensitivity", "local_tests", "limits"}
    assert d["sensitivity"]["e_value"]["e_value"] == pytest.approx(good.e_value.point)


def test_named_estimators_and_bad_input() -> None:
    df = simulate(3, n=400)
    a = analyze(GOOD, df, estimators=[IPW(), "regression"], refuters=["placebo_treatment"], n_simulations=10,
                local_tests=False)
    assert [e.method for e in a.estimates] == ["ipw", "regression"] and a.local_tests is None
    with pytest.raises(DataError, match="outcome 'm' is not a column"):
        analyze(GOOD.with_roles(outcome="m"), df.drop(columns="m").assign(q=1), outcome="m")
    with pytest.raises(DataError, match="DataFrame"):
        analyze(GOOD, df.to_numpy())
    with pytest.raises(dagcore.NodeNotFoundError, match="did you mean"):
        analyze(GOOD, df, exposure="xx")
    swapped = analyze(GOOD, df, exposure="y", outcome="x", refuters=[], local_tests=False)
    assert (swapped.exposure, swapped.outcome) == ("y", "x")


def test_progress_callback() -> None:
    seen: list[str] = []
    analyze(GOOD, simulate(4, n=300), n_simulations=5, progress=seen.append)
    assert seen[0].startswith("identifying") and any("refuting" in s for s in seen)


def test_cli_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from dagcore.cli import main

    dag = tmp_path / "g.dag"
    dag.write_text("dag { w -> x  w -> y  z -> x  z -> y  x -> y  y -> m  x [exposure]  y [outcome] }")
    csv = tmp_path / "d.csv"
    simulate(5, n=300).to_csv(csv, index=False)
    out = tmp_path / "sub" / "report.html"
    out.parent.mkdir()  # a missing folder is an error (tests/test_cli_files.py)
    code = main(["analyze", str(dag), "--data", str(csv), "-o", str(out), "--n-simulations", "10", "-q"])
    assert code == 0 and out.exists()
    captured = capsys.readouterr()
    assert "ATE of x on y" in captured.out and "report written" in captured.err
    assert not list(out.parent.glob(".*tmp"))  # atomic write leaves no temporary file
    code = main(["analyze", str(dag), "--data", str(csv), "--json", "--n-simulations", "5", "-q"])
    assert code == 0 and json.loads(capsys.readouterr().out)["identified"] is True
    code = main(["refute", str(dag), "--data", str(csv), "--refuters", "placebo_treatment", "--n-simulations", "5", "-q"])
    assert code == 0 and "[PASS] placebo_treatment" in capsys.readouterr().out
    svg = tmp_path / "c.svg"
    code = main(["sensitivity", str(dag), "--data", str(csv), "--svg", str(svg), "--k", "1,2"])
    assert code == 0 and svg.read_text().startswith("<svg") and "robustness value" in capsys.readouterr().out
    # roles from the command line: swap exposure and outcome
    code = main(["analyze", str(dag), "--data", str(csv), "--exposure", "y", "--outcome", "m", "--n-simulations", "5",
                 "-q", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and (d["exposure"], d["outcome"]) == ("y", "m")
    code = main(["analyze", str(dag), "--data", str(tmp_path / "missing.csv")])
    assert code == 1 and "does not exist" in capsys.readouterr().err
    code = main(["analyze", str(dag), "--data", str(csv), "-o", str(tmp_path / "r.pdf")])
    assert code == 1 and ".html" in capsys.readouterr().err


def test_missing_values_give_a_complete_case_analysis() -> None:
    df = simulate(6, n=500)
    df.loc[[3, 10, 20], "y"] = np.nan
    a = analyze(GOOD, df, n_simulations=5, refuters=["placebo_treatment"])
    assert a.estimate.n == 497
    assert any("3 rows" in x and "complete-case" in x for x in a.notes)
    assert any("3 rows" in x for x in a.limits)
