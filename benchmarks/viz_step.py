"""What one Step of the teaching page costs on the server, part by part, at 20 and 100
organisations: the model's month, the readouts, and a frame of the network and of the charts,
each drawn by the page's painters (built once, blitted) and, for comparison, by building and
saving a fresh figure each month (what the page did before the painters).

The browser test (``tests/test_viz.py``) measures the whole round trip, click to the new month
on the page; this script shows where the server's share goes. Medians over the months of the
classroom world (60), seed 1; the machine is shared, so compare the ratios, not the times.

Usage (from the repository root)::

    .venv/bin/python benchmarks/viz_step.py [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from negsim.viz.app import warm_up
from negsim.viz.figures import ChartsPainter, NetworkPainter, png
from negsim.viz.world import TeachingWorld, readouts


def _timed(f: Callable[[], Any]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def measure(organisations: int) -> dict[str, float]:
    """Median seconds per month of each part of a Step, over the classroom world's 60 months."""
    world = TeachingWorld(seed=1, organisations=organisations)
    network, charts = NetworkPainter(world), ChartsPainter(world)
    parts: dict[str, list[float]] = {
        k: [] for k in ("model", "readouts", "network", "charts", "network_fresh", "charts_fresh")
    }
    while world.running:
        parts["model"].append(_timed(world.step))
        parts["readouts"].append(_timed(lambda: readouts(world)))
        parts["network"].append(_timed(network.paint))
        parts["charts"].append(_timed(charts.paint))
        parts["network_fresh"].append(_timed(lambda: png(NetworkPainter(world).fig)))
        parts["charts_fresh"].append(_timed(lambda: png(ChartsPainter(world).fig)))
    return {k: float(np.median(v)) for k, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    warm_up()
    out = {str(n): measure(n) for n in (20, 100)}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for n, m in out.items():
        step = m["model"] + m["readouts"] + m["network"]
        print(
            f"{n} organisations: model {m['model'] * 1e3:.1f} ms, readouts "
            f"{m['readouts'] * 1e3:.1f} ms, network frame {m['network'] * 1e3:.1f} ms "
            f"(fresh figure: {m['network_fresh'] / m['network']:.1f}× as long), charts frame "
            f"{m['charts'] * 1e3:.1f} ms (fresh: {m['charts_fresh'] / m['charts']:.1f}×); "
            f"a Step on the network tab: {step * 1e3:.0f} ms on the server"
        )


if __name__ == "__main__":
    main()
