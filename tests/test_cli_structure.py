"""The structure commands through the CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dagcore.cli import main

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"


def test_roles_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roles", str(EX / "m_bias.dag")]) == 0
    out = capsys.readouterr().out
    assert "M" in out and "collider" in out and "bad" in out
    assert main(["roles", str(EX / "m_bias.dag"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["node"]: r["verdict"] for r in data["roles"]}["M"] == "bad"


def test_paths_with_given(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths", str(EX / "m_bias.dag"), "--given", "M"]) == 0
    out = capsys.readouterr().out
    assert "OPEN     X <- A -> M <- B -> Y" in out and "opened: collider M is conditioned on" in out
    assert main(["paths", str(EX / "m_bias.dag"), "--json", "--limit", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["truncated"] is True


def test_dsep(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dsep", str(EX / "m_bias.dag"), "A", "B"]) == 0
    assert "A and B are d-separated given {}" in capsys.readouterr().out
    assert main(["dsep", str(EX / "m_bias.dag"), "A", "B", "--given", "M"]) == 0
    out = capsys.readouterr().out
    assert "d-connected" in out and "open path: A -> M <- B" in out


def test_dsep_unknown_node_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dsep", str(EX / "m_bias.dag"), "a", "B"]) == 1
    assert "unknown node 'a'; did you mean 'A'?" in capsys.readouterr().err


def test_implied(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["implied", str(EX / "m_bias.dag"), "--json"]) == 0
    statements = {s["statement"] for s in json.loads(capsys.readouterr().out)}
    assert "A ⊥ B" in statements


def test_render_through_entry_point(tmp_path: Path) -> None:
    out = tmp_path / "g.png"
    proc = subprocess.run([sys.executable, "-m", "dagcore", "render", str(EX / "butterfly.dag"), "-o", str(out), "--highlight", "paths"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 1000


def test_render_engine_and_roles_reference_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.svg"
    assert main(["render", str(EX / "butterfly.dag"), "-o", str(out), "--engine", "sfdp"]) == 0
    assert out.read_text().lstrip().startswith("<?xml")
    capsys.readouterr()
    assert main(["roles", str(EX / "m_bias.dag"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["adjustment_set"] == []
    assert main(["roles", str(EX / "m_bias.dag")]) == 0
    assert "verdicts relative to the minimal adjustment set {}" in capsys.readouterr().out


def test_exposure_override(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roles", str(EX / "m_bias.dag"), "--exposure", "A", "--outcome", "Y"]) == 0
    assert "X" in capsys.readouterr().out
