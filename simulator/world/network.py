"""The network organisations live on: seeded networkx generators or a file.

Every generator gets an integer seed drawn from the world's ``network`` stream (networkx is never
called with ``seed=None``). The stochastic block model gives industries: organisations in the
same block are rivals for the same partners (essay 004, "frenemies").
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from negsim.config import ConfigError
from negsim.world.scenario import NetworkSection


def build_network(
    section: NetworkSection, n: int, rng: np.random.Generator, file: str | Path = "<scenario>"
) -> tuple[nx.Graph, NDArray[np.intp]]:
    """The graph (nodes 0 … n-1) and each node's industry (its own index without blocks)."""
    seed = int(rng.integers(2**31 - 1))
    blocks = np.arange(n, dtype=np.intp)  # without industries, each is its own
    if section.kind == "barabasi_albert":
        graph = nx.barabasi_albert_graph(n, section.m, seed=seed)
    elif section.kind == "watts_strogatz":
        graph = nx.connected_watts_strogatz_graph(n, section.k, section.p, seed=seed)
    elif section.kind == "erdos_renyi":
        graph = nx.fast_gnp_random_graph(n, section.p, seed=seed)
    elif section.kind == "stochastic_block":
        sizes = [len(part) for part in np.array_split(np.arange(n), section.blocks)]
        probs = np.full((section.blocks, section.blocks), section.p_out)
        np.fill_diagonal(probs, section.p_in)
        graph = nx.stochastic_block_model(sizes, probs.tolist(), seed=seed)
        blocks = np.repeat(np.arange(section.blocks), sizes)
    else:
        graph = _read(Path(section.path), file)
        if graph.number_of_nodes() != n:
            raise ConfigError(
                file,
                "world.organisations",
                n,
                f"the {graph.number_of_nodes()} nodes of {section.path}",
            )
    return nx.Graph(graph), blocks


def _read(path: Path, file: str | Path) -> nx.Graph:
    """A GraphML file or a whitespace edge list, relabelled to 0 … n-1 in sorted node order."""
    if not path.exists():
        raise ConfigError(file, "network.path", str(path), "an existing GraphML or edge-list file")
    try:
        graph = nx.read_graphml(path) if path.suffix == ".graphml" else nx.read_edgelist(path)
    except Exception as exc:  # networkx raises many types for malformed files
        raise ConfigError(file, "network.path", str(path), f"a readable graph ({exc})") from None
    mapping = {node: i for i, node in enumerate(sorted(graph.nodes, key=str))}
    return nx.relabel_nodes(graph, mapping)
