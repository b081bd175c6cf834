"""Run every shipped claim and record its verdict for the documentation's claims table.

The claims page (``docs/claims.md``) renders its table from the claim files themselves and
from ``docs/data/claim_verdicts.json``, which this script writes: for each claim its
``verdict.json`` (verdict, effect, CI, p-value, n, unit, placebo, root seeds, MDE), the control
and treatment means, the metrics shown beside the verdict, the sweep curve, the wall time and
the command that reproduces it, with the commit and date of the measurement. The README's
table is ``negsim claims --markdown --verdicts docs/data/claim_verdicts.json``.
Nothing in the table is typed by hand; re-run this after a change to the model:

    .venv/bin/python tools/claim_verdicts.py [--claim NAME ...] [--workers N]

Each claim runs with its own replications and root seeds, on local workers, into a temporary folder
(the repository's ``results/`` is left alone). Claims not named keep their recorded entry.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import negsim
from negsim.experiments.claim import command_line
from negsim.provenance import provenance

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "data" / "claim_verdicts.json"


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def measure(name: str, workers: int | None) -> dict[str, Any]:
    """Run one claim in a temporary folder; its entry for the verdicts file."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        res = negsim.run_claim(name, out=tmp, workers=workers, progress=False)
        seconds = time.perf_counter() - start
    c = res.claim
    return {
        **{k: v for k, v in res.to_json().items() if k not in ("command", "report")},
        "control_mean": _num(res.control_mean),
        "treatment_mean": _num(res.treatment_mean),
        "shown": {m: {k: _num(v) for k, v in arms.items()} for m, arms in res.shown.items()},
        "failed_runs": res.failed_runs,
        "curve": [{k: _num(float(v)) for k, v in point.items()} for point in res.curve],
        "seconds": round(seconds, 1),
        "command": command_line(c, c.replications, c.seeds, None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim", action="append", help="only this claim (repeatable)")
    parser.add_argument("--workers", type=int, default=None, help="local workers (all cores)")
    args = parser.parse_args(argv)
    record: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {"claims": {}}
    names = args.claim or negsim.list_claims()
    prov = provenance()
    for name in names:
        entry = measure(name, args.workers)
        entry["git_commit"] = prov["git_commit"]
        entry["date"] = datetime.now(UTC).date().isoformat()
        record["claims"][name] = entry
        print(f"{name}: {entry['verdict']} ({entry['seconds']} s)", file=sys.stderr)
    record["claims"] = dict(sorted(record["claims"].items()))
    record["versions"] = prov["versions"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
