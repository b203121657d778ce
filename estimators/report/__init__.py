"""The ``analyze`` pipeline and its HTML, Markdown and terminal renderers."""

from dagcore.estimators.report.analysis import DEFAULT_ESTIMATORS, Analysis, analyze
from dagcore.estimators.report.formats import SECTIONS, graph_svg, html_body, terminal_summary, to_html, to_markdown

__all__ = [
    "Analysis",
    "DEFAULT_ESTIMATORS",
    "SECTIONS",
    "analyze",
    "graph_svg",
    "html_body",
    "terminal_summary",
    "to_html",
    "to_markdown",
]
