"""``negsim report DIR``: tables and plots from a results folder.

A claim's folder holds one store per root seed (``seed-N/``): each gets its own report, and
the folder's ``summary.md`` puts them one after the other.

Writes ``summary.md`` (per design point: mean, standard deviation and count of each metric,
failures and their errors), ``points.csv`` (the same table) and ``metrics.png`` (each metric
against the first numeric factor) beside the runs. Works on a folder that is still being
written or was interrupted: it reports what is stored.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negsim.config import ConfigError
from negsim.display import readable
from negsim.experiments.store import Store, load_runs, write_atomic


def write_report(folder: str | Path) -> Path:
    """Summarise a results folder; returns the markdown file."""
    from negsim.experiments.plots import metric_lines

    path = Path(folder)
    store = Store(path)
    manifest = store.manifest()
    seeds = sorted(p.parent for p in path.glob("seed-*/manifest.json"))
    if manifest is None and seeds:  # a claim's folder: one store per root seed
        parts = [write_report(seed).read_text(encoding="utf-8") for seed in seeds]
        out = path / "summary.md"
        write_atomic(
            out,
            "\n".join(
                f"<!-- {s.name} -->\n{t}" for s, t in zip(seeds, parts, strict=True)
            ).encode(),
        )
        return out
    if manifest is None or "fingerprint" not in manifest:
        raise ConfigError(
            path,
            "(results folder)",
            str(path),
            "a folder written by `negsim sweep` or `negsim claim`"
            + ("" if manifest is None else " (this one holds a single `negsim run`)"),
        )
    spec = manifest.get("spec", {})
    metrics = [m for m in manifest.get("metrics") or spec.get("metrics", [])]
    frame = load_runs(path)
    planned = len(spec.get("points", [])) * int(spec.get("replications", 0) or 0)
    total = int(manifest.get("progress", {}).get("runs", planned or len(frame)))
    if frame.empty:
        text = f"# {spec.get('name', path.name)}\n\nNo runs stored yet (of {total}).\n"
        out = path / "summary.md"
        write_atomic(out, text.encode())
        return out
    metrics = metrics or [c for c in frame.columns if c not in _META and c not in _factors(spec)]
    ok = frame[frame["status"] == "ok"]
    factors = [f for f in _factors(spec) if f in frame.columns]
    keys = ["point", "label"]
    grouped = ok.groupby(keys)
    table = grouped[metrics].agg(["mean", "std", "count"])
    table.columns = [f"{m} {stat}" for m, stat in table.columns]
    table["runs"] = grouped.size()
    table = table.reset_index()
    points_csv = path / "points.csv"
    write_atomic(points_csv, table.to_csv(index=False).encode())
    lines = [
        f"# {spec.get('name', path.name)}",
        "",
        spec.get("description", "") or "",
        "",
        f"- scenario: `{spec.get('scenario', '')}`; design: {spec.get('design', '')}; "
        f"replications: {spec.get('replications', '')}; root seed: {spec.get('seed', '')}",
        f"- runs stored: {len(frame)} of {total}; failed: {int((frame['status'] != 'ok').sum())}",
        f"- written by negsim {manifest.get('negsim')}"
        + (f" (commit {manifest['git_commit']})" if manifest.get("git_commit") else "")
        + "; versions: "
        + ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items()),
        "",
        "Mean (standard deviation) of each metric per design point:",
        "",
        "| point | " + " | ".join(metrics) + " | n |",
        "|---|" + "---|" * (len(metrics) + 1),
    ]
    undefined = False
    for _, row in table.iterrows():
        n = int(row["runs"])
        cells = []
        for m in metrics:
            cell = f"{readable(row[f'{m} mean'])} ({readable(row[f'{m} std'])})"
            if int(row[f"{m} count"]) < n:  # NaN in some runs: say over how many it is
                undefined = True
                cell += f" [{int(row[f'{m} count'])}]"
            cells.append(cell)
        lines.append(f"| {row['label']} | " + " | ".join(cells) + f" | {n} |")
    lines.append("")
    lines.append("n: runs that finished without error at the point.")
    if undefined:
        lines.append(
            "[k]: the metric is defined in only k of them (NaN in the others, e.g. an advantage "
            "when no alliance pairs the two kinds of partner); its mean is over those k."
        )
    errors = frame.loc[frame["status"] != "ok", "error"]
    if len(errors):
        lines += ["", "Errors (most frequent first):", ""]
        for msg, count in errors.value_counts().head(10).items():
            lines.append(f"- {count} × `{msg}`")
    numeric = [f for f in factors if pd.api.types.is_numeric_dtype(ok[f])]
    if numeric and metrics:
        png = metric_lines(ok, numeric[0], metrics, path / "metrics.png")
        lines += ["", f"![metrics against {numeric[0]}]({png.name})"]
    lines += ["", f"Load the runs: `pandas.read_parquet('{path / 'runs'}')`", ""]
    out = path / "summary.md"
    write_atomic(out, "\n".join(lines).encode())
    return out


_META = {"run_id", "point", "replication", "seed", "status", "error", "seconds", "label"}


def _factors(spec: dict[str, object]) -> list[str]:
    names: dict[str, None] = {}
    points = spec.get("points", [])
    if isinstance(points, list):
        for p in points:
            if isinstance(p, dict):
                for k in p:
                    names.setdefault(str(k))
    return list(names)
