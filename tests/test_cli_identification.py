"""The identification commands through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dagcore.cli import main

EX = Path(__file__).resolve().parents[1] / "examples"


def test_identify_text_json_latex(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["identify", str(EX / "napkin.dag")]) == 0
    assert "identified by the general identification (ID) formula" in capsys.readouterr().out
    assert main(["identify", str(EX / "confounding.dag"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["strategy"] == "backdoor" and data["adjustment_set"] == ["Z"]
    assert main(["identify", str(EX / "confounding.dag"), "--latex"]) == 0
    assert capsys.readouterr().out.strip() == r"\sum_{Z} P(Y \mid X, Z) P(Z)"


def test_identify_bow_names_the_hedge(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["identify", str(EX / "bow.dag")]) == 0
    assert "hedge" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("--minimal", [["A", "M"]]), ("--all", [["A", "M"], ["B", "M"]]), ("--minimum", [["A", "M"]]), ("--canonical", [["A", "B", "M"]])],
)
def test_adjust_kinds(flag: str, expected: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adjust", str(EX / "butterfly.dag"), flag, "--json"]) == 0
    sets = json.loads(capsys.readouterr().out)["sets"]
    if flag == "--minimum":
        assert len(sets) == 1 and len(sets[0]) == 2 and "M" in sets[0]
    else:
        assert sorted(sets) == expected


def test_check_set_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-set", str(EX / "butterfly.dag"), "--adjustment-set", "M"]) == 1
    assert "X <- A -> M <- B -> Y is open" in capsys.readouterr().out
    assert main(["check-set", str(EX / "butterfly.dag"), "--adjustment-set", "A,M"]) == 0


def test_frontdoor_ivs_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frontdoor", str(EX / "frontdoor.dag")]) == 0
    assert capsys.readouterr().out.strip() == "{tar}"
    assert main(["ivs", str(EX / "conditional_iv.dag")]) == 0
    assert capsys.readouterr().out.strip() == "Z given {W}"
    assert main(["id", str(EX / "napkin.dag"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["identifiable"] is True


def test_unknown_exposure_override_is_a_clean_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "dagcore", "identify", str(EX / "confounding.dag"), "--exposure", "x"], capture_output=True, text=True)
    assert proc.returncode == 1 and "did you mean 'X'" in proc.stderr and "Traceback" not in proc.stderr


def test_mediation_identified_and_not(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["mediation", str(EX / "mediation.dag")]) == 0
    out = capsys.readouterr().out
    assert "natural direct effect" in out and "adjustment set: {C}" in out and "NIE formula" in out
    assert main(["mediation", str(EX / "mediation.dag"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["nde"]["strategy"] == "mediation" and data["nie"]["effect"] == "nie" and data["nde"]["mediators"] == ["M"]
    assert main(["mediation", str(EX / "mediation.dag"), "--covariates", ""]) == 1
    assert "exposure-outcome confounding" in capsys.readouterr().out
    trap = tmp_path / "trap.dag"
    trap.write_text("X [exposure] Y [outcome] X -> L -> {M Y} X -> M -> Y\n")
    assert main(["mediation", str(trap), "--mediators", "M"]) == 1
    assert "affected by the exposure: {L}" in capsys.readouterr().out
    assert main(["mediation", str(trap)]) == 0  # L and M jointly


def test_mediation_bad_mediator_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["mediation", str(EX / "mediation.dag"), "--mediators", "Q"])
    assert code != 0
    assert "unknown node 'Q'" in capsys.readouterr().err
