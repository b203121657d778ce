"""The README's Python snippets run as tests: in order, in one namespace, in one process.

Every fenced ```` ```python ```` block of README.md is one test; the tests
share a module-level namespace and each runs the blocks before it first (once),
so a block that only works on its own, or breaks after another (``dagcore.paths``
after ``dagcore.roles`` once did), fails. The working directory is a temporary
copy of the repository's ``examples/``, so the snippets read ``examples/...``
as a user in the repository would and write their outputs (``mbias.svg``,
``report.html``) into the temporary directory.

A block preceded by ``<!-- no-test: reason -->`` (blank lines allowed
between) is not run, and its test is skipped with the reason; use it only for
code that cannot run in CI. Shell and ``.dag`` blocks are not Python blocks.
The block that runs the whole ``analyze`` audit takes most of the time, so it
and the blocks after it are marked ``slow`` (``make test-fast`` leaves them out).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: The first block containing this (and every block after it) is marked slow.
SLOW_FROM = "dagcore.analyze("

_FENCE = re.compile(r"^```(?P<lang>[^\n`]*)\n(?P<code>.*?)^```[ \t]*$", re.S | re.M)
_NO_TEST = re.compile(r"<!--\s*no-test:\s*(?P<reason>.+?)\s*-->\s*\Z", re.S)


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence
    code: str
    skip: str | None  # the no-test reason


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, in order, with their ``no-test`` reasons."""
    blocks = []
    end = 0
    for match in _FENCE.finditer(text):
        before = text[end : match.start()]
        end = match.end()
        if match["lang"].strip() != "python":
            continue
        marker = _NO_TEST.search(before)
        blocks.append(Block(text.count("\n", 0, match.start()) + 1, match["code"], marker["reason"] if marker else None))
    return blocks


@dataclass
class Runner:
    """Runs the blocks in order in one namespace, each at most once, remembering how each went."""

    blocks: list[Block]
    workdir: Path
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__readme__"})
    outcomes: list[str | None] = field(default_factory=list)  # None: ran fine; else the failure

    def run_through(self, index: int) -> None:
        while len(self.outcomes) <= index:
            block = self.blocks[len(self.outcomes)]
            self.outcomes.append(None if block.skip else self._run(block))

    def _run(self, block: Block) -> str | None:
        code = compile(block.code, f"{README.name}:{block.line + 1}", "exec")
        previous = Path.cwd()
        os.chdir(self.workdir)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, self.namespace)
        except Exception as error:  # noqa: BLE001 - reported as the test's failure
            if type(error).__name__ == "GraphvizNotFoundError" and shutil.which("dot") is None:
                return f"skip: Graphviz 'dot' is not installed ({error})"
            return "".join(traceback.format_exception(error))
        finally:
            os.chdir(previous)
        return None


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))
_FIRST_SLOW = next((i for i, b in enumerate(BLOCKS) if SLOW_FROM in b.code), len(BLOCKS))


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    workdir = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", workdir / "examples")
    return Runner(BLOCKS, workdir)


@pytest.mark.parametrize(
    "index",
    [pytest.param(i, id=f"line{b.line}", marks=[pytest.mark.slow] if i >= _FIRST_SLOW else []) for i, b in enumerate(BLOCKS)],
)
def test_readme_block(runner: Runner, index: int) -> None:
    block = BLOCKS[index]
    if block.skip:
        pytest.skip(f"README.md:{block.line}: no-test: {block.skip}")
    runner.run_through(index)
    outcome = runner.outcomes[index]
    if outcome and outcome.startswith("skip: "):
        pytest.skip(outcome.removeprefix("skip: "))
    earlier = [BLOCKS[i].line for i in range(index) if runner.outcomes[i]]
    note = f" (after the failure of the block(s) at line(s) {earlier})" if earlier else ""
    assert outcome is None, f"README.md:{block.line}: the block fails when run in order{note}:\n{outcome}"


def test_the_readme_has_its_blocks() -> None:
    assert len(BLOCKS) >= 10, "the runner found too few ```python blocks: is the fence syntax changed?"
    assert sum(1 for b in BLOCKS if b.skip) <= 2, "no-test is for the rare block that cannot run in CI"


def test_parser_reads_fences_and_no_test_markers() -> None:
    text = (
        "intro\n```python\nx = 1\n```\n"
        "```sh\nmake test\n```\n"
        "<!-- no-test: needs a cluster -->\n\n```python\nx = 2\n```\n"
        "```\nplain\n```\n```python\nassert x == 1\n```\n"
    )
    blocks = python_blocks(text)
    assert [(b.line, b.code, b.skip) for b in blocks] == [
        (2, "x = 1\n", None),
        (10, "x = 2\n", "needs a cluster"),
        (16, "assert x == 1\n", None),
    ]


def test_runner_fails_a_block_that_breaks_after_another(tmp_path: Path) -> None:
    blocks = python_blocks("```python\nimport math as m\n```\n```python\nm = None\n```\n```python\nm.sqrt(4)\n```\n")
    toy = Runner(blocks, tmp_path)
    toy.run_through(2)
    assert toy.outcomes[:2] == [None, None]
    assert toy.outcomes[2] is not None and "AttributeError" in toy.outcomes[2]
