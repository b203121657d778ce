"""One vocabulary: other libraries' names for dagcore's concepts, and the did-you-mean check of keyword names.

Standard library only (plus :mod:`dagcore.errors`), so the command line can
build its parser, which refuses the same foreign spellings as options,
without importing networkx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from dagcore.errors import UnknownArgumentError

__all__ = ["FOREIGN_NAMES", "check_keywords"]


#: Names other libraries (DoWhy, EconML, pgmpy, networkx) use, mapped to dagcore's name for the same concept.
FOREIGN_NAMES: Mapping[str, str] = MappingProxyType({
    "treatment": "exposure",
    "treatments": "exposure",
    "treatment_name": "exposure",
    "exposures": "exposure",
    "cause": "exposure",
    "outcomes": "outcome",
    "outcome_name": "outcome",
    "common_causes": "adjustment_set",
    "confounders": "adjustment_set",
    "backdoor_set": "adjustment_set",
    "adjustment": "adjustment_set",
    "instruments": "instrument",
    "instrumental_variables": "instrument",
    "iv": "instrument",
    "mediator": "mediators",
    "conditioning_set": "given",
    "conditioned": "given",
    "conditioned_on": "given",
    "condition": "given",
    "evidence": "given",
    "z": "given",
    "unobserved": "latent",
    "unobserved_confounders": "latent",
    "hidden": "latent",
    "latents": "latent",
    "method_name": "method",
    "target_units": "target",
})

#: What to do when a foreign name's concept is not an argument of the function called.
_FOREIGN_HINTS: Mapping[str, str] = MappingProxyType({
    "exposure": "dagcore calls the treated variable the exposure: mark it in the graph ([exposure]) or pass exposure=... "
    "to dagcore.identify; an estimate takes it from the estimand",
    "outcome": "mark the outcome in the graph ([outcome]) or pass outcome=... to dagcore.identify; an estimate takes it from the estimand",
    "adjustment_set": "dagcore derives the adjustment set from the graph (dagcore.identify); check a set of your own with "
    "dagcore.is_adjustment_set(g, exposure, outcome, adjustment_set)",
    "instrument": "dagcore finds instruments in the graph (dagcore.instruments(g)); check one with dagcore.is_instrument(g, instrument, exposure, outcome)",
    "latent": "mark unobserved variables in the graph ([latent] in the .dag file, latent=True on a networkx node) "
    "or pass latent=... to a graph function",
    "given": "dagcore calls a conditioning set given=...",
})


def check_keywords(function: str, names: Iterable[str], accepted: Iterable[str]) -> None:
    """Raise :class:`~dagcore.errors.UnknownArgumentError` for the first name that ``function`` does not take.

    ``function`` is how the message shows the callee (``"identify"`` or
    ``"estimate(method='ipw')"``).

    The message suggests dagcore's name when the name is another library's
    spelling of a concept (:data:`FOREIGN_NAMES`, e.g. DoWhy's
    ``treatment=`` for ``exposure=``), else the closest accepted name; it
    says what to do when the concept is not an argument of ``function``.

    Examples
    --------
    >>> check_keywords("identify", ["exposure"], ["exposure", "outcome", "effect"])
    >>> check_keywords("identify", ["treatment"], ["exposure", "outcome", "effect"])
    Traceback (most recent call last):
    ...
    dagcore.errors.UnknownArgumentError: identify() got an unexpected keyword argument 'treatment'; did you mean 'exposure'? (...)
    """
    from difflib import get_close_matches

    accepted = list(accepted)
    known = set(accepted)
    for name in names:
        if name in known:
            continue
        message = f"{function}{'' if function.endswith(')') else '()'} got an unexpected keyword argument {name!r}"
        ours = FOREIGN_NAMES.get(name.lower())
        if ours is not None and ours in known:
            message += f"; did you mean {ours!r}? (dagcore's name for what other libraries call {name!r})"
        elif ours is not None and ours in _FOREIGN_HINTS:
            message += f": {_FOREIGN_HINTS[ours]}"
        else:
            close = get_close_matches(name, accepted, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
            elif accepted:
                message += f"; it takes {', '.join(repr(a) for a in accepted)}"
        raise UnknownArgumentError(message)
