"""Structure of a causal graph: d-separation, paths, roles and implied independencies.

Pure functions over a :class:`~dagcore.CausalGraph`; they import nothing above the graph model.
Each also takes a plain ``networkx.DiGraph`` (with ``latent=`` as a keyword or node attribute;
see :func:`dagcore.graph.as_causal_graph`), and walks the graph through :mod:`dagcore._traverse`.
"""

from dagcore.structure.dseparation import d_connected, d_separated, minimal_d_separator, reachable
from dagcore.structure.independencies import Independence, implied_independencies
from dagcore.structure.path_search import Path, paths
from dagcore.structure.role_table import Role, RoleTable, roles

__all__ = [
    "Independence",
    "Path",
    "Role",
    "RoleTable",
    "d_connected",
    "d_separated",
    "implied_independencies",
    "minimal_d_separator",
    "paths",
    "reachable",
    "roles",
]
