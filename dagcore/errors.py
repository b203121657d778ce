"""Exceptions and warnings raised by dagcore.

Every error dagcore raises on purpose derives from :class:`DagcoreError`; most
also derive from the matching builtin so that ``except ValueError`` keeps
working for callers who do not know about dagcore.

Messages name the bad input, where it is (``file:line:col:`` when a location
exists) and, where one is known, the fix.
"""

from __future__ import annotations

__all__ = [
    "DagcoreError",
    "DagSyntaxError",
    "GraphError",
    "GraphClassError",
    "CycleError",
    "NodeNameError",
    "NodeNotFoundError",
    "UnknownArgumentError",
    "DataError",
    "SeparationError",
    "NotIdentifiableError",
    "HedgeError",
    "EstimatorError",
    "GraphvizNotFoundError",
    "OutputPathError",
    "DesignError",
    "AmbiguousEffectError",
    "SpecError",
    "DagcoreWarning",
    "PositivityWarning",
    "WeakInstrumentWarning",
    "PostTreatmentWarning",
    "LayoutWarning",
    "SampleRatioMismatchWarning",
    "PeekingWarning",
    "ConstantEffectWarning",
    "format_location",
]


def format_location(filename: str | None, line: int | None, column: int | None) -> str:
    """Return the ``file:line:col:`` prefix used at the start of messages.

    Parts that are unknown are left out; an empty string is returned when
    nothing is known.

    Examples
    --------
    >>> format_location("model.dag", 3, 7)
    'model.dag:3:7: '
    >>> format_location(None, 3, None)
    '<string>:3: '
    >>> format_location(None, None, None)
    ''
    """
    if line is None:
        return f"{filename}: " if filename else ""
    where = f"{filename or '<string>'}:{line}"
    if column is not None:
        where += f":{column}"
    return where + ": "


class DagcoreError(Exception):
    """Base class of every error dagcore raises on purpose."""


