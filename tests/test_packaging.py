"""The built wheel is complete: installed into a fresh virtual environment, it parses a .dag file.

This proves the grammar file ships as package data and that ``grammar/`` and
``estimators/`` install as ``dagcore.grammar`` and ``dagcore.estimators``,
never as top-level packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (path,) = out.glob("dagcore-*.whl")
    return path


@pytest.mark.slow
def test_wheel_layout(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "dagcore/grammar/dag.lark" in names
    assert "dagcore/py.typed" in names
    assert any(n.startswith("dagcore/estimators/") for n in names)
    top_level = {n.split("/")[0] for n in names}
    assert "grammar" not in top_level and "estimators" not in top_level and "tests" not in top_level


@pytest.mark.slow
def test_wheel_in_fresh_venv_parses_a_dag_file(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    dag = tmp_path / "model.dag"
    dag.write_text("dag { X [exposure] Y [outcome] Z -> X Z -> Y X -> Y }\n", encoding="utf-8")
    # Dependencies come from the test environment's site-packages; dagcore itself only from the wheel
    # (the editable install's path hook is a .pth file, which PYTHONPATH entries do not process).
    env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"])
    code = (
        "import sys, dagcore, dagcore.grammar as gm; "
        "assert 'site-packages' in dagcore.__file__ and str(sys.argv[2]) not in dagcore.__file__, dagcore.__file__; "
        "g = gm.load(sys.argv[1]); print(sorted(g.exposure), sorted(g.outcome), len(g.edges))"
    )
    proc = subprocess.run([python, "-c", code, str(dag), str(ROOT)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['X'] ['Y'] 3"
