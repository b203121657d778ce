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
