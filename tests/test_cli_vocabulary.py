"""One vocabulary on the command line: each option has the Python API's name; old and foreign spellings get a did-you-mean."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dagcore.cli import build_parser, main
from dagcore.graph import FOREIGN_NAMES

DAG = "dag { z -> x  z -> y  x -> y  x -> m  m -> y  x [exposure]  y [outcome] }\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    rng = np.random.default_rng(0)
    z = rng.normal(size=200)
    x = (z + rng.normal(size=200) > 0).astype(float)
    m = x + rng.normal(size=200)
    pd.DataFrame({"z": z, "x": x, "m": m, "y": m + z + rng.normal(size=200)}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.dag").write_text(DAG)
    return {"G": str(tmp_path / "g.dag"), "CSV": str(tmp_path / "d.csv")}


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check-set", "G", "--set", "z"], "unrecognized option --set; did you mean --adjustment-set?"),
        (["check-set", "G", "--common-causes", "z"], "did you mean --adjustment-set?"),
        (["estimate", "G", "--data", "CSV", "--estimator", "ipw"], "unrecognized option --estimator; did you mean --method?"),
        (["estimate", "G", "--data", "CSV", "--method-name", "ipw"], "did you mean --method?"),
        (["cate", "G", "--data", "CSV", "--estimator", "t_learner"], "did you mean --method?"),
        (["refute", "G", "--data", "CSV", "--estimator", "ipw"], "did you mean --method?"),
        (["sensitivity", "G", "--data", "CSV", "--estimator", "ipw"], "did you mean --method?"),
        (["refute", "G", "--data", "CSV", "--method", "placebo_treatment"], "'placebo_treatment' is a refuter; --method names the estimator"),
        (["refute", "G", "--data", "CSV", "--methods", "bootstrap"], "did you mean --refuters?"),
        (["analyze", "G", "--data", "CSV", "--method", "ipw"], "did you mean --estimators?"),
        (["power", "--effect-size", "0.5", "--n", "50"], "unrecognized option --n; did you mean --n-per-group?"),
        (["roles", "G", "--treatment", "x"], "unrecognized option --treatment; did you mean --exposure?"),
        (["identify", "G", "--outcomes", "y"], "did you mean --outcome?"),
        (["analyze", "G", "--data", "CSV", "--treatment", "x"], "did you mean --exposure?"),
        (["paths", "G", "--conditioning-set", "z"], "did you mean --given?"),
        (["dsep", "G", "x", "y", "--conditioned", "z"], "did you mean --given?"),
        (["id", "G", "--evidence", "z"], "did you mean --given?"),
        (["mediation", "G", "--mediator", "m"], "did you mean --mediators?"),
        (["estimate", "G", "--data", "CSV", "--effect", "nde", "--mediator", "m"], "did you mean --mediators?"),
        (["check-set", "G", "--set"], "did you mean --adjustment-set?"),  # also without a value
        (["identify", "G", "--direct"], "unrecognized option --direct; did you mean --effect? (--effect direct"),
        (["adjust", "G", "--direct"], "did you mean --effect?"),
        (["refute", "G", "--data", "CSV", "--simulations", "5"], "did you mean --n-simulations?"),
        (["analyze", "G", "--data", "CSV", "--jobs", "2"], "did you mean --n-jobs?"),
        (["refute", "G", "--data", "CSV", "--seed", "1"], "did you mean --random-state?"),
        (["cate", "G", "--data", "CSV", "--seed", "1"], "did you mean --random-state?"),
    ],
)
def test_old_and_foreign_spellings_are_usage_errors_naming_the_option(
    argv: list[str], message: str, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([files.get(a, a) for a in argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and f"usage: dagcore {argv[0]}" in err


def test_renamed_spellings_are_hidden_from_help() -> None:
    for name, sub in _subparsers().items():
        text = sub.format_help()
        for hidden in ("--set ", "--estimator ", "--treatment", "--conditioning-set", "--mediator ", "--n ", "--direct", "--seed", "--jobs"):
            assert hidden not in text, (name, hidden)


def test_abbreviations_match_only_the_shown_options(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    # the hidden --exposures / --outcomes / --jobs do not make these ambiguous
    assert main(["roles", files["G"], "--exposur", "z", "--outco", "y", "--js"]) == 0
    assert json.loads(capsys.readouterr().out)["exposure"] == ["z"]
    with pytest.raises(SystemExit):
        main(["roles", files["G"], "--treat", "x"])  # a prefix of a hidden spelling only: unrecognized
    assert "unrecognized arguments: --treat" in capsys.readouterr().err


def test_one_name_per_concept_across_commands() -> None:
    """Each destination has one flag in every command, and no visible flag is another library's name."""
    flags: dict[str, set[str]] = {}
    for name, sub in _subparsers().items():
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or not action.option_strings or type(action) is argparse._StoreConstAction:
                continue  # hidden, positional, or one of several switches for one value (adjust --minimal|--all|...)
            long = [o for o in action.option_strings if o.startswith("--")]
            flags.setdefault(action.dest, set()).update(long)
            for flag in long:
                assert flag[2:].replace("-", "_") not in FOREIGN_NAMES, (name, flag)
                assert flag not in ("--estimator", "--set", "--n", "--direct", "--seed", "--simulations", "--jobs"), (name, flag)
    assert {dest: f for dest, f in flags.items() if len(f) > 1} == {}
    # the estimator is --method wherever a command takes one (the API's estimate(..., method=))
    for name in ("estimate", "cate", "refute", "sensitivity"):
        assert "--method" in _subparsers()[name]._option_string_actions, name


def test_new_names_work(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-set", files["G"], "--adjustment-set", "z", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["power", "--effect-size", "0.5", "--n-per-group", "50"]) == 0
    assert capsys.readouterr().out.strip() == "power = 0.697 with 50 units per group"
    assert main(["identify", files["G"], "--effect", "direct", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["effect"] == "direct"
    assert main(["adjust", files["G"], "--effect", "direct", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "direct"
    assert main(["adjust", files["G"], "--effect", "direct", "--all"]) == 1
    assert "leave out --all" in capsys.readouterr().err
    argv = ["refute", files["G"], "--data", files["CSV"], "--method", "regression", "--n-simulations", "3", "--random-state", "1", "--n-jobs", "1", "--json", "-q",
            "--refuters", "placebo_treatment,bootstrap", "--refuters", "data_subset"]
    main(argv)
    out = json.loads(capsys.readouterr().out)
    assert out["estimate"]["method"] == "regression"
    assert [r["method"] for r in out["refutations"]] == ["placebo_treatment", "bootstrap", "data_subset"]


def test_sensitivity_offers_no_refitting_option_it_would_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    """``sensitivity`` refits nothing: --n-simulations, --n-jobs and --random-state are usage errors there."""
    from dagcore.cli import main

    for option in ("--n-simulations", "--n-jobs", "--random-state"):
        with pytest.raises(SystemExit) as exit_info:
            main(["sensitivity", "G", "--data", "CSV", option, "2"])
        assert exit_info.value.code == 2
        assert option in capsys.readouterr().err
