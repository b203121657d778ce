"""The HTML readout of an experiment, in the analysis report's page shell and style sheet (``formats._CSS``).

The health verdicts come first (the sample-ratio check at the top: a mismatch
invalidates everything below it), then the results table, a forest plot of the
relative lifts (matplotlib, through :mod:`.figures`), the variance reduction of
the adjustment, the split, the balance table, the heterogeneity section and
the notes. One self-contained file, as the analysis report.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from dagcore.estimators.report.figures import figure_svg, new_figure
from dagcore.estimators.report.formats import _CSS, _f, _p, _table

__all__ = ["experiment_html", "lift_figure"]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("health", "Health checks"),
    ("results", "Results"),
    ("split", "Sample ratio"),
    ("balance", "Pre-period balance"),
    ("heterogeneity", "Heterogeneity"),
    ("notes", "Notes"),
)


def page(title: str, body: str) -> str:
    """One self-contained HTML document around ``body``, with the analysis report's style sheet (``formats._CSS``).

    The same shell as :func:`.formats.to_html`'s; it lives here rather than in
    ``formats.py`` only to keep this branch from editing that file while the
    report work changes it: fold the two into one ``formats.page`` once both are in.
    """
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _value(kind: str, v: float) -> str:
    if not math.isfinite(v):
        return "–"
    return f"{v:.2%}" if kind == "proportion" else _f(v)


def _pct(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:+.2%}"


def lift_figure(readout: Any) -> Any:
    """A forest plot of every comparison's relative lift with its interval (a matplotlib ``Figure``)."""
    comps = list(readout.comparisons)
    fig = new_figure(width=6.5, height=0.9 + 0.45 * max(len(comps), 1))
    ax = fig.add_subplot()
    labels = [f"{c.metric}: {c.arm}" for c in comps]
    for i, c in enumerate(comps):
        lo, hi = c.lift_ci
        if math.isfinite(lo) and math.isfinite(hi):
            ax.plot([100 * lo, 100 * hi], [i, i], color="#0969da" if c.significant else "#59636e", linewidth=2)
        if math.isfinite(c.lift):
            ax.plot([100 * c.lift], [i], "o", color="#0969da" if c.significant else "#59636e")
    ax.axvline(0.0, color="#1f2328", linewidth=0.8)
    ax.set_yticks(range(len(comps)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"relative lift vs {readout.control} (%), {readout.level:.0%} intervals; blue: significant after correction")
    return fig


def _health(r: Any) -> str:
    rows = []
    for status, text in r.verdicts():
        rows.append(f'<p class="headline"><span class="verdict {status}">{status}</span> {escape(text)}</p>')
    return "".join(rows)


def _results(r: Any) -> str:
    how = {"holm": "Holm", "bh": "Benjamini–Hochberg", "bonferroni": "Bonferroni", "none": "no"}[r.correction]
    rows = []
    for c in r.comparisons:
        if c.kind == "proportion":
            diff = f"{c.difference * 100:+.3g} pt ({c.ci[0] * 100:+.3g} to {c.ci[1] * 100:+.3g})"
        else:
            diff = f"{c.difference:+.4g} ({c.ci[0]:+.4g} to {c.ci[1]:+.4g})"
        sig = '<span class="verdict pass">yes</span>' if c.significant else "no"
        rows.append([
            escape(c.metric), escape(c.arm), f"{c.n_treatment:,} / {c.n_control:,}",
            _value(c.kind, c.value_treatment), _value(c.kind, c.value_control), diff,
            f"{_pct(c.lift)} ({_pct(c.lift_ci[0])} to {_pct(c.lift_ci[1])})", _p(c.p_value), _p(c.p_adjusted), sig,
        ])
    out = _table(["metric", f"arm (vs {r.control})", "units (t / c)", "treatment", "control", "difference (CI)", "relative lift (CI)", "p",
                  "adjusted p", "significant"], rows, {2, 3, 4, 5, 6, 7, 8})
    out += (f'<p class="muted">{len(r.comparisons)} comparisons; p-values adjusted by {how} over all of them; '
            f"intervals are per comparison at {r.level:.0%}.</p>")
    methods = dict.fromkeys((c.metric, c.inference) for c in r.comparisons)
    out += '<ul class="muted">' + "".join(f"<li>{escape(m)}: {escape(i)}</li>" for m, i in methods) + "</ul>"
    if r.comparisons:
        out += f'<div class="figure">{figure_svg(lift_figure(r))}</div>'
    adj = [c for c in r.comparisons if c.variance_reduction is not None]
    if adj:
        out += "<h3>Variance reduction from the adjustment</h3>" + _table(
            ["metric", "arm", "adjusted for", "SE", "SE unadjusted", "variance reduction"],
            [[escape(c.metric), escape(c.arm), escape(", ".join(c.adjusted_for)), _f(c.se), _f(c.se_unadjusted),
              f"{c.variance_reduction:.1%}"] for c in adj], {3, 4, 5},
        )
    return out


def _split(r: Any) -> str:
    s = r.srm
    rows = [[escape(a), f"{s.counts[a]:,}", f"{s.expected[a]:,.1f}", f"{s.allocation[a]:.2%}", f"{s.shortfall[a]:+,.1f}"]
            for a in s.counts]
    return _table(["arm", "units", "expected", "planned share", "shortfall"], rows, {1, 2, 3, 4}) + (
        f'<p class="muted">Chi-square {s.statistic:.3g}, p = {s.p_value:.3g}; flagged below {s.alpha:g}.</p>'
    )


def _balance(r: Any) -> str:
    b = r.balance
    if not b.rows:
        return "<p>No pre-period covariates given.</p>"
    rows = [[escape(str(x["arm"])), escape(str(x["covariate"])), _f(x["smd"], 3), _p(x["p_value"]), _p(x["p_adjusted"]),
             '<span class="verdict warn">yes</span>' if x["imbalanced"] else "no"] for x in b.rows]
    return _table(["arm", "covariate", "SMD", "p (Welch)", "Holm p", "imbalanced"], rows, {2, 3, 4})


def _heterogeneity(r: Any) -> str:
    if not r.heterogeneity:
        return "<p>Not requested (pass cate=True, or --cate on the command line, with covariates).</p>"
    out = ""
    for h in r.heterogeneity:
        out += f"<h3>{escape(h.metric)}: {escape(h.arm)} vs {escape(h.control)} ({escape(h.method)})</h3>"
        out += f"<pre>{escape(h.summary())}</pre>"
    return out


def experiment_html(readout: Any) -> str:
    """The experiment readout as one self-contained HTML document, the health verdicts first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore.estimators.experiments.readout import analyze_experiment
    >>> df = pd.DataFrame({"arm": [0, 1] * 50, "y": np.arange(100.0)})
    >>> html = experiment_html(analyze_experiment(df, treatment="arm", outcome="y"))
    >>> html.index("sample ratio OK") < html.index("<h2>Results")
    True
    """
    r = readout
    parts = [f"<h1>Experiment readout: {escape(', '.join(r.metrics))} by {escape(r.treatment)}</h1>"]
    parts.append("<nav>" + "".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title in SECTIONS) + "</nav>")
    body = {"health": _health(r), "results": _results(r), "split": _split(r), "balance": _balance(r),
            "heterogeneity": _heterogeneity(r),
            "notes": "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in r.notes) + "</ul>" if r.notes else "<p>None.</p>"}
    for sid, title in SECTIONS:
        parts.append(f'<section id="{sid}"><h2>{escape(title)}</h2>{body[sid]}</section>')
    from dagcore import __version__

    parts.append(f'<p class="muted">{r.n:,} units. Generated by dagcore {escape(__version__)}.</p>')
    return page(f"Experiment readout: {r.treatment}", "\n".join(parts))
