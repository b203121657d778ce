"""CLI commands: ``analyze`` (the whole audit report), ``refute`` and ``sensitivity``.

Heavy libraries are imported inside the handlers so that ``dagcore --help``
stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dagcore.cli import common
from dagcore.errors import DataError

__all__ = ["register"]

_DATA_HELP = "the data, a CSV file with a header row (- for standard input)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``analyze``, ``refute`` and ``sensitivity``."""
    p = _command(
        subparsers, "analyze", _analyze,
        help="identify, estimate, refute and test a graph against data; write an audit report",
        description=(
            "Run the whole analysis of the exposure's effect on the outcome: identification, two or more "
            "estimators, diagnostics, refuters, sensitivity (E-value, robustness value), tests of the graph's "
            "implied independencies, and the limits they reveal. Prints a summary; -o writes the report "
            "(.html: one self-contained file; .md: Markdown, figures as SVG files beside it; .json: JSON). "
            "--spec reads the graph, the data, the estimators with their formulas and the refuters' settings "
            "from a TOML file (see examples/nhefs/analysis.toml); options on the command line override it."
        ),
        spec=True,
    )
    common.add_output_option(p, "REPORT", "write the report here (.html, .md or .json; atomically, its folder must exist)")
    p.add_argument("--spec", metavar="FILE.toml", help="an analysis specification (graph, data, estimators, formulas, target, refuters)")
    p.add_argument("--figures", metavar="DIR", help="also write every figure as DIR/<name>.svg (the folder is created)")
    p.add_argument("--estimators", action="append", metavar="A,B", help="estimator names, comma-separated (default: chosen for the estimand)")
    common.add_renamed_option(p, "--estimators", "--method", note=" (analyze runs several estimators, as analyze(estimators=) does)")
    p.add_argument("--target", choices=("ATE", "ATT", "ATC", "ATO"),
                   help="the population every estimator averages over: everyone (ATE), the treated (ATT), the untreated (ATC), "
                   "the overlap population (ATO); estimators without it are skipped, with the reason (default: each estimator's own)")
    _add_refuters_option(p)
    p.add_argument("--no-local-tests", action="store_true", help="skip testing the graph's implied independencies")
    p.add_argument("--alpha", type=float, default=None, help="level for the local tests (default 0.05)")
    p.add_argument("--correction", choices=("holm", "bh", "none"), default=None, help="multiple-testing correction (default holm)")

    p = _command(
        subparsers, "refute", _refute,
        help="re-run the estimate under placebo, random common cause, subsets, bootstrap, dummy outcome, confounder",
        description="Estimate the identified effect and run refuters on it; exit status 1 when a refuter fails.",
    )
    _add_refuters_option(p)
    common.add_method_option(p, type=_estimator_name, metavar="NAME", help="estimator to refute (default: the first that serves the estimand)")

    p = _command(
        subparsers, "sensitivity", _sensitivity,
        help="E-value and Cinelli & Hazlett robustness value of the estimate",
        description="Sensitivity of the estimate to unobserved confounding: the E-value and, for covariate "
        "adjustment, partial R², robustness values and bounds benchmarked on the measured covariates.",
        refits=False,
    )
    common.add_method_option(p, type=_estimator_name, metavar="NAME", help="estimator for the E-value (default: the first that serves)")
    p.add_argument("--k", default="1,2,3", metavar="K1,K2", help="benchmark multipliers (default 1,2,3)")
    p.add_argument("--svg", metavar="OUT.svg", help="write the contour plot of the adjusted estimate as SVG (atomically; its folder must exist)")


