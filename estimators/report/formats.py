"""Rendering of an :class:`~dagcore.estimators.report.analysis.Analysis`: terminal, Markdown, HTML.

The HTML report is one self-contained file: inline CSS, the graph and every
figure as inline SVG, no JavaScript and no external resources, so it opens
anywhere and can be archived or mailed as is. The Markdown report links its
figures as SVG files beside it (:func:`write_report`); the JSON carries the
same readable content (:func:`~dagcore.estimators.report.readable.report_content`)
plus the raw numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

__all__ = [
    "graph_svg", "terminal_summary", "to_markdown", "to_html", "html_body", "notebook_html", "write_figures",
    "write_report", "SECTIONS",
]

#: The section a CATE analysis adds after the estimates: BLP, GATES and the gain curve.
HETEROGENEITY_SECTION = ("heterogeneity", "Heterogeneous effects")
#: Report sections in order: (id, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("graph", "Causal graph"),
    ("identification", "Identification"),
    ("estimates", "Estimates"),
    ("diagnostics", "Diagnostics"),
    ("refutations", "Refutations"),
    ("sensitivity", "Sensitivity"),
    ("local-tests", "Graph vs data: implied independencies"),
    ("limits", "Limits"),
)


def _f(v: Any, digits: int = 4) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "–"
        return f"{v:.{digits}g}"
    return str(v)


def _p(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


# --------------------------------------------------------------------------- graph picture


def graph_svg(g: Any, *, adjusted: Any = None) -> str:
    """The graph as inline SVG: :func:`dagcore.render` when it works, else a built-in layered drawing.

    ``adjusted`` (the adjustment set identify chose) is outlined red in the picture when Graphviz renders it,
    with a legend entry of the same style.

    Examples
    --------
    >>> from dagcore import CausalGraph
    >>> svg = _fallback_svg(CausalGraph([("Z", "X"), ("X", "Y"), ("Z", "Y")], exposure="X", outcome="Y"))
    >>> svg.startswith("<svg") and svg.count("<line") == 3
    True
    """
    try:
        from dagcore.rendering import render

        if adjusted:
            out = render(g, format="svg", highlight="adjustment", adjustment_set=sorted(adjusted))
        else:
            out = render(g, format="svg")
        if isinstance(out, bytes):
            out = out.decode("utf-8")
        if isinstance(out, str) and "<svg" in out:
            return out[out.index("<svg") :]  # drop the XML prolog and doctype: inline SVG in HTML
    except Exception:  # noqa: BLE001 - any failure of the optional renderer falls back to the built-in drawing
        pass
    return _fallback_svg(g)


def _fallback_svg(g: Any) -> str:
    hidden = set(getattr(g, "bidirected_latents", {}) or {})
    nodes = [v for v in g.topological_order() if v not in hidden]
    positions = dict(getattr(g, "positions", {}) or {})
    if nodes and all(v in positions for v in nodes):
        pos = {v: (float(positions[v][0]), float(positions[v][1])) for v in nodes}
    else:
        depth: dict[str, int] = {}
        for v in g.topological_order():
            depth[v] = 1 + max((depth[p] for p in g.parents(v)), default=-1)
        layers: dict[int, list[str]] = {}
        for v in nodes:
            layers.setdefault(depth[v], []).append(v)
        pos = {}
        for d, members in layers.items():
            for i, v in enumerate(members):
                pos[v] = (i - (len(members) - 1) / 2 + 0.25 * (d % 2), float(d))
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    sx = 160.0 if max(xs) - min(xs) > 0 else 1.0
    sy = 90.0
    if max(xs) - min(xs) > 0 and all(v in positions for v in nodes):
        sx = 600.0 / (max(xs) - min(xs))
        sy = 400.0 / max(max(ys) - min(ys), 1e-9)
    margin = 70

    def at(v: str) -> tuple[float, float]:
        return margin + (pos[v][0] - min(xs)) * sx, margin + (pos[v][1] - min(ys)) * sy

    width = int(margin * 2 + (max(xs) - min(xs)) * sx)
    height = int(margin * 2 + (max(ys) - min(ys)) * sy)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-label="causal graph" font-family="Helvetica, Arial, sans-serif" font-size="13">',
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
        "orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#444\"/></marker></defs>",
    ]
    ry = 16

    def label(v: str) -> str:
        return g.label(v) if hasattr(g, "label") else v

    radius = {v: max(30.0, 8 + 3.7 * len(label(v))) for v in nodes}

    def clip(a: tuple[float, float], b: tuple[float, float], rx: float) -> tuple[float, float]:
        """The point where the segment a -> b enters the ellipse around b."""
        dx, dy = b[0] - a[0], b[1] - a[1]
        dist = math.hypot(dx, dy) or 1.0
        k = 1.0 / math.sqrt((dx / dist / rx) ** 2 + (dy / dist / ry) ** 2)
        return b[0] - dx / dist * k, b[1] - dy / dist * k

    for u, v in sorted(g.edges):
        if u in hidden or v in hidden:
            continue
        a, b = at(u), at(v)
        b2 = clip(a, b, radius[v])
        a2 = clip(b, a, radius[u])
        out.append(
            f'<line x1="{a2[0]:.1f}" y1="{a2[1]:.1f}" x2="{b2[0]:.1f}" y2="{b2[1]:.1f}" stroke="#444" '
            'stroke-width="1.4" marker-end="url(#arrow)"/>'
        )
    for u, v in sorted(getattr(g, "bidirected", ()) or ()):
        if u not in pos or v not in pos:
            continue
        a, b = at(u), at(v)
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - 40
        a2, b2 = clip((mx, my), a, radius[u]), clip((mx, my), b, radius[v])
        out.append(
            f'<path d="M{a2[0]:.1f} {a2[1]:.1f}Q{mx:.1f} {my:.1f} {b2[0]:.1f} {b2[1]:.1f}" fill="none" stroke="#888" '
            'stroke-dasharray="5 4" marker-start="url(#arrow)" marker-end="url(#arrow)"/>'
        )
    for v in nodes:
        x, y = at(v)
        roles = g.roles_of(v)
        fill = "#c8e6c9" if "exposure" in roles else "#bbdefb" if "outcome" in roles else "#fff"
        dash = ' stroke-dasharray="4 3"' if "latent" in roles else ""
        out.append(
            f'<g class="node"><title>{escape(v)}</title><ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{radius[v]:.1f}" '
            f'ry="{ry}" fill="{fill}" stroke="#333"{dash}/><text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">'
            f"{escape(label(v))}</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out)


# --------------------------------------------------------------------------- shared pieces


def _problems(a: Any) -> tuple[Any, ...]:
    """The analysis's problems, most serious first (``Analysis.problems``; empty when the analysis has none)."""
    return tuple(getattr(a, "problems", ()) or ())


