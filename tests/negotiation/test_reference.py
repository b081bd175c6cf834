"""The public bargaining-theory cases, reproduced by playing them through ``negsim negotiate``.

Each case becomes a negotiation file; the test plays it with the CLI and compares the played
result (or, for the solution concepts, the analysis section) with the reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REFERENCE, SHARED_REFERENCE, play, reference_cases

CASES = reference_cases()
PIE_STEPS = 100_001  # a share grid of 1e-5, finer than the cases' 1e-4 tolerance


def by_kind(*kinds: str) -> list[Any]:
    """Cases of the given kinds, as pytest params named by id."""
    return [pytest.param(c, id=c["id"]) for c in CASES if c["kind"] in kinds]


def pie_file(
    tmp_path: Path,
    *,
    d1: float,
    d2: float,
    deadline: int = 0,
    w1: float = 0.0,
    w2: float = 0.0,
    can_walk: bool = True,
    opener: str = "a",
    steps: int = PIE_STEPS,
) -> Path:
    """Split-the-pie between two SPE players; reservations act as outside options."""
    walk = 1.0 if can_walk else 0.0
    text = f"""
[protocol]
deadline = {deadline}
opener = "{opener}"

[[issues]]
name = "share_a"
range = [0.0, 1.0]
steps = {steps}

[parties.a]
strategy = "spe"
discount = {d1}
reservation = {w1}
walk_away = {walk}
weights = {{ share_a = 1.0 }}
evaluations = {{ share_a = "increasing" }}

[parties.b]
strategy = "spe"
discount = {d2}
reservation = {w2}
walk_away = {walk}
weights = {{ share_a = 1.0 }}
evaluations = {{ share_a = "decreasing" }}
"""
    path = tmp_path / "pie.toml"
    path.write_text(text)
    return path


def test_vendored_reference_matches_shared() -> None:
    """The copy in tests/data is the shared reference file, when that is present."""
    if not SHARED_REFERENCE.exists():
        pytest.skip("../shared is not beside this clone")
    assert json.loads(REFERENCE.read_text()) == json.loads(SHARED_REFERENCE.read_text())


@pytest.mark.parametrize("case", by_kind("rubinstein_infinite", "rubinstein_finite_horizon"))
def test_rubinstein(case: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    """Two SPE players agree at once on Rubinstein's (or Ståhl's backward-induction) split."""
    inp, exp = case["inputs"], case["expected"]
    out = play(
        cli, pie_file(tmp_path, d1=inp["delta1"], d2=inp["delta2"], deadline=inp.get("T", 0))
    )
    assert out["ended_by"] == "agreement"
    assert out["round"] == exp.get("agreement_round", 1)
    assert out["agreement"]["share_a"] == pytest.approx(exp["x1"], abs=case["tolerance"]["abs"])
    assert out["utilities"]["b"] == pytest.approx(exp["x2"], abs=case["tolerance"]["abs"])


@pytest.mark.parametrize("case", by_kind("outside_option_spe"))
def test_outside_option_principle(case: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    """An outside option moves the played split only when it binds (Binmore, Shaked & Sutton)."""
    inp, exp = case["inputs"], case["expected"]
    tol = case["tolerance"]["abs"]
    out = play(
        cli, pie_file(tmp_path, d1=inp["delta1"], d2=inp["delta2"], w1=inp["w1"], w2=inp["w2"])
    )
    base = play(cli, pie_file(tmp_path, d1=inp["delta1"], d2=inp["delta2"], w1=inp["w1"]))
    x1 = out["agreement"]["share_a"]
    assert out["ended_by"] == "agreement" and out["round"] == 1
    assert x1 == pytest.approx(exp["x1"], abs=tol)
    leverage = (1 - x1) - (1 - base["agreement"]["share_a"])
    assert leverage == pytest.approx(exp["leverage_x2_minus_x2_at_w2_0"], abs=tol)
    # The option binds exactly when b ends up with its option rather than more.
    assert ((1 - x1) == pytest.approx(inp["w2"], abs=tol)) == exp["binding_w2"]


@pytest.mark.parametrize("case", by_kind("outside_option_split_difference"))
def test_split_the_difference_is_the_nash_point(
    case: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    """The analysis' Nash point with the options as disagreement point splits the difference."""
    inp, exp = case["inputs"], case["expected"]
    out = play(cli, pie_file(tmp_path, d1=0.9, d2=0.9, w1=inp["w1"], w2=inp["w2"]))
    nash = out["analysis"]["nash"]["share_a"]
    assert nash == pytest.approx(exp["x1"], abs=case["tolerance"]["abs"])
    # ... while play follows the outside-option principle instead (b gets w2, not more).
    assert 1 - out["agreement"]["share_a"] == pytest.approx(inp["w2"], abs=1e-4)


