"""Figures for reports: the one place that turns a matplotlib figure into inline SVG.

Every figure dagcore draws is a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, no display needed), so figures can be returned from the
API, embedded in HTML as inline SVG with :func:`figure_svg`, or written to files
with :func:`save_figure`.

Examples
--------
>>> fig = new_figure(width=3, height=2)
>>> ax = fig.add_subplot()
>>> _ = ax.plot([0, 1], [0, 1])
>>> figure_svg(fig).startswith("<svg")
True
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

__all__ = ["new_figure", "figure_svg", "save_figure"]

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)


@functools.cache
def _figure_class() -> type:
    """``ReportFigure``: a matplotlib ``Figure`` that Jupyter shows as inline SVG (matplotlib imported on first use)."""
    from matplotlib.figure import Figure

    class ReportFigure(Figure):
        """A matplotlib ``Figure`` that displays itself as SVG in Jupyter (``_repr_svg_``)."""

        def _repr_svg_(self) -> str:
            return figure_svg(self)

    return ReportFigure


def new_figure(*, width: float = 6.0, height: float = 4.0) -> Any:
    """A matplotlib ``Figure`` (inches) with a canvas attached, independent of pyplot.

    The figure displays itself as SVG in Jupyter (``_repr_svg_``).

    Examples
    --------
    >>> fig = new_figure(width=4, height=3)
    >>> fig.get_size_inches().tolist(), fig._repr_svg_().startswith("<svg")
    ([4.0, 3.0], True)
    """
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    fig = _figure_class()(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(fig)
    return fig


def figure_svg(fig: Any) -> str:
    """The figure as an inline ``<svg>`` element (no XML prologue or DOCTYPE), text kept as text.

    Examples
    --------
    >>> fig = new_figure()
    >>> _ = fig.add_subplot().set_title("overlap")
    >>> "overlap" in figure_svg(fig)
    True
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "dagcore"}):
        # no RDF metadata block: inline SVG in a self-contained report links to no namespace but SVG's
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _PROLOGUE.sub("", buf.getvalue(), count=1)


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write the figure to ``path``; the format follows the suffix (``.svg``, ``.png``, ``.pdf``).

    Written through :func:`dagcore.files.atomic_write_bytes` so a reader never sees a partial file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = save_figure(new_figure(), pathlib.Path(tempfile.mkdtemp()) / "f.svg")
    >>> out.read_text().lstrip().startswith("<?xml")
    True
    """
    from dagcore.files import atomic_write_bytes

    path = Path(path)
    buf = io.BytesIO()
    fig.savefig(buf, format=path.suffix.lstrip(".").lower() or "svg")
    atomic_write_bytes(path, buf.getvalue())
    return path
