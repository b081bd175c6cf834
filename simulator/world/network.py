"""The network organisations live on: seeded networkx generators or a file.

Every generator gets an integer seed drawn from the world's ``network`` stream (networkx is never
called with ``seed=None``). The stochastic block model gives industries: organisations in the
same block are rivals for the same partners (essay 004, "frenemies").

:func:`check_network` holds the rules that tie the ``[network]`` table to
``world.organisations`` (each generator's parameters, the expected number of edges, a network
file's nodes), so a scenario is refused when it is loaded, before any world is built; a
network file's problems are reported against that file.
"""

from __future__ import annotations

import random
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from negsim.config import ConfigError, Described, read_text

if TYPE_CHECKING:  # the scenario schema imports this module for its checks
    from negsim.world.scenario import NetworkSection

#: The largest network file negsim reads, in bytes (64 MiB: an edge list of some five
#: million edges, the default ``limits.network_edges``).
MAX_NETWORK_BYTES = 64 * 2**20
#: What a network file may be, in error lines.
NETWORK_FILE = "GraphML file (.graphml) or edge list (two node names a line, # comments)"


def expected_edges(section: NetworkSection, n: int) -> float:
    """The number of edges a generator draws on ``n`` nodes, on average (a file: 0, it is
    counted when read).

    >>> from negsim.world.scenario import NetworkSection
    >>> expected_edges(NetworkSection(kind="watts_strogatz", k=4), 100)
    200.0
    """
    if section.kind == "barabasi_albert":
        return float(section.m * (n - section.m))
    if section.kind == "watts_strogatz":
        return float(n * (section.k // 2))
    if section.kind == "erdos_renyi":
        return section.p * n * (n - 1) / 2
    if section.kind == "stochastic_block":
        sizes = np.array(_block_sizes(n, section.blocks), dtype=np.float64)
        inside = float((sizes * (sizes - 1) / 2).sum())
        across = float((sizes.sum() ** 2 - (sizes**2).sum()) / 2)
        return section.p_in * inside + section.p_out * across
    return 0.0


def check_network(section: NetworkSection, n: int, file: str | Path, *, max_edges: float) -> None:
    """The cross-field rules of a network on ``n`` organisations, as ConfigErrors naming
    ``file`` (the scenario) or, for a network file's own problems, the network file.

    A world keeps its edges and neighbour lists in memory and scans them at every search, so
    a generator's expected edges (or a network file's edges) may not exceed ``max_edges``
    (the scenario's ``limits.network_edges``)."""
    orgs = f"world.organisations ({n})"
    if section.kind == "barabasi_albert" and section.m >= n:
        raise ConfigError(file, "network.m", section.m, f"an integer below {orgs}")
    if section.kind == "watts_strogatz" and section.k > n:
        raise ConfigError(file, "network.k", section.k, f"an integer at most {orgs}")
    if section.kind == "stochastic_block" and section.blocks > n:
        raise ConfigError(file, "network.blocks", section.blocks, f"an integer at most {orgs}")
    if section.kind == "file":
        if not section.path:
            raise ConfigError(file, "network.path", section.path, f"the path of a {NETWORK_FILE}")
        graph = read_network(section.path)
        if graph.number_of_nodes() != n:
            raise ConfigError(
                file,
                "world.organisations",
                n,
                f"the {graph.number_of_nodes()} nodes of the network file",
            )
        edges = float(graph.number_of_edges())
    else:
        edges = expected_edges(section, n)
    if edges > max_edges:
        raise ConfigError(
            file,
            f"network ({section.kind})",
            Described(f"{edges:.3g} edges{'' if section.kind == 'file' else ' expected'}"),
            f"at most limits.network_edges = {max_edges:,.0f} edges: fewer organisations or "
            f"sparser parameters, or raise it knowingly (--set limits.network_edges={edges:.3g})",
        )


def build_network(
    section: NetworkSection, n: int, rng: np.random.Generator
) -> tuple[nx.Graph, NDArray[np.intp]]:
    """The graph (nodes 0 … n-1) and each node's industry (its own index without blocks).

    The scenario's loader has run :func:`check_network`; a network file that changed since
    is checked again here.
    """
    seed = int(rng.integers(2**31 - 1))
    blocks = np.arange(n, dtype=np.intp)  # without industries, each is its own
    if section.kind == "barabasi_albert":
        graph = barabasi_albert(n, section.m, seed)
    elif section.kind == "watts_strogatz":
        graph = nx.connected_watts_strogatz_graph(n, section.k, section.p, seed=seed)
    elif section.kind == "erdos_renyi":
        graph = nx.fast_gnp_random_graph(n, section.p, seed=seed)
    elif section.kind == "stochastic_block":
        sizes = _block_sizes(n, section.blocks)
        probs = np.full((section.blocks, section.blocks), section.p_out)
        np.fill_diagonal(probs, section.p_in)
        graph = nx.stochastic_block_model(sizes, probs.tolist(), seed=seed)
        blocks = np.repeat(np.arange(section.blocks), sizes)
    else:
        graph = read_network(section.path)
        if graph.number_of_nodes() != n:
            raise ConfigError(
                section.path,
                "(nodes)",
                graph.number_of_nodes(),
                f"world.organisations ({n}) nodes",
            )
    # a plain Graph as it is (a copy cost 5 s at 100,000 organisations); anything else as one
    return (graph if type(graph) is nx.Graph else nx.Graph(graph)), blocks


def edge_array(graph: nx.Graph) -> NDArray[np.int64]:
    """The graph's edges as an (E, 2) array, in ``graph.edges()`` order."""
    flat = np.fromiter(chain.from_iterable(graph.edges()), dtype=np.int64)
    return flat.reshape(-1, 2)


def barabasi_albert(n: int, m: int, seed: int) -> nx.Graph:
    """``networkx.barabasi_albert_graph(n, m, seed=seed)``: the same draws from the same
    ``random.Random(seed)``, the same edges in the same order, so the same graph; but its
    edges are added in one call, not one call per node (a third of the time at 100,000
    nodes).

    Examples:
        >>> g = barabasi_albert(300, 3, 7)
        >>> list(g.edges()) == list(nx.barabasi_albert_graph(300, 3, seed=7).edges())
        True
    """
    if m < 1 or m >= n:  # networkx's own error
        return nx.barabasi_albert_graph(n, m, seed=seed)
    rng = random.Random(seed)
    graph = nx.star_graph(m)
    repeated = [node for node, degree in graph.degree() for _ in range(degree)]
    edges: list[tuple[int, int]] = []
    for source in range(len(graph), n):
        targets: set[int] = set()  # m distinct nodes, by preferential attachment
        while len(targets) < m:
            targets.add(rng.choice(repeated))
        edges.extend(zip([source] * m, targets, strict=True))
        repeated.extend(targets)
        repeated.extend([source] * m)
    graph.add_edges_from(edges)
    return graph


def _block_sizes(n: int, blocks: int) -> list[int]:
    return [len(part) for part in np.array_split(np.arange(n), blocks)]


def read_network(path: str | Path) -> nx.Graph:
    """A GraphML file (by its ``.graphml`` suffix) or a whitespace edge list, relabelled to
    0 … n-1 in sorted node order. Every problem is one ConfigError naming the file: see
    :func:`negsim.config.read_text` (at most :data:`MAX_NETWORK_BYTES`), and a file that is
    not a graph."""
    text = read_text(path, limit=MAX_NETWORK_BYTES, kind=NETWORK_FILE)
    graph: nx.Graph
    try:
        if Path(path).suffix == ".graphml":
            graph = nx.parse_graphml(text)
        else:
            graph = nx.parse_edgelist(text.splitlines(), comments="#", data=False)
    except Exception:  # networkx and its XML parser raise many types for malformed files
        # the message is not shown: it quotes the file, which may be anything
        raise ConfigError(
            path, "(syntax)", Described("not a readable graph"), f"a {NETWORK_FILE}"
        ) from None
    mapping = {node: i for i, node in enumerate(sorted(graph.nodes, key=str))}
    return nx.relabel_nodes(graph, mapping)