def _estimates_line(a: Any) -> str:
    """Every estimate with its CI and method, in order (the first is the primary), each target stated."""
    same = len({e.target for e in a.estimates}) == 1
    parts = []
    for e in a.estimates:
        target = "" if same else f"; {e.target}"
        parts.append(
            f"{_f(e.value, 3)} ({int(round(e.level * 100))}% CI {_f(e.ci[0], 3)} to {_f(e.ci[1], 3)}{target}) by {e.method}"
        )
    return "; ".join(parts)


def _headline(a: Any) -> str:
    if not a.estimable:
        return f"The effect of {a.exposure} on {a.outcome} is not identifiable from the graph; nothing was estimated."
    e = a.estimate
    hedge = (
        f"Not identifiable without parametric assumptions; under {a.estimand.identified_under} (instrument "
        f"{', '.join(sorted(a.estimand.instruments or ()))}): " if a.estimand.parametric else ""
    )
    if e is None:
        return hedge + f"The effect of {a.exposure} on {a.outcome} is {'estimable' if hedge else 'identified'}, but no estimator could serve it."
    verdicts = [r.verdict for r in a.refutations]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("pass", "warn", "fail") if verdicts.count(v))
    lt = a.local_tests
    tests = "" if lt is None else f"; {len(lt.rejected)} of {len(lt)} implied independencies contradicted by the data"
    targets = {e.target for e in a.estimates}
    what = f"{next(iter(targets))} of" if len(targets) == 1 else "Effect of"
    return hedge + (
        f"{what} {a.exposure} on {a.outcome}: {_estimates_line(a)}. "
        f"Refuters on the {a.estimate.method} estimate: {counts or 'none run'}{tests}."
    )