@pytest.mark.parametrize("case", by_kind("discrete_bargaining_solutions"))
def test_discrete_solutions(case: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    """Pareto set, Nash, Kalai–Smorodinsky and max welfare of the two-issue domain."""
    inp, exp = case["inputs"], case["expected"]
    issues = list(inp["issues"])
    lines = ["[protocol]", "deadline = 20", ""]
    for name, values in inp["issues"].items():
        lines += ["[[issues]]", f'name = "{name}"', f"values = {json.dumps(values)}", ""]
    for party, key in (("a", "agent_A"), ("b", "agent_B")):
        spec = inp[key]
        weights = ", ".join(f"{k} = {v}" for k, v in spec["weights"].items())
        lines += [
            f"[parties.{party}]",
            'strategy = "linear"',
            f"reservation = {inp['disagreement']['d' + key[-1]]}",
            f"weights = {{ {weights} }}",
            f"[parties.{party}.evaluations]",
        ]
        for issue, table in spec["evaluations"].items():
            cells = ", ".join(f'"{k}" = {v}' for k, v in table.items())
            lines.append(f"{issue} = {{ {cells} }}")
        lines.append("")
    path = tmp_path / "discrete.toml"
    path.write_text("\n".join(lines))
    out = play(cli, path, "--pareto")

    def label(outcome: dict[str, str]) -> str:
        return "/".join(outcome[i] for i in issues)

    an = out["analysis"]
    assert sorted(label(o) for o in an["pareto"]) == sorted(exp["pareto_optimal"])
    assert an["pareto_size"] == len(exp["pareto_optimal"])
    assert label(an["nash"]) == exp["nash"]
    assert label(an["kalai_smorodinsky"]) == exp["kalai_smorodinsky"]
    assert label(an["max_welfare"]) == exp["max_social_welfare"]
    # The utilities the offers report are the case's utility table.
    for offer in out["offers"]:
        row = exp["utilities"][label(offer["outcome"])]
        assert offer["utilities"]["a"] == pytest.approx(row["uA"], abs=1e-9)
        assert offer["utilities"]["b"] == pytest.approx(row["uB"], abs=1e-9)


@pytest.mark.parametrize("case", by_kind("time_dependent_aspiration"))
def test_time_dependent_aspiration(case: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    """At τ = t/T a time-dependent party offers (on a 1e-6 grid) its aspiration 1 − f(τ)."""
    inp, exp = case["inputs"], case["expected"]
    deadline = 100
    t_index = round(inp["t_over_T"] * deadline)  # 0-based index of the round
    text = f"""
[protocol]
deadline = {deadline}

[[issues]]
name = "x"
range = [0.0, 1.0]
steps = 1000001

[parties.a]
strategy = "time_dependent"
reservation = {inp["Pmin"]}
weights = {{ x = 1.0 }}
evaluations = {{ x = "increasing" }}
params = {{ e = {inp["e"]}, k = {inp["k"]} }}

[parties.b]
strategy = "hardliner"
weights = {{ x = 1.0 }}
evaluations = {{ x = "decreasing" }}
"""
    path = tmp_path / "td.toml"
    path.write_text(text)
    out = play(cli, path)
    offer = out["offers"][t_index]
    assert offer["round"] == t_index + 1 and offer["by"] == "a"
    target = inp["Pmin"] + (inp["Pmax"] - inp["Pmin"]) * (1 - exp["f_t"])
    assert target == pytest.approx(exp["target_utility"], abs=1e-12)
    # The least outcome on the grid reaching the aspiration: within one grid step above it.
    assert target - 1e-9 <= offer["utilities"]["a"] <= target + case["tolerance"]["abs"]