def _command(
    subparsers: argparse._SubParsersAction, name: str, handler: Any, *, help: str, description: str, refits: bool = True,
    spec: bool = False,
) -> argparse.ArgumentParser:
    """A command of this module: graph, data, one exposure and outcome, JSON, and (when it refits) the refitting options.

    With ``spec`` the graph and the data may come from ``--spec`` instead of the command line (checked by the handler),
    and the refitting options default to None so the handler can tell a given option from the spec's value.
    """
    if spec:
        p = subparsers.add_parser(name, help=help, description=description)
        p.add_argument("file", metavar="FILE", nargs="?", help=common.FILE_HELP + " (or the spec's graph)")
        p.add_argument("--data", metavar="CSV", help=_DATA_HELP + " (or the spec's data)")
        p.set_defaults(handler=handler)
    else:
        p = common.add_command(subparsers, name, handler, data=_DATA_HELP, roles=False, help=help, description=description)
    common.add_role_options(p, several=False)
    common.add_json_option(p, "print JSON instead of the summary")
    if not refits:  # sensitivity refits nothing: it offers no options it would ignore
        return p
    p.add_argument("--n-simulations", type=common.positive_int, default=None if spec else 100, metavar="N",
                   help="simulations per refuter (default 100)")
    common.add_random_state_option(p, "random seed (default 0)")
    if spec:
        p.set_defaults(random_state=None)
    p.add_argument("--n-jobs", type=int, default=None if spec else 1, metavar="J", help="parallel jobs for refitting (default 1)")
    common.add_renamed_option(p, "--n-simulations", "--simulations", "--num-simulations", note=" (the name the Python API uses)")
    common.add_renamed_option(p, "--n-jobs", "--jobs", note=" (the name the Python API uses)")
    return p


def _add_refuters_option(parser: argparse.ArgumentParser) -> None:
    """``--refuters A,B`` (the API's ``analyze(refuters=)``), comma-separated and repeatable."""
    parser.add_argument("--refuters", action="append", metavar="A,B", help="refuter names, comma-separated (default: all that apply)")
    common.add_renamed_option(parser, "--refuters", "--methods", note=" (refuter names, comma-separated)")


def _estimator_name(text: str) -> str:
    """``--method`` of ``refute``/``sensitivity`` names the estimator; a refuter's name there is a usage error."""
    from dagcore.estimators.refutation.refuters import REFUTERS

    if text in REFUTERS:
        raise argparse.ArgumentTypeError(f"{text!r} is a refuter; --method names the estimator (as in estimate), "
                                         f"choose refuters with --refuters {text}")
    return text


def _names(values: list[str] | None) -> list[str] | None:
    """The names given to a repeatable comma-separated option (``--refuters a,b --refuters c``); ``None`` when it was not given.

    Examples
    --------
    >>> _names(["placebo_treatment,bootstrap", "data_subset"]), _names(None)
    (['placebo_treatment', 'bootstrap', 'data_subset'], None)
    """
    names = [n for v in values or () for n in common.split_names(v)]
    return names or None


def _load(args: argparse.Namespace) -> tuple[Any, Any]:
    common.check_stdin_once(args.file, args.data)
    graph = common.graph_from_args(args)
    return graph, common.read_csv(args.data)


def _analyze_inputs(args: argparse.Namespace) -> tuple[Any, Any, dict[str, Any], Any]:
    """The graph, the data, the options of ``analyze()`` and the spec (or None): command line over the spec."""
    spec = None
    if args.spec:
        from dagcore.estimators.report.spec import load_spec

        spec = load_spec(args.spec)
    file = args.file if args.file is not None else (str(spec.graph) if spec is not None and spec.graph else None)
    data = args.data if args.data is not None else (str(spec.data) if spec is not None and spec.data else None)
    if file is None:
        raise DataError("analyze needs a graph: give FILE (a .dag file), or --spec with a 'graph' key")
    if data is None:
        raise DataError("analyze needs data: give --data CSV, or --spec with a 'data' key")
    common.check_stdin_once(file, data)
    graph = common.load_graph(file)
    frame = common.read_csv(data)
    options: dict[str, Any] = {"n_simulations": 100, "n_jobs": 1, "random_state": 0, "alpha": 0.05, "correction": "holm"}
    if spec is not None:
        options.update(spec.analyze_options())
    given = {
        "exposure": args.exposure, "outcome": args.outcome, "estimators": _names(args.estimators),
        "refuters": _names(args.refuters), "n_simulations": args.n_simulations, "n_jobs": args.n_jobs,
        "random_state": args.random_state, "alpha": args.alpha, "correction": args.correction, "target": args.target,
    }
    options.update({k: v for k, v in given.items() if v is not None})
    if args.no_local_tests:
        options["local_tests"] = False
    if spec is not None and spec.title:
        options["title"] = spec.title
    return graph, frame, options, spec