class DagSyntaxError(DagcoreError, SyntaxError):
    """Malformed ``.dag`` text.

    Subclasses :class:`SyntaxError`, so a traceback shows the file, the line
    and a caret under the offending column.

    Parameters
    ----------
    message : str
        What is wrong, without the location prefix.
    filename, line, column : optional
        Where it is (1-based line and column).
    source_line : str, optional
        The text of the offending line, shown with a caret.
    hint : str, optional
        A targeted suggestion for a usual mistake.
    """

    def __init__(
        self,
        message: str,
        *,
        filename: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.hint = hint
        full = format_location(filename, line, column) + message
        if hint:
            full += f" (hint: {hint})"
        SyntaxError.__init__(self, full, (filename or "<string>", line, column, source_line))
        # SyntaxError.__init__ with a details tuple sets these; keep them explicit.
        self.msg = full
        self.filename = filename or "<string>"
        self.lineno = line
        self.offset = column
        self.text = source_line

    @property
    def line(self) -> int | None:
        """1-based line of the error, or None."""
        return self.lineno

    @property
    def column(self) -> int | None:
        """1-based column of the error, or None."""
        return self.offset

    def __str__(self) -> str:  # SyntaxError's own __str__ appends "(file, line N)"
        return self.msg


class GraphError(DagcoreError, ValueError):
    """A graph that is well-formed text but not a valid causal model.

    Cycles, self loops, contradictory roles, unknown attributes.
    ``line`` and ``column`` are set when the graph came from text.
    """

    def __init__(self, message: str, *, filename: str | None = None, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        super().__init__(format_location(filename, line, column) + message)


class NodeNameError(GraphError, TypeError):
    """A node name that is not a string (networkx graphs' names become strings: pass ``'1'`` for node ``1``)."""


class GraphClassError(GraphError):
    """A question asked of a graph class it is not defined for (e.g. ``roles()`` of a PAG).

    The message names the function, the class, and what can be done instead.
    """


class CycleError(GraphError):
    """The graph has a directed cycle; ``cycle`` lists it, first node repeated last."""

    def __init__(self, cycle: list[str], **where: object) -> None:
        self.cycle = list(cycle)
        shown = " -> ".join(self.cycle)
        super().__init__(
            f"the graph has a directed cycle {shown}; a causal DAG must be acyclic "
            "(remove or reverse one of these edges, or use <-> for an unobserved common cause)",
            **where,  # type: ignore[arg-type]
        )


class NodeNotFoundError(DagcoreError, KeyError):
    """A node name that is not in the graph."""

    def __init__(self, name: str, known: list[str] | tuple[str, ...] | None = None, *, what: str = "node") -> None:
        self.name = name
        message = f"unknown {what} {name!r}"
        if known:
            from difflib import get_close_matches

            names = [str(k) for k in known]
            close = [k for k in names if k.lower() == str(name).lower()] or get_close_matches(str(name), names, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return self.message


class UnknownArgumentError(DagcoreError, TypeError):
    """A keyword argument the function does not take, e.g. DoWhy's ``treatment=`` where dagcore says ``exposure=``.

    Subclasses :class:`TypeError`, what Python raises for an unexpected
    keyword; the message names the function and suggests the right name.
    """


class DataError(DagcoreError, ValueError):
    """A DataFrame that cannot serve the analysis: missing or non-numeric columns, NaN, wrong treatment type."""


class SeparationError(DataError):
    """The covariates predict a binary treatment exactly: the logistic model has no maximum and there is no overlap.

    ``columns`` names the covariates of the separating direction (when known)
    and ``n_separated`` the units it predicts exactly.
    """

    columns: tuple[str, ...] = ()
    n_separated: int = 0


class NotIdentifiableError(DagcoreError, ValueError):
    """The causal effect is not identifiable from the graph; the message names why (e.g. the hedge)."""


class HedgeError(NotIdentifiableError):
    """The effect is not identifiable; ``hedge`` is the pair of node sets (F, F') that forms the hedge."""

    def __init__(self, message: str, hedge: tuple[frozenset[str], frozenset[str]]) -> None:
        self.hedge = hedge
        super().__init__(message)


class EstimatorError(DagcoreError, ValueError):
    """An estimator asked to serve an estimand it cannot serve, or given invalid settings."""


class GraphvizNotFoundError(DagcoreError, RuntimeError):
    """Graphviz's ``dot`` program, needed to render images, is not installed."""


class OutputPathError(DagcoreError, OSError):
    """A file dagcore was asked to write cannot be written there: its folder is missing, or it is a folder.

    The message names the target path (never a temporary file); nothing is
    created when it is raised.
    """


class DesignError(DagcoreError, ValueError):
    """An experiment design that cannot be computed: a rate outside (0, 1), negative traffic, a power below alpha."""


class AmbiguousEffectError(DesignError, TypeError):
    """A bare number that could be read two ways (a baseline rate or a standardized effect, Cohen's d); the message names both."""


class SpecError(DagcoreError, ValueError):
    """An analysis specification file (``dagcore analyze --spec``) that cannot be used: missing, not TOML, an unknown key or a wrong type.

    The message names the file and the key, with a did-you-mean.
    """


class DagcoreWarning(UserWarning):
    """Base category of dagcore's warnings."""


class PositivityWarning(DagcoreWarning):
    """Weak overlap of propensity scores between treated and untreated units."""


class WeakInstrumentWarning(DagcoreWarning):
    """First-stage F statistic below the usual threshold of 10."""


class PostTreatmentWarning(DagcoreWarning):
    """Adjusting for a descendant of the treatment."""


class LayoutWarning(DagcoreWarning):
    """A graph too large for the layered dot layout is drawn with another Graphviz layout."""


class SampleRatioMismatchWarning(DagcoreWarning):
    """The experiment's arms are not in the planned proportions (chi-square test): the readout may be biased."""


class PeekingWarning(DagcoreWarning):
    """An experiment read out before its planned sample size: stopping on a significant look inflates the false-positive rate."""


class ConstantEffectWarning(DagcoreWarning):
    """A CATE estimator had no effect modifier, so its CATE is one constant (a Qini or uplift curve of it is random targeting)."""
