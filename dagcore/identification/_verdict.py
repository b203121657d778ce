"""The behaviour shared by the check results (:class:`AdjustmentCheck`, :class:`FrontdoorCheck`, :class:`InstrumentCheck`)."""

from __future__ import annotations


class Verdict:
    """Mixin for a frozen check result with ``valid`` and ``reason`` fields: truthy when valid, printed as the reason."""

    __slots__ = ()
    valid: bool
    reason: str

    def __bool__(self) -> bool:
        return self.valid

    def __str__(self) -> str:
        return self.reason