def _problem_lines(a: Any) -> list[str]:
    """The problems under their heading, in the form ``Analysis.summary`` prints them (so it does not print them twice)."""
    from dagcore.estimators.report.problems import problem_lines

    return problem_lines(_problems(a))


def terminal_summary(a: Any) -> str:
    """A compact text summary of an analysis for the terminal: problems, headline, rows used, then the details."""
    from dagcore.estimators.report.readable import PASS_DEFINITION, rows_used, sensitivity_sentences

    lines = [*_problem_lines(a), *([""] if _problems(a) else []), _headline(a), rows_used(a)]
    if a.refutations:
        lines.append(f"({PASS_DEFINITION})")
    lines.append("")
    if a.estimand is not None:
        lines += [a.estimand.summary(), ""]
    for e in a.estimates:
        lines.append(e.summary())
    if a.heterogeneity is not None:
        lines += ["", "Heterogeneous effects:", *(f"  {line}" for line in a.heterogeneity.lines())]
    if a.refutations:
        lines.append("")
        lines.extend(r.summary() for r in a.refutations)
    sens = sensitivity_sentences(a)
    if sens:
        lines += ["", *sens.values()]
    if a.local_tests is not None:
        lines += ["", a.local_tests.summary()]
    if a.limits:
        lines += ["", "Limits:"] + [f"  - {x}" for x in a.limits]
    return "\n".join(lines)


_DIAG_HEADER = ["estimator", "diagnostic", "value", "unit", "threshold", "verdict"]
_REF_HEADER = ["refuter", "verdict", "new effect", "p-value", "what the p-value tests", "rule", "can detect"]
_BENCH_HEADER = ["confounder as strong as", "partial R² with treatment", "partial R² with outcome", "adjusted estimate",
                 "adjusted CI", "labelled in the figure"]
_LT_HEADER = ["implication", "test", "effect size", "p (H0: independent)", "adjusted p", "contradicted"]


def _bench_rows(content: Mapping[str, Any]) -> list[list[str]]:
    return [
        [b["confounder_as_strong_as"], f"{100 * b['r2_treatment']:.3g}%", f"{100 * b['r2_outcome']:.3g}%",
         _f(b["adjusted_estimate"]), f"{_f(b['adjusted_ci'][0])} to {_f(b['adjusted_ci'][1])}",
         "yes" if b["labelled_in_figure"] else "no"]
        for b in content["benchmarks"]
    ]


def _figure_caption(content: Mapping[str, Any], name: str) -> str:
    caption = next(f["caption"] for f in content["figures"] if f["name"] == name)
    if name == "overlap" and content.get("overlap_source"):
        caption += f" Scores: {content['overlap_source']}."
    if name == "sensitivity":
        n = sum(1 for b in content["benchmarks"] if b["labelled_in_figure"])
        if n < len(content["benchmarks"]):
            caption += f" The {n} strongest of {len(content['benchmarks'])} benchmarks are labelled; the table lists all."
    return caption


