"""`dagcore estimate` and `dagcore power` through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dagcore.cli import main

NHEFS = Path(__file__).resolve().parents[1] / "examples" / "nhefs"
PS = "qsmk ~ C(sex) + C(race) + age + I(age**2) + C(education) + smokeintensity + I(smokeintensity**2) + smokeyrs + I(smokeyrs**2) + C(exercise) + C(active) + wt71 + I(wt71**2)"


def test_estimate_nhefs_ipw_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["estimate", str(NHEFS / "nhefs.dag"), "--data", str(NHEFS / "nhefs.csv"), "--method", "ipw", "--propensity-formula", PS, "--dropna", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert round(data["value"], 4) == 3.4405 and data["n"] == 1566


def test_missing_values_are_a_clean_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "dagcore", "estimate", str(NHEFS / "nhefs.dag"), "--data", str(NHEFS / "nhefs.csv")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "63 rows have missing values (wt82_71: 63); pass dropna=True" in proc.stderr and "Traceback" not in proc.stderr


def test_power(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["power", "--effect-size", "0.5"]) == 0
    assert capsys.readouterr().out.startswith("64 units per group")


def _cate_files(tmp_path: Path) -> tuple[Path, Path]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    n = 2000
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-x1))).astype(int)
    y = (1 + 2 * x1) * t + x1 + x2 + rng.normal(size=n)
    csv = tmp_path / "cate.csv"
    pd.DataFrame({"t": t, "y": y, "x1": x1, "x2": x2, "cost": rng.uniform(0.5, 1.5, n)}).to_csv(csv, index=False)
    dag = tmp_path / "cate.dag"
    dag.write_text("t [exposure]\ny [outcome]\nx1 -> {t y}\nx2 -> y\nt -> y\n")
    return dag, csv


def test_cate_scores_ranks_and_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    dag, csv = _cate_files(tmp_path)
    out = tmp_path / "scored.csv"
    assert main(["cate", str(dag), "--data", str(csv), "--method", "t_learner", "--param", "n_bootstrap=20", "--budget", "200", "-o", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["estimate"]["method"] == "t_learner" and result["holdout_rows"] == 600
    assert result["holdout"]["qini_area"] > 0  # a real effect modifier ranks better than random
    assert result["targeting"]["treat"] == 200
    scored = pd.read_csv(out)
    assert scored["treat"].sum() == 200
    # the treated rows are those with the largest predicted effects
    assert scored.loc[scored.treat, "cate"].min() >= scored.loc[~scored.treat, "cate"].max()
    # the true effect 1 + 2 x1 is recovered by the T-learner with linear models
    assert abs(scored["cate"].corr(1 + 2 * scored["x1"])) > 0.95


def test_cate_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dag, csv = _cate_files(tmp_path)
    assert main(["cate", str(dag), "--data", str(csv), "--cost", "price", "--budget", "5"]) != 0
    assert "cost column 'price'" in capsys.readouterr().err
    assert main(["cate", str(dag), "--data", str(csv), "--holdout", "1.5"]) != 0
    assert "--holdout must be in [0, 1)" in capsys.readouterr().err