def _check_target(spec: Any, result: Any, target: str | None = None) -> None:
    """The asked ``target`` (``--target`` or the spec's) is used, or refused with the reason: every estimate must estimate it."""
    asked = target or (spec.target if spec is not None else None)
    if asked is not None and not result.estimates:
        reasons = "; ".join(result.skipped_estimators) or "no estimator ran"
        where = f"{spec.path}: target" if spec is not None and spec.target == asked else "--target"
        raise DataError(f"{where} {asked!r}: no estimator of the analysis estimates it ({reasons})")
    if spec is None or spec.target is None:
        return
    wrong = [f"{e.method} estimates {e.target}" for e in result.estimates if str(e.target).split(" ")[0] != spec.target]
    if wrong:
        raise DataError(
            f"{spec.path}: target {spec.target!r}, but {'; '.join(wrong)} (choose estimators or settings that estimate "
            f"the {spec.target})"
        )


def _analyze(args: argparse.Namespace) -> int:

    from dagcore.estimators.report.analysis import analyze
    from dagcore.estimators.report.formats import write_figures, write_report

    output = common.output_path(args.output)
    if output is not None and output.suffix.lower() not in (".html", ".htm", ".md", ".markdown", ".json"):
        raise DataError(f"report {args.output!r}: use a .html, .md or .json file name")
    graph, data, options, spec = _analyze_inputs(args)
    if spec is not None and spec.target is not None:
        options.setdefault("target", spec.target)
    result = analyze(graph, data, progress=not args.quiet, **options)
    _check_target(spec, result, options.get("target"))
    written = []
    if output is not None:
        written = write_report(result, args.output, figures_dir=args.figures)
    elif args.figures:
        written = write_figures(result, args.figures)
    common.show(args, result.to_dict(), result.summary())
    if output is not None:
        print(f"report written to {args.output}", file=sys.stderr)
    figures = [w for w in written if w.suffix == ".svg" and w != output]
    if figures:
        print(f"{len(figures)} figures written to {figures[0].parent}", file=sys.stderr)
    return 0


def _primary(args: argparse.Namespace, graph: Any, data: Any) -> tuple[Any, Any]:
    from dagcore.errors import NotIdentifiableError
    from dagcore.estimators.registry import estimate
    from dagcore.estimators.report.analysis import DEFAULT_ESTIMATORS, effect_roles
    from dagcore.identification.strategy import identify

    g, _, _ = effect_roles(graph, args.exposure, args.outcome)
    estimand = identify(g)
    if not estimand.estimable:
        raise NotIdentifiableError(estimand.reason or "the effect is not identifiable from the graph")
    names = [args.method] if args.method else list(DEFAULT_ESTIMATORS.get(estimand.strategy, ()))
    errors = []
    for name in names:
        try:
            return estimand, estimate(estimand, data, method=name)
        except (ValueError, ArithmeticError) as err:
            errors.append(f"{name}: {err}")
            if args.method:
                raise
    raise DataError("no estimator could serve the estimand: " + "; ".join(errors))


def _refute(args: argparse.Namespace) -> int:
    from dagcore.estimators.refutation.refuters import refute

    graph, data = _load(args)
    _, est = _primary(args, graph, data)
    results = refute(
        est, data, methods=_names(args.refuters), n_simulations=args.n_simulations, random_state=args.random_state,
        n_jobs=args.n_jobs, progress=not args.quiet,
    )
    common.show(args, {"estimate": est.to_dict(), "refutations": [r.to_dict() for r in results]}, [est.summary(), *(r.summary() for r in results)])
    return 1 if any(r.verdict == "fail" for r in results) else 0


def _sensitivity(args: argparse.Namespace) -> int:
    from dagcore.estimators.report.analysis import e_value_for, ovb_for
    from dagcore.files import atomic_write_text

    try:
        ks = [float(k) for k in common.split_names(args.k)]
    except ValueError:
        raise DataError(f"--k must be comma-separated numbers, got {args.k!r}") from None
    common.output_path(args.svg, "--svg")
    graph, data = _load(args)
    estimand, est = _primary(args, graph, data)
    ev, note_e = e_value_for(est, data)
    ovb, note_o = ovb_for(estimand, data, k=ks)
    if args.svg:
        if ovb is None:
            raise DataError(f"no contour plot: {note_o}")
        from dagcore.estimators.report.figures import figure_svg
        from dagcore.estimators.report.plots import sensitivity_contour

        atomic_write_text(args.svg, figure_svg(sensitivity_contour(ovb)))
    notes = [n for n in (note_e, note_o) if n]
    common.show(args, {
        "estimate": est.to_dict(),
        "e_value": None if ev is None else ev.to_dict(),
        "ovb": None if ovb is None else ovb.to_dict(),
        "notes": notes,
    }, [est.summary(), *(part.summary() for part in (ev, ovb) if part is not None), *notes])
    return 0