# --------------------------------------------------------------------------- Markdown


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def to_markdown(a: Any, *, figure_dir: str | None = None) -> str:
    """The analysis report as Markdown, with the same content as the HTML and the JSON.

    ``figure_dir`` is the folder (relative to the Markdown file) where the
    figures are written as SVG files (:func:`write_report` writes them); the
    report links them there. Without it the report lists the figures by name
    (``Analysis.figures`` draws them).
    """
    from dagcore.estimators.report.readable import report_content

    c = report_content(a)

    def figure(name: str) -> list[str]:
        if name not in {f["name"] for f in c["figures"]}:
            return []
        caption = _figure_caption(c, name)
        if figure_dir is None:
            return [f"*Figure `{name}`: {caption}*", ""]
        return [f"![{name}]({figure_dir.rstrip('/')}/{name}.svg)", "", f"*{caption}*", ""]

    out = [f"# {c['title']}", ""]
    out += ["## Summary", ""]
    problems = _problems(a)
    if problems:
        out += ["**Problems, most serious first:**", ""] + [f"- **{str(p.severity).upper()}**: {p.message}" for p in problems] + [""]
    out += [_headline(a), "", c["rows_used"], ""]
    if a.refutations:
        out += [f"*{c['pass_definition']}*", ""]
    out += ["## Causal graph", ""]
    edges = sorted(a.graph.edges)
    hidden = set(getattr(a.graph, "bidirected_latents", {}) or {})
    lines = [f"{u} -> {v}" for u, v in edges if u not in hidden]
    lines += [f"{u} <-> {v}" for u, v in sorted(getattr(a.graph, "bidirected", ()) or ())]
    out += ["```", *lines, "```", ""]
    out += ["## Identification", ""]
    out += ["```", a.estimand.summary(), "```", ""] if a.estimand is not None else ["(not run)", ""]
    if a.estimand is not None and a.estimand.alternatives:
        out += ["Other valid adjustment sets: " + "; ".join("{" + ", ".join(sorted(s)) + "}" for s in a.estimand.alternatives), ""]
    out += ["## Estimates", ""]
    if a.estimates:
        out.append(_md_table(
            ["method", "target", "estimate", "SE", "CI", "rows used", "inference"],
            [[e.method, e.target, _f(e.value), _f(e.se), f"{_f(e.ci[0])} to {_f(e.ci[1])}", str(e.n), e.inference]
             for e in a.estimates],
        ))
        out += ["", *figure("forest")]
    else:
        out += ["No estimate.", ""]
    if a.skipped_estimators:
        out += ["Not run: " + "; ".join(a.skipped_estimators), ""]
    if a.heterogeneity is not None:
        out += ["## Heterogeneous effects", "", *a.heterogeneity.lines(), ""]
        out += [*figure("cate_distribution"), *figure("cate_gates"), *figure("cate_gain")]
    out += ["## Diagnostics", ""]
    if c["diagnostics"]:
        out += [_md_table(_DIAG_HEADER, [[r[k] for k in ("estimator", "name", "value", "unit", "threshold", "verdict")]
                                         for r in c["diagnostics"]]), "", f"*{c['diagnostic_verdicts']}*", ""]
    else:
        out += ["No diagnostics reported.", ""]
    out += figure("overlap") + figure("balance")
    for e in a.estimates:
        out += [f"- warning ({e.method}): {w}" for w in e.warnings]
    out += ["", "## Refutations", ""]
    if a.refutations:
        out.append(_md_table(_REF_HEADER, [
            [r["refuter"], r["verdict"].upper(), _f(r["new_effect"]), _p(r["p_value"]), r["p_value_tests"], r["rule"], r["can_detect"]]
            for r in c["refutations"]
        ]))
        out += ["", f"*{c['p_value_note']}*", "", f"*{c['pass_definition']}*", "",
                f"{a.refutations[0].n_simulations} simulations per refuter, on the {a.estimate.method} estimate.", ""]
        out += figure("refutations")
    else:
        out += ["No refuters were run.", ""]
    out += ["## Sensitivity", ""]
    sens = c["sensitivity"]
    out += [f"- {v}" for v in sens.values()] or ["Not run."]
    out.append("")
    out += figure("sensitivity")
    if c["benchmarks"]:
        out += [_md_table(_BENCH_HEADER, _bench_rows(c)), ""]
    out += ["## Graph vs data: implied independencies", ""]
    if a.local_tests is not None:
        lt = a.local_tests
        out += [lt.summary().splitlines()[0] + ".", ""]
        out.append(_md_table(_LT_HEADER, [
            [r.statement, r.test, f"{r.effect_name} {_f(r.effect, 3)}", _p(r.p_value), _p(r.p_adjusted),
             "**yes**" if r.rejected else "no"]
            for r in sorted(lt, key=lambda r: r.p_adjusted)
        ]))
    else:
        out.append("Not run.")
    out += ["", "## Limits", ""]
    out += [f"- {x}" for x in a.limits] or ["None found."]
    if a.notes:
        out += ["", "Notes:", ""] + [f"- {x}" for x in a.notes]
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
       max-width: 1040px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin-top: 2.2rem; }
