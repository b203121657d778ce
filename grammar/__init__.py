"""The ``.dag`` language: grammar, parser, formatter and other formats.

Installed as ``dagcore.grammar``. ``dag.lark`` is the grammar (package data);
:mod:`~dagcore.grammar.parser` reads text, :mod:`~dagcore.grammar.formatter`
writes the canonical form and DAGitty text, :mod:`~dagcore.grammar.formats`
reads and writes DOT, node-link JSON and GML (one function per format).
"""

from dagcore.grammar.formats import from_dot, from_gml, from_json, to_dot, to_gml, to_json
from dagcore.grammar.formatter import dump, dumps, to_dagitty
from dagcore.grammar.parser import load, parse

__all__ = ["parse", "load", "dumps", "dump", "to_dagitty", "to_dot", "from_dot", "to_json", "from_json", "to_gml", "from_gml"]
