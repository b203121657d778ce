"""Files and streams like other Unix tools: the one atomic write, ``-`` for standard input, ``| head``, limits, warnings.

Every command that writes a file goes through :mod:`dagcore.files`; these tests
run each of them and check the result the way a user would see it.
"""

from __future__ import annotations

import ast
import io
import os
import shutil
import stat
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dagcore.cli import build_parser, main
from dagcore.errors import OutputPathError
from dagcore.files import atomic_write_bytes, atomic_write_text
from dagcore.grammar import dumps, parse

ROOT = Path(__file__).resolve().parents[1]
DAG = "dag { z -> x  z -> y  x -> y  x [exposure]  y [outcome] }\n"
NOT_CANONICAL = "z -> x; z -> y; x -> y; x [exposure]; y [outcome]\n"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small confounded data set (binary exposure, moderate propensities) and its graph."""
    import numpy as np
    import pandas as pd

    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(3)
    n = 300
    z = rng.normal(size=n)
    x = (rng.random(n) < 1 / (1 + np.exp(-0.5 * z))).astype(int)
    y = (1 + z) * x + z + rng.normal(size=n)
    csv = folder / "d.csv"
    pd.DataFrame({"z": z, "x": x, "y": y}).to_csv(csv, index=False)
    dag = folder / "g.dag"
    dag.write_text(DAG)
    return dag, csv


def _run_writer(kind: str, out: Path, inputs: tuple[Path, Path]) -> int:
    """Run the command that writes ``out``; returns its exit code."""
    dag, csv = inputs
    if kind == "fmt --write":
        if not out.exists():
            out.write_text(NOT_CANONICAL)
        return main(["fmt", "--write", str(out)])
    args = {
        "convert -o": ["convert", str(dag), "--to", "dot", "-o", str(out)],
        "render -o": ["render", str(dag), "-o", str(out)],
        "analyze -o": ["analyze", str(dag), "--data", str(csv), "-o", str(out), "--estimators", "regression",
                       "--refuters", "placebo_treatment", "--n-simulations", "2", "--no-local-tests", "-q"],
        "cate -o": ["cate", str(dag), "--data", str(csv), "--method", "t_learner", "--param", "n_bootstrap=5", "-o", str(out)],
        "sensitivity --svg": ["sensitivity", str(dag), "--data", str(csv), "--method", "regression", "--svg", str(out)],
    }[kind]
    return main(args)


WRITERS = {
    "fmt --write": "m.dag",
    "convert -o": "m.dot",
    "render -o": "m.svg",
    "analyze -o": "report.md",
    "cate -o": "scored.csv",
    "sensitivity --svg": "contour.svg",
}


def _writer_params() -> list:
    return [pytest.param(k, marks=needs_dot) if k == "render -o" else k for k in WRITERS]


# ---------------------------------------------------------------------------------------------- modes


@pytest.mark.parametrize("kind", _writer_params())
def test_every_writing_command_gives_the_umask_mode(kind: str, tmp_path: Path, inputs: tuple[Path, Path],
                                                    umask022: None, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / WRITERS[kind]
    if kind == "fmt --write":  # the file fmt rewrites is created here, by the shell's rules
        out.write_text(NOT_CANONICAL)
        assert mode(out) == 0o644
    assert _run_writer(kind, out, inputs) == 0, capsys.readouterr().err
    assert out.stat().st_size > 0
    assert mode(out) == 0o644
    # no temporary file left; a Markdown report writes its figures in a folder beside it, with the same modes
    figures = tmp_path / f"{out.stem}_figures"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, *([figures.name] if figures.is_dir() else [])])
    if figures.is_dir():
        assert all(mode(f) == 0o644 for f in figures.iterdir())


def test_the_mode_follows_the_umask_not_a_constant(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    old = os.umask(0o027)
    try:
        assert main(["convert", str(inputs[0]), "--to", "json", "-o", str(tmp_path / "g.json")]) == 0
        atomic_write_bytes(tmp_path / "b.bin", b"x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "g.json") == 0o640 and mode(tmp_path / "b.bin") == 0o640


@needs_dot
def test_library_writers_give_the_umask_mode(tmp_path: Path, umask022: None) -> None:
    from dagcore import dump, parse, render

    g = parse(DAG)
    dump(g, tmp_path / "g.dag")
    render(g, tmp_path / "g.png")
    assert mode(tmp_path / "g.dag") == 0o644 and mode(tmp_path / "g.png") == 0o644
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("kept", [0o600, 0o755])
def test_fmt_write_keeps_the_mode_of_the_file(kept: int, tmp_path: Path, umask022: None,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.dag"
    f.write_text(NOT_CANONICAL)
    f.chmod(kept)
    assert main(["fmt", "--write", str(f)]) == 0
    assert "reformatted" in capsys.readouterr().out
    assert f.read_text() == dumps(parse(NOT_CANONICAL))
    assert mode(f) == kept


def test_fmt_write_keeps_the_owner_when_it_may(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another owner")
    f = tmp_path / "m.dag"
    f.write_text(NOT_CANONICAL)
    os.chown(f, 4321, 4321)
    assert main(["fmt", "--write", str(f)]) == 0
    assert (f.stat().st_uid, f.stat().st_gid) == (4321, 4321) and f.read_text().startswith("dag {\n")


def test_overwriting_follows_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real.dag"
    real.write_text(NOT_CANONICAL)
    link = tmp_path / "link.dag"
    link.symlink_to(real)
    assert main(["fmt", "--write", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("dag {\n")


# ---------------------------------------------------------------------------------------------- missing folders


@pytest.mark.parametrize("kind", _writer_params())
def test_a_missing_folder_is_an_error_naming_the_target(kind: str, tmp_path: Path, inputs: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work"
    work.mkdir()
    target = work / "missing" / WRITERS[kind]
    before = sorted(tmp_path.rglob("*"))
    if kind == "fmt --write":  # fmt rewrites in place: a file in a missing folder cannot be read either
        assert main(["fmt", "--write", str(target)]) == 1
        assert str(target) in capsys.readouterr().err
        return
    assert _run_writer(kind, target, inputs) == 1
    err = capsys.readouterr().err
    assert f"cannot write {target}: the folder {target.parent} does not exist" in err
    assert ".tmp" not in err and "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing created anywhere


def test_atomic_write_refuses_a_folder_and_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match=r"it is a folder"):
        atomic_write_text(tmp_path, "x")
    with pytest.raises(OutputPathError, match=r"cannot write .*nope.*out\.txt: the folder .*nope does not exist"):
        atomic_write_text(tmp_path / "nope" / "out.txt", "x")
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputPathError, match=r"is not a folder"):
        atomic_write_text(tmp_path / "file" / "out.txt", "x")
    assert isinstance(OutputPathError("x"), OSError)  # callers catching OSError keep working
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_an_unwritable_folder_names_the_target(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputPathError, match=r"cannot write .*ro.*out\.txt: Permission denied"):
            atomic_write_text(folder / "out.txt", "x")
    finally:
        folder.chmod(0o700)


def test_the_output_folder_is_checked_before_the_work(tmp_path: Path, inputs: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import dagcore.estimators.report.analysis as report

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the analysis ran although its report cannot be written")

    monkeypatch.setattr(report, "analyze", boom)
    dag, csv = inputs
    assert main(["analyze", str(dag), "--data", str(csv), "-o", str(tmp_path / "no" / "r.html")]) == 1
    assert "the folder" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- interrupted writes


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_an_interrupted_write_leaves_the_target_and_no_temporary_file(
    interruption: BaseException | type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import dagcore.files

    f = tmp_path / "m.dag"
    f.write_text(NOT_CANONICAL)
    calls: list[int] = []

    def fail(fd: int) -> None:  # the write has happened, the rename not yet
        calls.append(fd)
        raise interruption

    monkeypatch.setattr(dagcore.files.os, "fsync", fail)
    code = main(["fmt", "--write", str(f)])
    assert calls, "the interruption was not reached"
    assert code == (130 if interruption is KeyboardInterrupt else 1)
    assert f.read_text() == NOT_CANONICAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.dag"]
    if interruption is not KeyboardInterrupt:
        assert "No space left on device" in capsys.readouterr().err


def test_an_interrupted_library_write_leaves_no_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dagcore.files

    monkeypatch.setattr(dagcore.files.os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(tmp_path / "new.bin", b"data")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------- standard input


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "-"], "<stdin>: ok (3 observed"),
        (["fmt", "-"], "dag {\n  x [exposure]"),
        (["convert", "-", "--to", "dot"], "digraph"),
        (["roles", "-"], "confounder"),
        (["adjust", "-"], "{z}"),
        (["identify", "-", "--json"], '"strategy": "backdoor"'),
    ],
)
def test_dash_reads_the_graph_from_standard_input(argv: list[str], expected: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, NOT_CANONICAL)
    assert main(argv) == 0
    assert expected in capsys.readouterr().out


def test_dash_errors_name_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, "A -> B -> A\n")
    assert main(["check", "-"]) == 1
    assert capsys.readouterr().err.startswith("<stdin>:")


def test_fmt_check_and_write_with_dash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, NOT_CANONICAL)
    assert main(["fmt", "--check", "-"]) == 1
    assert "<stdin>: not in canonical form" in capsys.readouterr().out
    _stdin(monkeypatch, NOT_CANONICAL)
    assert main(["fmt", "--write", "-"]) == 1
    assert "cannot rewrite standard input" in capsys.readouterr().err


def test_standard_input_is_read_once(inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, NOT_CANONICAL)
    assert main(["check", "-", "-"]) == 1
    assert "standard input (-) can be read only once" in capsys.readouterr().err
    assert main(["estimate", "-", "--data", "-"]) == 1
    assert "read only once" in capsys.readouterr().err


def test_dash_reads_the_data_from_standard_input(inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    dag, csv = inputs
    _stdin(monkeypatch, csv.read_text())
    assert main(["estimate", str(dag), "--data", "-", "--method", "regression", "--json"]) == 0
    assert '"method": "regression"' in capsys.readouterr().out


def test_dash_through_the_entry_point(inputs: tuple[Path, Path]) -> None:
    proc = subprocess.run([sys.executable, "-m", "dagcore", "adjust", "-"], input=NOT_CANONICAL,
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout == "{z}\n" and proc.stderr == ""


def test_dash_as_an_output_is_standard_output_only_for_convert(inputs: tuple[Path, Path], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    dag, csv = inputs
    assert main(["convert", str(dag), "--to", "dot", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("digraph")
    assert main(["analyze", str(dag), "--data", str(csv), "-o", "-"]) == 1
    assert "-o needs a file name" in capsys.readouterr().err
    assert main(["sensitivity", str(dag), "--data", str(csv), "--svg", "-"]) == 1
    assert "--svg needs a file name" in capsys.readouterr().err
    assert not Path("-").exists()


def test_help_says_dash_wherever_it_says_file() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and isinstance(a.choices, dict))
    checked = 0
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if action.metavar in ("FILE", "CSV"):
                checked += 1
                assert action.help and "standard input" in action.help, (name, action.dest)
    assert checked >= 25
    assert "FILE may be -" in parser.format_help()


# ---------------------------------------------------------------------------------------------- | head


def _ladder(levels: int) -> str:
    """A graph with 2**levels directed paths from X to Y: a long `dagcore paths` output."""
    lines = ["dag { X [exposure] Y [outcome]"]
    prev = ["X"]
    for i in range(levels):
        cur = [f"a{i}", f"b{i}"]
        lines += [f"  {p} -> {c}" for p in prev for c in cur]
        prev = cur
    lines += [f"  {p} -> Y" for p in prev]
    return "\n".join([*lines, "}"]) + "\n"


def test_piping_into_head_exits_quietly(tmp_path: Path) -> None:
    dag = tmp_path / "ladder.dag"
    dag.write_text(_ladder(11))
    proc = subprocess.Popen([sys.executable, "-m", "dagcore", "paths", str(dag), "--limit", "100000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # what `head -1` reads before it exits
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert first.startswith(b"paths from X to Y")
    assert err == ""  # no "Broken pipe", no "Exception ignored", no traceback
    assert code == 141


def test_piping_into_head_through_a_shell(tmp_path: Path) -> None:
    if shutil.which("sh") is None or shutil.which("head") is None:
        pytest.skip("needs sh and head")
    dag = tmp_path / "ladder.dag"
    dag.write_text(_ladder(11))
    cmd = f"'{sys.executable}' -m dagcore paths '{dag}' --limit 100000 | head -1"
    proc = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout == "paths from X to Y given {}:\n" and proc.stderr == ""


# ---------------------------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    "argv",
    [
        ["paths", "G", "--limit", "0"],
        ["paths", "G", "--limit", "-5"],
        ["adjust", "G", "--all", "--limit", "0"],
        ["adjust", "G", "--all", "--limit", "many"],
        ["refute", "G", "--data", "d.csv", "--n-simulations", "0"],
        ["power", "--effect-size", "0.5", "--n-per-group", "0"],
        ["cate", "G", "--data", "d.csv", "--random-state", "-1"],
    ],
)
def test_limits_below_one_are_rejected(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dag = tmp_path / "g.dag"
    dag.write_text(DAG)
    argv = [str(dag) if a == "G" else a for a in argv]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "must be a whole number of at least " in capsys.readouterr().err


def test_adjust_all_says_when_it_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dag = tmp_path / "g.dag"
    dag.write_text("dag { c -> a -> x  c -> y  d -> b -> x  d -> y  x -> y  x [exposure]  y [outcome] }")
    assert main(["adjust", str(dag), "--all", "--json"]) == 0
    import json

    every = json.loads(capsys.readouterr().out)
    assert len(every["sets"]) == 4 and every["truncated"] is False  # {a or c} x {b or d}
    assert main(["adjust", str(dag), "--all", "--limit", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("{") and out[1].startswith("truncated: more than 1 sets exist")
    assert "no valid adjustment set" not in "\n".join(out)


# ---------------------------------------------------------------------------------------------- warnings


def _warning_command(monkeypatch: pytest.MonkeyPatch, emit: Callable[[], None]) -> None:
    """Make `dagcore roles` emit warnings (through `emit`) before it runs."""
    import dagcore.cli.structure as structure

    real = structure._roles

    def handler(args: object) -> int:
        emit()
        return real(args)  # type: ignore[arg-type]

    monkeypatch.setattr(structure, "_roles", handler)


def _emit() -> None:
    from dagcore.errors import PositivityWarning

    for _ in range(3):
        warnings.warn("weak overlap", PositivityWarning, stacklevel=1)
    warnings.warn("weak overlap", PositivityWarning, stacklevel=1)  # same text from another line
    warnings.warn("a second thing", UserWarning, stacklevel=1)


def test_each_warning_is_printed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    dag = tmp_path / "g.dag"
    dag.write_text(DAG)
    _warning_command(monkeypatch, _emit)
    assert main(["roles", str(dag)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == ["warning: weak overlap", "warning: a second thing"]
    assert main(["roles", str(dag)]) == 0  # a second run in the same process shows them again
    assert capsys.readouterr().err.count("warning: ") == 2


def test_logged_warnings_are_shown_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    dag = tmp_path / "g.dag"
    dag.write_text(DAG)

    def log() -> None:
        for _ in range(2):
            logging.getLogger("dagcore").warning("estimator %s failed", "bogus")
        logging.getLogger("dagcore").info("progress is not a warning")

    _warning_command(monkeypatch, log)
    assert main(["roles", str(dag)]) == 0
    assert capsys.readouterr().err == "warning: estimator bogus failed\n"
    assert main(["-q", "roles", str(dag)]) == 0
    assert capsys.readouterr().err == ""
    assert not logging.getLogger("dagcore").handlers  # the CLI's handler is gone after the command


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_silences_warnings(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    dag = tmp_path / "g.dag"
    dag.write_text(DAG)
    _warning_command(monkeypatch, _emit)
    argv = ["-q", "roles", str(dag)] if where == "before" else ["roles", str(dag), "--quiet"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "confounder" in captured.out


def test_an_estimator_warning_reaches_the_user_once_without_a_source_path(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 400
    z = rng.normal(size=n) * 3
    x = (rng.random(n) < 1 / (1 + np.exp(-3 * z))).astype(int)  # propensities near 0 and 1
    pd.DataFrame({"z": z, "x": x, "y": x + z + rng.normal(size=n)}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.dag").write_text(DAG)
    base = [sys.executable, "-m", "dagcore"]
    cmd = ["estimate", str(tmp_path / "g.dag"), "--data", str(tmp_path / "d.csv"), "--method", "ipw"]
    loud = subprocess.run([*base, *cmd], capture_output=True, text=True, cwd=ROOT)
    assert loud.returncode == 0, loud.stderr
    lines = loud.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "propensity scores" in lines[0]
    assert "Warning:" not in loud.stderr and ".py:" not in loud.stderr  # not Python's raw form
    quiet = subprocess.run([*base, "-q", *cmd], capture_output=True, text=True, cwd=ROOT)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout


# ---------------------------------------------------------------------------------------------- imports


def test_the_cli_imports_no_private_name_from_another_package() -> None:
    offenders = []
    imported = 0
    for path in sorted((ROOT / "dagcore" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules, names = [node.module], [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                modules, names = [a.name for a in node.names], []
            else:
                continue
            for module in modules:
                if not module.startswith("dagcore") or module.startswith("dagcore.cli"):
                    continue
                imported += 1
                if any(part.startswith("_") for part in module.split(".")):
                    offenders.append(f"{path.name}: {module}")
                offenders += [f"{path.name}: {module}.{n}" for n in names if n.startswith("_") and not n.endswith("__")]
    assert imported > 20 and offenders == []


def test_graph_commands_never_load_pandas(tmp_path: Path) -> None:
    dag = tmp_path / "g.dag"
    dag.write_text(DAG)
    code = (
        "import sys; from dagcore.cli import main\n"
        f"for argv in (['check', {str(dag)!r}], ['adjust', {str(dag)!r}], ['convert', {str(dag)!r}, '--to', 'dot']):\n"
        "    assert main(argv) == 0\n"
        "heavy = [m for m in ('pandas', 'sklearn', 'statsmodels') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_help_and_version_load_no_graph_or_data_library() -> None:
    """``dagcore --help`` builds every subcommand's parser without networkx, pandas or scikit-learn (fast start)."""
    code = (
        "import sys, contextlib, io; from dagcore.cli import main\n"
        "for argv in (['--help'], ['--version'], ['estimate', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(argv)\n"
        "heavy = [m for m in ('networkx', 'pandas', 'sklearn', 'statsmodels') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_a_failed_write_is_an_output_path_error_naming_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk (simulated: os.replace fails) names the target, and leaves no temporary file."""
    import errno

    from dagcore.errors import OutputPathError
    from dagcore.files import atomic_write_text

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    target = tmp_path / "out.dag"
    with pytest.raises(OutputPathError, match=r"cannot write .*out\.dag: No space left on device"):
        atomic_write_text(target, "a -> b\n")
    assert list(tmp_path.iterdir()) == []