nav { font-size: .9rem; color: var(--muted); }
nav a { color: inherit; margin-right: .8rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; font-size: .85rem; white-space: pre-wrap; }
.headline { font-size: 1.05rem; background: #f6f8fa; border-left: 4px solid #0969da; padding: .6rem .9rem; }
.problems { border-left: 4px solid var(--fail); background: #fff5f5; padding: .5rem .9rem; margin: .6rem 0; }
.problems li { margin: .25rem 0; }
.verdict { font-weight: 600; text-transform: uppercase; font-size: .8rem; white-space: nowrap; }
.pass { color: var(--pass); } .warn { color: var(--warn); } .fail { color: var(--fail); }
.critical { color: var(--fail); } .warning { color: var(--warn); } .note { color: var(--muted); }
figure.figure { overflow-x: auto; border: 1px solid var(--line); padding: .5rem; text-align: center; margin: .8rem 0; }
.figure svg { max-width: 100%; max-height: 40rem; width: auto; height: auto; }
figcaption { font-size: .85rem; color: var(--muted); text-align: left; margin-top: .3rem; }
ul.limits li { margin: .3rem 0; }
.muted { color: var(--muted); font-size: .85rem; }
"""


def _table(header: list[str], rows: list[list[str]], num: set[int] | None = None) -> str:
    num = num or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict_span(v: str) -> str:
    return f'<span class="verdict {escape(v)}">{escape(v)}</span>' if v in ("pass", "warn", "fail") else escape(v)


def html_body(a: Any, *, figures: Mapping[str, str] | None = None) -> str:
    """The report's content (everything inside ``<body>``), usable inline in Jupyter.

    ``figures`` maps figure names to inline SVG; by default every figure of
    ``a.figures`` is drawn and embedded.
    """
    from dagcore.estimators.report.figures import figure_svg
    from dagcore.estimators.report.readable import report_content

    c = report_content(a)
    svgs = dict(figures) if figures is not None else {name: figure_svg(fig) for name, fig in a.figures.items()}
    e = escape
    parts = [f"<h1>{e(c['title'])}</h1>"]
    shown = list(SECTIONS)
    if a.heterogeneity is not None:  # CATE analyses only: after the estimates
        shown.insert([sid for sid, _ in shown].index("estimates") + 1, HETEROGENEITY_SECTION)
    parts.append("<nav>" + "".join(f'<a href="#{sid}">{e(title)}</a>' for sid, title in shown) + "</nav>")

    def section(sid: str, inner: str) -> None:
        title = dict(shown)[sid]
        parts.append(f'<section id="{sid}"><h2>{e(title)}</h2>{inner}</section>')

    def figure(name: str) -> str:
        if name not in svgs:
            return ""
        return (f'<figure class="figure" id="figure-{name}">{svgs[name]}'
                f"<figcaption>{e(_figure_caption(c, name))}</figcaption></figure>")

    summary = ""
    problems = _problems(a)
    if problems:
        summary += '<div class="problems"><b>Problems, most serious first</b><ul>' + "".join(
            f'<li><span class="verdict {e(str(p.severity))}">{e(str(p.severity))}</span> {e(p.message)}</li>' for p in problems
        ) + "</ul></div>"
    summary += f'<p class="headline">{e(_headline(a))}</p>'
    summary += f'<p class="muted" id="rows-used">{e(c["rows_used"])}</p>'
    if a.refutations:
        summary += f'<p class="muted" id="pass-definition">{e(c["pass_definition"])}</p>'
    section("summary", summary)
    caption = "" if "legend" in a.graph_svg else (
        '<p class="muted">Green: exposure; blue: outcome; dashed: unobserved; '
        "double-headed dashed arrows: unobserved common causes.</p>"
    )
    section("graph", f'<div class="figure">{a.graph_svg}</div>{caption}')
    if a.estimand is not None:
        ident = f"<pre>{e(a.estimand.summary())}</pre>"
        if a.estimand.alternatives:
            ident += "<p>Other valid adjustment sets: " + "; ".join(
                "{" + e(", ".join(sorted(s))) + "}" for s in a.estimand.alternatives
            ) + "</p>"
    else:
        ident = "<p>Not run.</p>"
    section("identification", ident)
    if a.estimates:
        rows = [
            [e(x.method), e(x.target), _f(x.value), _f(x.se), f"{_f(x.ci[0])} to {_f(x.ci[1])}", str(x.n), e(x.inference)]
            for x in a.estimates
        ]
        est = _table(["method", "target", "estimate", "SE", "CI", "rows used", "inference"], rows, {2, 3, 4, 5})
        est += figure("forest")
    else:
        est = "<p>No estimate" + (": the effect is not identifiable." if not a.estimable else ".") + "</p>"
    if a.skipped_estimators:
        est += '<p class="muted">Not run: ' + "; ".join(e(s) for s in a.skipped_estimators) + "</p>"
    section("estimates", est)
    if a.heterogeneity is not None:
        het = "".join(f"<p>{e(line)}</p>" for line in a.heterogeneity.lines())
        section("heterogeneity", het + figure("cate_distribution") + figure("cate_gates") + figure("cate_gain"))
    if c["diagnostics"]:
        diag = _table(_DIAG_HEADER, [
            [e(r["estimator"]), e(r["name"]), e(r["value"]), e(r["unit"]), e(r["threshold"]), _verdict_span(r["verdict"])]
            for r in c["diagnostics"]
        ]) + f'<p class="muted">{e(c["diagnostic_verdicts"])}</p>'
    else:
        diag = "<p>No diagnostics reported.</p>"
    diag += figure("overlap") + figure("balance")
    warns = [f"<li>{e(x.method)}: {e(w)}</li>" for x in a.estimates for w in x.warnings]
    if warns:
        diag += "<ul>" + "".join(warns) + "</ul>"
    section("diagnostics", diag)
    if a.refutations:
        rows = [
            [e(r["refuter"]), _verdict_span(r["verdict"]), _f(r["new_effect"]), _p(r["p_value"]), e(r["p_value_tests"]),
             e(r["rule"]), e(r["can_detect"])]
            for r in c["refutations"]
        ]
        ref = _table(_REF_HEADER, rows, {2, 3})
        ref += f'<p class="muted">{e(c["p_value_note"])}</p><p class="muted">{e(c["pass_definition"])}</p>'
        sims = a.refutations[0].n_simulations
        ref += f'<p class="muted">{sims} simulations per refuter, on the {e(a.estimate.method)} estimate.</p>'
        ref += figure("refutations")
    else:
        ref = "<p>No refuters were run.</p>"
    section("refutations", ref)
    sens = "".join(f'<p id="sensitivity-{k.replace("_", "-")}">{e(v)}</p>' for k, v in c["sensitivity"].items())
    sens += figure("sensitivity")
    if c["benchmarks"]:
        sens += _table(_BENCH_HEADER, [[e(x) for x in row] for row in _bench_rows(c)], {1, 2, 3})
    section("sensitivity", sens or "<p>Not run.</p>")
    if a.local_tests is not None:
        lt = a.local_tests
        rows = [
            [
                e(r.statement), e(r.test), f"{e(r.effect_name)} {_f(r.effect, 3)}", _p(r.p_value), _p(r.p_adjusted),
                '<span class="verdict fail">yes</span>' if r.rejected else "no",
            ]
            for r in sorted(lt, key=lambda r: r.p_adjusted)
        ]
        lts = f"<p>{e(lt.summary().splitlines()[0])}.</p>" + _table(_LT_HEADER, rows, {3, 4})
        if lt.skipped:
            lts += f'<p class="muted">{len(lt.skipped)} implications not tested (variables missing from the data).</p>'
    else:
        lts = "<p>Not run.</p>"
    section("local-tests", lts)
    lim = '<ul class="limits">' + "".join(f"<li>{e(x)}</li>" for x in a.limits) + "</ul>"
    if a.notes:
        lim += '<p class="muted">Notes:</p><ul class="muted">' + "".join(f"<li>{e(x)}</li>" for x in a.notes) + "</ul>"
    section("limits", lim)
    from dagcore import __version__

    parts.append(f'<p class="muted">Generated by dagcore {e(__version__)}.</p>')
    return "\n".join(parts)


def to_html(a: Any) -> str:
    """The analysis report as one self-contained HTML document (figures as inline SVG, no JavaScript)."""
    title = escape(a.title or f"Causal analysis: {a.exposure} → {a.outcome}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{html_body(a)}\n</body>\n</html>\n"
    )


def _scoped_css(css: str, scope: str) -> str:
    r"""``css`` with every selector prefixed by ``scope`` (``body`` and ``:root`` become the scope itself).

    Examples
    --------
    >>> _scoped_css("h1, th { x: 1; }\nbody { y: 2; }", ".r")
    '.r h1, .r th { x: 1; }\n.r { y: 2; }'
    """
    import re

    def prefix(match: re.Match[str]) -> str:
        parts = []
        for sel in match.group(1).split(","):
            sel = sel.strip()
            parts.append(scope if sel in ("body", ":root") else f"{scope} {sel}")
        return ", ".join(parts) + " {"

    return re.sub(r"(?m)^([^{}\n]+?)\s*\{", prefix, css.strip())


def notebook_html(a: Any) -> str:
    """The report for a Jupyter cell: the HTML body with its styles scoped to one ``div`` (the notebook's own styles untouched)."""
    return f'<div class="dagcore-report"><style>{_scoped_css(_CSS, ".dagcore-report")}</style>{html_body(a)}</div>'


# --------------------------------------------------------------------------- files


def write_figures(a: Any, folder: str | Path, *, formats: tuple[str, ...] = ("svg",)) -> list[Path]:
    """Write every figure of the analysis into ``folder`` (created if missing) as ``<name>.<format>``; the paths written."""
    from dagcore.estimators.report.figures import save_figure

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [save_figure(fig, folder / f"{name}.{fmt}") for name, fig in a.figures.items() for fmt in formats]


def write_report(a: Any, path: str | Path, *, figures_dir: str | Path | None = None) -> list[Path]:
    """Write the report to ``path`` (.html, .md or .json) and its figures; the files written.

    A Markdown report links its figures, written as SVG into ``figures_dir``
    (default: ``<name>_figures`` beside it); an HTML report embeds them and
    also writes them when ``figures_dir`` is given; a JSON report lists them
    (and writes them when ``figures_dir`` is given). Every file is written
    atomically.

    Raises
    ------
    DataError
        ``path`` has another suffix.
    """
    import json
    import os

    from dagcore.errors import DataError
    from dagcore.files import atomic_write_text

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".md", ".markdown", ".json"):
        raise DataError(f"report {str(path)!r}: use a .html, .md or .json file name")
    if suffix in (".md", ".markdown") and figures_dir is None:
        figures_dir = path.with_name(path.stem + "_figures")
    written: list[Path] = []
    if figures_dir is not None:
        written += write_figures(a, figures_dir)
    if suffix in (".html", ".htm"):
        text = to_html(a)
    elif suffix == ".json":
        d = a.to_dict()
        if figures_dir is not None:
            rel = os.path.relpath(Path(figures_dir), path.parent)
            for f in d.get("report", {}).get("figures", []):
                f["file"] = f"{rel}/{f['name']}.svg"
        text = json.dumps(d, indent=2, ensure_ascii=False)
    else:
        text = to_markdown(a, figure_dir=os.path.relpath(Path(figures_dir), path.parent) if figures_dir is not None else None)
    atomic_write_text(path, text)
    return [path, *written]
