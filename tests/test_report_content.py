"""The report's words and files: readable diagnostics, p-value meanings, sensitivity sentences, row counts,
Markdown and JSON with the same content, analysis specifications (--spec) and --figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dagcore import CausalGraph, SpecError, estimate, identify
from dagcore.estimators.refutation.refuters import REFUTERS
from dagcore.estimators.report.analysis import Analysis, analyze
from dagcore.estimators.report.overlap import PropensityOverlap
from dagcore.estimators.report.readable import (
    P_VALUE_MEANING,
    PASS_DEFINITION,
    diagnostic_rows,
    overlap_rows,
    report_content,
    rows_used,
)
from dagcore.estimators.report.spec import load_spec
from dagcore.estimators.result import Estimate
from dagcore.grammar import load

ROOT = Path(__file__).resolve().parents[1]
NHEFS = ROOT / "examples" / "nhefs"


def simulate(seed: int = 0, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w, z = rng.normal(size=n), rng.normal(size=n)
    x = (0.8 * w + 0.5 * z + rng.normal(size=n) > 0).astype(float)
    return pd.DataFrame({"w": w, "z": z, "x": x, "y": 2.0 * x + 0.5 * w + 0.5 * z + rng.normal(size=n)})


GRAPH = CausalGraph([("w", "x"), ("w", "y"), ("z", "x"), ("z", "y"), ("x", "y")], exposure="x", outcome="y")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    df = simulate()
    df.loc[[1, 5], "y"] = np.nan
    return analyze(GRAPH, df, estimators=["ipw", "regression"], refuters=["placebo_treatment", "bootstrap", "data_subset"],
                   n_simulations=6, random_state=0, local_tests=False)


# --------------------------------------------------------------------------- readable rows


def test_overlap_rows_count_the_units_beyond_each_threshold() -> None:
    rng = np.random.default_rng(1)
    treated, control = rng.uniform(0.0, 1.0, 200), rng.uniform(0.0, 0.5, 300)
    o = PropensityOverlap("x", "t", treated, control, ((0.01, "e"), (0.99, "e"), (0.05, "w"), (0.95, "w")))
    rows = {r.name: r for r in overlap_rows(o)}
    for arm, ps in (("treated", treated), ("untreated", control)):
        for v in (0.01, 0.05):
            assert rows[f"{arm} units with propensity < {v:g}"].value == str(int((ps < v).sum()))
        for v in (0.95, 0.99):
            row = rows[f"{arm} units with propensity > {v:g}"]
            assert row.value == str(int((ps > v).sum())) and row.threshold == "0"
            assert row.verdict == ("pass" if (ps > v).sum() == 0 else "warn")


def test_diagnostics_have_names_units_thresholds_and_verdicts() -> None:
    e = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="ipw", n=100, diagnostics={
        "propensity_overlap": {"treated_min": 0.05, "treated_max": 0.9, "control_min": 0.002, "control_max": 0.8, "n_extreme": 2},
        "smd_before": {"a": 0.4, "b": -0.3}, "smd_after": {"a": 0.02, "b": -0.15},
        "effective_sample_size": {"treated": 30.0, "control": 10.0}, "max_weight": 120.0, "r_squared": 0.3,
        "strata": [{"k": i} for i in range(20)],
    })
    rows = {r.name: r for r in diagnostic_rows(e)}
    assert rows["propensity score range, untreated"].verdict == "warn"  # 0.002 < 0.01
    assert rows["propensity score range, treated"].verdict == "pass"
    assert rows["units with propensity within 0.01 of 0 or 1"].value == "2"
    after = rows["largest |standardized mean difference| after weighting"]
    assert (after.value, after.unit, after.threshold, after.verdict) == ("0.15 (b)", "pooled SDs", "≤ 0.1", "warn")
    assert rows["covariates with |SMD| > 0.1 after weighting"].value == "1 of 2 (b)"
    ess = rows["effective sample size of the weights (Kish)"]
    assert ess.value.startswith("40 of 100 (40%") and ess.verdict == "warn"
    assert rows["largest weight"].verdict == "warn"
    assert rows["R² of the outcome model"].verdict == "–"
    assert "strata" not in rows  # raw lists stay in the JSON
    for r in rows.values():
        assert r.verdict in ("pass", "warn", "–") and r.name and r.value


def test_every_refuter_says_what_its_p_value_tests() -> None:
    assert set(REFUTERS) <= set(P_VALUE_MEANING)


def test_rows_used_differ_per_estimate() -> None:
    from types import SimpleNamespace as NS

    a = NS(data_summary={"rows": 10, "columns": 3, "rows_with_missing_values": 0},
           estimates=[NS(method="ipw", n=10), NS(method="matching", n=7)])
    assert rows_used(a) == "Data: 10 rows, 3 columns; rows used: ipw 10, matching 7."


def test_header_pass_definition_p_values_and_sensitivity_words(analysis: Analysis) -> None:
    c = report_content(analysis)
    assert c["rows_used"] == ("Data: 400 rows, 4 columns; 2 rows with missing values in graph variables dropped (y: 2); "
                              "every estimate used 398 rows.")
    html = analysis.to_html()
    assert PASS_DEFINITION in html.replace("&#x27;", "'") and "what the p-value tests" in html
    assert {r["refuter"]: r["p_value_tests"] for r in c["refutations"]}["placebo_treatment"].startswith("chance that")
    sens = c["sensitivity"]
    assert set(sens) == {"e_value", "robustness_value", "why_they_differ"}
    assert f"{analysis.e_value.point:.3g}" in sens["e_value"] and f"{100 * analysis.ovb.rv_q:.3g}%" in sens["robustness_value"]
    summary = analysis.summary()
    assert "every estimate used 398 rows" in summary and "pass: the re-estimates" in summary


# --------------------------------------------------------------------------- Markdown and JSON


def test_markdown_and_json_carry_the_same_content(analysis: Analysis, tmp_path: Path) -> None:
    md_path = tmp_path / "r.md"
    written = analysis.write(md_path)
    figures = sorted(p.name for p in written if p.suffix == ".svg")
    assert figures == sorted(f"{n}.svg" for n in analysis.figures)
    md = md_path.read_text()
    for name in analysis.figures:  # each figure linked beside the Markdown, and the file exists
        assert f"](r_figures/{name}.svg)" in md and (tmp_path / "r_figures" / f"{name}.svg").stat().st_size > 1000
    analysis.write(tmp_path / "r.json", figures_dir=tmp_path / "r_figures")
    d = json.loads((tmp_path / "r.json").read_text())
    c = d["report"]
    assert [f["name"] for f in c["figures"]] == list(analysis.figures)
    assert all(f["file"] == f"r_figures/{f['name']}.svg" for f in c["figures"])
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    for row in c["diagnostics"]:
        assert f"| {cell(row['name'])} | {cell(row['value'])} | {row['unit']} | {row['threshold']} | {row['verdict']} |" in md
    for r in c["refutations"]:
        assert r["p_value_tests"] in md and r["rule"] in md
    for sentence in c["sensitivity"].values():
        assert sentence in md
    assert c["rows_used"] in md and c["pass_definition"] in md
    for limit in d["limits"]:
        assert limit in md
    # the raw diagnostics stay in the JSON only
    assert "smd_after" in json.dumps(d["estimates"]) and "smd_after" not in md


# --------------------------------------------------------------------------- analysis specifications


def test_nhefs_spec_reproduces_the_books_estimates() -> None:
    spec = load_spec(NHEFS / "analysis.toml")
    assert spec.graph == NHEFS / "nhefs.dag" and spec.data == NHEFS / "nhefs.csv" and spec.target is None
    df = pd.read_csv(spec.data).dropna(subset=["wt82_71"])
    estimand = identify(load(spec.graph))
    # Hernán & Robins, What If, ch. 12, 13, 15; g-estimation on the complete cases (the book's 3.45 uses censoring weights)
    book = {"ipw": 3.44, "standardization": 3.52, "regression": 3.46, "g_estimation": 3.46}
    for settings in spec.estimators:
        options = {k: v for k, v in settings.items() if k != "method"}
        if settings["method"] == "standardization":
            options["n_bootstrap"] = 2  # the point estimate does not depend on the bootstrap
        est = estimate(estimand, df, method=settings["method"], **options)
        assert round(est.value, 2) == book[settings["method"]] and est.n == 1566


def test_nhefs_graph_is_not_contradicted_by_its_data() -> None:
    from dagcore.estimators.refutation.local import local_tests

    g = load(NHEFS / "nhefs.dag")
    lt = local_tests(g, pd.read_csv(NHEFS / "nhefs.csv").dropna(subset=["wt82_71"]))
    assert len(lt) > 0 and not lt.rejected, lt.summary()
    text = (NHEFS / "nhefs.dag").read_text()
    assert "What If" in text and "Hernán & Robins" in text
    assert sorted(identify(g).adjustment_set) == sorted(
        ["sex", "race", "age", "education", "smokeintensity", "smokeyrs", "exercise", "active", "wt71"])


@pytest.mark.parametrize(("text", "match"), [
    ('grahp = "g.dag"', "unknown key 'grahp' in the top level; did you mean 'graph'"),
    ('[refuters]\nn_simulation = 5', r"unknown key 'n_simulation' in \[refuters\]; did you mean 'n_simulations'"),
    ('[refuters]\nn_simulations = "many"', "n_simulations must be a whole number"),
    ('[[estimators]]\nformula = "y ~ x"', "has no 'method'"),
    ("graph = ", "not valid TOML"),
    ("[local_tests]\nrun = 1", "run must be true or false"),
])
def test_bad_specs_name_the_file_and_the_key(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "a.toml"
    path.write_text(text)
    with pytest.raises(SpecError, match=match):
        load_spec(path)
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "missing.toml")


def _small_spec(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "g.dag").write_text("dag { w -> x  w -> y  z -> x  z -> y  x -> y  x [exposure]  y [outcome] }")
    simulate(3, n=300).to_csv(tmp_path / "d.csv", index=False)
    spec = tmp_path / "a.toml"
    spec.write_text(
        'graph = "g.dag"\ndata = "d.csv"\ntitle = "A small test"\n' + extra +
        '[[estimators]]\nmethod = "regression"\nformula = "y ~ x + w + z + I(w**2)"\n'
        '[refuters]\nnames = ["placebo_treatment"]\nn_simulations = 4\n[local_tests]\nrun = false\n'
    )
    return spec


def test_cli_spec_figures_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from dagcore.cli import main

    spec = _small_spec(tmp_path)
    out = tmp_path / "r.md"
    code = main(["analyze", "--spec", str(spec), "-o", str(out), "--figures", str(tmp_path / "figs"), "-q", "--json",
                 "--n-simulations", "3"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert [e["method"] for e in d["estimates"]] == ["regression"]
    assert d["estimates"][0]["settings"]["formula"] == "y ~ x + w + z + I(w**2)"  # the spec's formula was used
    ovb = d["sensitivity"]["ovb"]  # the robustness value is about that model's coefficient, not a default one
    assert ovb["model"] == "y ~ x + w + z + I(w**2)" and ovb["estimate"] == pytest.approx(d["estimates"][0]["value"])
    assert d["refutations"][0]["n_simulations"] == 3  # the command line overrides the spec
    assert d["local_tests"] is None and d["report"]["title"] == "A small test"
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "forest.svg", "overlap.svg", "refutations.svg", "sensitivity.svg"]  # overlap from the default propensity model
    assert "](figs/forest.svg)" in out.read_text()
    code = main(["analyze", "--spec", str(spec), "--figures", str(tmp_path / "only"), "-q"])
    assert code == 0 and (tmp_path / "only" / "sensitivity.svg").exists()


def test_cli_refuses_a_target_the_estimators_do_not_estimate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from dagcore.cli import main

    spec = _small_spec(tmp_path, 'target = "ATT"\n')
    assert main(["analyze", "--spec", str(spec), "-q"]) == 1
    # the spec's target reaches the estimator (issue 12); the additive formula cannot give an ATT, and says so
    assert re.search(r"target 'ATT': no estimator of the analysis estimates it \(regression: .*needs the default \(interacted\) model", capsys.readouterr().err)
    assert main(["analyze", "-q"]) == 1
    assert "analyze needs a graph" in capsys.readouterr().err


def test_a_cate_analysis_has_the_heterogeneity_section_with_its_figures() -> None:
    import warnings

    import numpy as np
    import pandas as pd

    from dagcore import parse
    from dagcore.estimators.report.analysis import analyze

    rng = np.random.default_rng(0)
    n = 1200
    x, w = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-0.5 * w))).astype(float)
    df = pd.DataFrame({"x": x, "w": w, "t": t, "y": (1 + x) * t + w + rng.normal(size=n)})
    g = parse("x -> y; w -> t; w -> y; t -> y; x -> t; t [exposure]; y [outcome]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyze(g, df, estimators=["dr_learner"], refuters=[], local_tests=False, progress=False)
        plain = analyze(g, df, estimators=["regression"], refuters=[], local_tests=False, progress=False)
    assert a.heterogeneity is not None and a.heterogeneity.blp.slope > 0.5  # the CATE is 1 + x: heterogeneity detected
    assert {"cate_distribution", "cate_gates", "cate_gain"} <= set(a.figures)
    html = a.to_html()
    assert 'id="heterogeneity"' in html and 'id="figure-cate_gates"' in html
    assert "## Heterogeneous effects" in a.to_markdown() and "Heterogeneous effects:" in a.summary()
    assert a.to_dict()["heterogeneity"]["blp"]
    assert plain.heterogeneity is None and 'id="heterogeneity"' not in plain.to_html()
