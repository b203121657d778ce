"""The `dagcore check`, `fmt` and `convert` commands, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dagcore.cli import main
from dagcore.grammar import from_gml, load, parse

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dagcore", *args], capture_output=True, text=True, cwd=ROOT)


def test_check_examples_through_the_entry_point() -> None:
    files = [str(p) for p in sorted(ROOT.glob("examples/**/*.dag"))]
    proc = run("check", *files)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok (") == len(files)


def test_check_reports_each_problem_with_location(tmp_path: Path) -> None:
    good = tmp_path / "good.dag"
    good.write_text("A -> B\n")
    bad = tmp_path / "bad.dag"
    bad.write_text("A -> B\nB => C\n")
    cyclic = tmp_path / "cyclic.dag"
    cyclic.write_text("A -> B\nB -> A\n")
    proc = run("check", str(good), str(bad), str(cyclic), str(tmp_path / "missing.dag"))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith(f"{bad}:2:4: ") and "'=>'" in lines[0]
    assert lines[1].startswith(f"{cyclic}:2:3: ") and "A -> B -> A" in lines[1]
    assert "missing.dag: cannot read" in lines[2]
    assert "good.dag: ok" in proc.stdout


def test_fmt_prints_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "m.dag"
    p.write_text("Z -> {X Y}; X -> Y; X [exposure]\n")
    assert main(["fmt", str(p)]) == 0
    canonical = capsys.readouterr().out
    assert canonical.startswith("dag {\n  X [exposure]\n")
    assert main(["fmt", "--check", str(p)]) == 1
    assert "not in canonical form" in capsys.readouterr().out
    assert main(["fmt", "--write", str(p)]) == 0
    assert p.read_text() == canonical
    assert main(["fmt", "--check", str(p)]) == 0


@pytest.mark.parametrize("fmt", ["dagitty", "dag", "dot", "json", "gml"])
def test_convert_every_format(fmt: str, tmp_path: Path) -> None:
    src = ROOT / "examples" / "iv.dag"
    out = tmp_path / f"out.{fmt}"
    proc = run("convert", str(src), "--to", fmt, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    g = load(src)
    if fmt in ("dagitty", "dag"):
        assert parse(text)._rebuild(name=None) == g._rebuild(name=None)
    elif fmt == "json":
        assert json.loads(text)["bidirected"] == [["education", "wages"]]
    elif fmt == "gml":
        assert from_gml(text) == g._rebuild(attributes={})
    else:
        assert "dir=both" in text


def test_convert_rejects_unknown_format() -> None:
    proc = run("convert", str(ROOT / "examples" / "iv.dag"), "--to", "png")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_help_everywhere() -> None:
    for cmd in ([], ["check"], ["fmt"], ["convert"]):
        proc = run(*cmd, "--help")
        assert proc.returncode == 0 and "usage: dagcore" in proc.stdout


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: dagcore" in capsys.readouterr().out
