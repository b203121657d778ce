"""The ``.dag`` language: grammar, parser, formatter and other formats.

Installed as ``dagcore.grammar``.
"""

__all__: list[str] = []
