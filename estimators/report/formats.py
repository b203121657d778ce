"""Rendering of an :class:`~dagcore.estimators.report.analysis.Analysis`: terminal, Markdown, HTML.

The HTML report is one self-contained file: inline CSS, the graph and the
sensitivity contour as inline SVG, no JavaScript and no external resources,
so it opens anywhere and can be archived or mailed as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

__all__ = ["graph_svg", "terminal_summary", "to_markdown", "to_html", "html_body", "SECTIONS"]

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

    ``adjusted`` (an adjustment set) is outlined in the picture when Graphviz renders it.

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
            out = render(g.with_roles(adjusted=sorted(adjusted)), format="svg", highlight="adjustment")
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
    return hedge + (
        f"{e.target} of {a.exposure} on {a.outcome}: {_f(e.value)} ({int(e.level * 100)}% CI {_f(e.ci[0])} to "
        f"{_f(e.ci[1])}) by {e.method}; refuters: {counts or 'none run'}{tests}."
    )


def terminal_summary(a: Any) -> str:
    """A compact text summary of an analysis for the terminal."""
    lines = [_headline(a), ""]
    if a.estimand is not None:
        lines.append(a.estimand.summary())
        lines.append("")
    for e in a.estimates:
        lines.append(e.summary())
    if a.refutations:
        lines.append("")
        lines.extend(r.summary() for r in a.refutations)
    if a.e_value is not None:
        lines += ["", a.e_value.summary()]
    if a.ovb is not None:
        lines.append(a.ovb.summary())
    if a.local_tests is not None:
        lines += ["", a.local_tests.summary()]
    if a.limits:
        lines += ["", "Limits:"] + [f"  - {x}" for x in a.limits]
    return "\n".join(lines)


def _diag_rows(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            if len(v) > 40:
                rows.append((key, f"({len(v)} entries)"))
            else:
                rows.extend(_diag_rows(v, key + " · "))
        elif isinstance(v, (list, tuple)) and len(v) > 12:
            rows.append((key, f"({len(v)} values)"))
        elif isinstance(v, (list, tuple)):
            rows.append((key, ", ".join(_f(x) for x in v)))
        else:
            rows.append((key, _f(v)))
    return rows


# --------------------------------------------------------------------------- Markdown


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def to_markdown(a: Any) -> str:
    """The analysis report as Markdown (the graph as a DOT-free edge list; use the HTML for pictures)."""
    out = [f"# Causal analysis: effect of {a.exposure} on {a.outcome}", ""]
    out += ["## Summary", "", _headline(a), ""]
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
        out.append(
            _md_table(
                ["method", "target", "estimate", "SE", "CI", "n", "inference"],
                [
                    [e.method, e.target, _f(e.value), _f(e.se), f"{_f(e.ci[0])} to {_f(e.ci[1])}", str(e.n), e.inference]
                    for e in a.estimates
                ],
            )
        )
    else:
        out.append("No estimate.")
    out.append("")
    out += ["## Diagnostics", ""]
    any_diag = False
    for e in a.estimates:
        rows = _diag_rows(dict(e.diagnostics))
        if rows:
            any_diag = True
            out += [f"**{e.method}**", "", _md_table(["diagnostic", "value"], [list(r) for r in rows]), ""]
        for w in e.warnings:
            out.append(f"- warning ({e.method}): {w}")
    if not any_diag:
        out += ["No diagnostics reported.", ""]
    out += ["## Refutations", ""]
    if a.refutations:
        out.append(
            _md_table(
                ["refuter", "verdict", "new effect", "p-value", "rule"],
                [[r.method, r.verdict.upper(), _f(r.new_effect), _p(r.p_value), r.rule] for r in a.refutations],
            )
        )
    else:
        out.append("No refuters were run.")
    out.append("")
    out += ["## Sensitivity", ""]
    if a.e_value is not None:
        out += [a.e_value.summary() + ".", ""]
    if a.ovb is not None:
        out += ["```", a.ovb.summary(), "```", ""]
    if a.e_value is None and a.ovb is None:
        out += ["Not run.", ""]
    out += ["## Graph vs data: implied independencies", ""]
    if a.local_tests is not None:
        lt = a.local_tests
        out += [lt.summary().splitlines()[0], ""]
        out.append(
            _md_table(
                ["implication", "test", "effect size", "p", "adjusted p", "contradicted"],
                [
                    [r.statement, r.test, f"{r.effect_name} {_f(r.effect, 3)}", _p(r.p_value), _p(r.p_adjusted),
                     "**yes**" if r.rejected else "no"]
                    for r in lt
                ],
            )
        )
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
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; font-size: .85rem; white-space: pre-wrap; }
.headline { font-size: 1.05rem; background: #f6f8fa; border-left: 4px solid #0969da; padding: .6rem .9rem; }
.verdict { font-weight: 600; text-transform: uppercase; font-size: .8rem; }
.pass { color: var(--pass); } .warn { color: var(--warn); } .fail { color: var(--fail); }
.figure { overflow-x: auto; border: 1px solid var(--line); padding: .5rem; text-align: center; }
.figure svg { max-width: 100%; max-height: 34rem; width: auto; height: auto; }
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


def html_body(a: Any) -> str:
    """The report's content (everything inside ``<body>``), usable inline in Jupyter."""
    e = escape
    parts = [f"<h1>Causal analysis: effect of {e(a.exposure)} on {e(a.outcome)}</h1>"]
    parts.append("<nav>" + "".join(f'<a href="#{sid}">{e(title)}</a>' for sid, title in SECTIONS) + "</nav>")

    def section(sid: str, inner: str) -> None:
        title = dict(SECTIONS)[sid]
        parts.append(f'<section id="{sid}"><h2>{e(title)}</h2>{inner}</section>')

    summary = f'<p class="headline">{e(_headline(a))}</p>'
    ds = a.data_summary
    summary += f'<p class="muted">Data: {ds.get("rows", "?")} rows, {ds.get("columns", "?")} columns.</p>'
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
        est = _table(["method", "target", "estimate", "SE", "CI", "n", "inference"], rows, {2, 3, 4, 5})
    else:
        est = "<p>No estimate" + (": the effect is not identifiable." if not a.estimable else ".") + "</p>"
    if a.skipped_estimators:
        est += '<p class="muted">Not run: ' + "; ".join(e(s) for s in a.skipped_estimators) + "</p>"
    section("estimates", est)
    diag = ""
    for x in a.estimates:
        diag_rows = _diag_rows(dict(x.diagnostics))
        if diag_rows:
            diag += f"<h3>{e(x.method)}</h3>" + _table(["diagnostic", "value"], [[e(k), e(v)] for k, v in diag_rows], {1})
        if x.warnings:
            diag += "<ul>" + "".join(f"<li>{e(w)}</li>" for w in x.warnings) + "</ul>"
    section("diagnostics", diag or "<p>No diagnostics reported.</p>")
    if a.refutations:
        rows = [
            [
                e(r.method),
                f'<span class="verdict {r.verdict}">{r.verdict}</span>',
                _f(r.new_effect),
                _p(r.p_value),
                e(r.rule),
                e(r.detects),
            ]
            for r in a.refutations
        ]
        ref = _table(["refuter", "verdict", "new effect", "p-value", "rule", "can detect"], rows, {2, 3})
        sims = a.refutations[0].n_simulations
        ref += f'<p class="muted">{sims} simulations per refuter, on the {e(a.estimate.method)} estimate.</p>'
    else:
        ref = "<p>No refuters were run.</p>"
    section("refutations", ref)
    sens = ""
    if a.e_value is not None:
        sens += f"<p>{e(a.e_value.summary())}.</p>"
    if a.ovb is not None:
        sens += f"<pre>{e(a.ovb.summary())}</pre>"
        sens += f'<div class="figure">{a.ovb.contour_svg()}</div>'
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
        lts = f"<p>{e(lt.summary().splitlines()[0])}.</p>" + _table(
            ["implication", "test", "effect size", "p", "adjusted p", "contradicted"], rows, {3, 4}
        )
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
    """The analysis report as one self-contained HTML document."""
    title = escape(f"Causal analysis: {a.exposure} → {a.outcome}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{html_body(a)}\n</body>\n</html>\n"
    )
