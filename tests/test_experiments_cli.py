"""`dagcore abtest design` and `dagcore abtest analyze` through the entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dagcore.cli import main


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 4000
    arm = np.where(np.arange(n) % 2 == 0, "control", "B")
    pre = rng.normal(10, 3, n)
    visits = rng.poisson(3, n) + 1
    df = pd.DataFrame({
        "arm": arm, "pre": pre, "revenue": 2 * pre + (arm == "B") + rng.normal(0, 4, n),
        "converted": (rng.random(n) < 0.1).astype(int), "visits": visits, "spend": visits * 1.5 + rng.normal(0, 1, n),
    })
    path = tmp_path / "exp.csv"
    df.to_csv(path, index=False)
    return path


def test_design_sample_size_and_duration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abtest", "design", "--baseline", "0.10", "--mde", "0.01", "--traffic-per-day", "2000", "--whole-weeks"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("14,751 per arm (29,502 in total over 2 arms)") and "21 days (3 whole weeks)" in out
    assert main(["abtest", "design", "--baseline", "0.10", "--mde", "0.1", "--relative", "--arms", "3", "--cuped-rho", "0.5", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["arms"] == 3 and d["alpha_per_comparison"] == pytest.approx(0.025) and d["cuped_rho"] == 0.5


def test_design_power_and_mde(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abtest", "design", "--baseline", "0.10", "--mde", "0.01", "--n-per-arm", "14751", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["power"] == pytest.approx(0.8, abs=1e-4)
    assert main(["abtest", "design", "--baseline", "0.10", "--n-per-arm", "14751", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mde"] == pytest.approx(0.01, abs=1e-5)
    assert main(["abtest", "design", "--effect-size", "0.5"]) == 0
    assert capsys.readouterr().out.startswith("64 per arm")


def test_design_from_pilot_data(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abtest", "design", "--pilot", str(csv), "--metric", "ratio:spend/visits", "--mde", "0.02", "--relative", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["metric"] == "ratio"
    assert main(["abtest", "design", "--pilot", str(csv), "--column", "converted", "--mde", "0.02", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["metric"] == "proportion"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--baseline", "1.5", "--mde", "0.01"], r"baseline 1.5 is not a rate in (0, 1)"),
        (["--baseline", "0.1", "--mde", "0.01", "--traffic-per-day", "-100"], "traffic_per_day must be positive"),
        (["--baseline", "0.1", "--mde", "0.01", "--effect-size", "0.2"], "--effect-size (Cohen's d) replaces"),
        (["--pilot", "missing.csv", "--column", "x", "--mde", "1"], "data file 'missing.csv' does not exist"),
    ],
)
def test_design_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abtest", "design", *argv]) == 1
    assert message in capsys.readouterr().err


def test_analyze_prints_the_readout_and_writes_the_report(csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.html"
    argv = ["abtest", "analyze", str(csv), "--treatment", "arm", "--outcome", "revenue,converted", "--metric", "ratio:spend/visits",
            "--covariates", "pre", "-o", str(report)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("sample ratio OK") and "revenue, B vs control" in captured.out
    assert "variance reduction from the adjustment" in captured.out and "report written to" in captured.err
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and html.index("sample ratio OK") < html.index("<h2>Results")
    assert main([*argv[:-2], "--json", "-o", str(tmp_path / "r.json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["comparisons"]) == 3 and data["srm"]["mismatch"] is False
    assert json.loads((tmp_path / "r.json").read_text())["comparisons"][0]["metric"] == "revenue"


def test_analyze_exits_1_on_a_sample_ratio_mismatch(csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    df = pd.read_csv(csv)
    skewed = tmp_path / "skewed.csv"
    df.drop(df.index[df.arm == "B"][:300]).to_csv(skewed, index=False)
    assert main(["abtest", "analyze", str(skewed), "--treatment", "arm", "--outcome", "revenue"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("SAMPLE RATIO MISMATCH") and "warning: SAMPLE RATIO MISMATCH" in captured.err


def test_analyze_with_a_graph_and_cate(csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dag = tmp_path / "ab.dag"
    dag.write_text("arm [exposure]\nrevenue [outcome]\npre -> revenue\narm -> revenue\n")
    assert main(["abtest", "analyze", str(csv), "--graph", str(dag), "--cate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["covariates"] == ["pre"] and data["heterogeneity"][0]["method"] == "dr_learner"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--outcome", "arm"], "column 'arm' (outcome) must be numeric"),
        (["--outcome", "revenue", "--control", "A"], "control 'A' is not an arm of 'arm'"),
        (["--outcome", "revenue", "--metric", "spend/visits"], "--metric takes ratio:NUMERATOR/DENOMINATOR"),
        (["--outcome", "revenue", "-o", "report.txt"], "use a .html or .json file name"),
    ],
)
def test_analyze_bad_input(csv: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abtest", "analyze", str(csv), "--treatment", "arm", *extra]) == 1
    assert message in capsys.readouterr().err


def test_one_arm_treatment_through_the_cli(csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    df = pd.read_csv(csv)
    one = tmp_path / "one.csv"
    df[df.arm == "control"].to_csv(one, index=False)
    assert main(["abtest", "analyze", str(one), "--treatment", "arm", "--outcome", "revenue"]) == 1
    assert "treatment 'arm' has one arm 'control'" in capsys.readouterr().err


@pytest.mark.slow
def test_entry_point_subprocess() -> None:
    proc = subprocess.run([sys.executable, "-m", "dagcore", "abtest", "design", "--baseline", "0.1", "--mde", "0.01", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["n_control"] == 14751


def test_abtest_alone_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abtest"]) == 2
    assert "design" in capsys.readouterr().out
