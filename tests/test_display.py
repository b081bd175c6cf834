"""Numbers for people: text output rounds floats to about 4 significant digits, JSON keeps all."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from negsim import shipped
from negsim.display import readable
from tests.conftest import run_cli

#: A decimal number as printed (sign, digits, point, digits, optional exponent).
DECIMAL = re.compile(r"(?<![\w.])-?(\d+\.\d+)(?:e[+-]?\d+)?(?![\w.])")
MAX_DIGITS = 6


def significant_digits(text: str) -> list[int]:
    """The significant digits of every decimal number in ``text``."""
    return [len(m.group(1).replace(".", "").lstrip("0")) for m in DECIMAL.finditer(text)]


def assert_rounded(text: str) -> None:
    """No decimal number in ``text`` has more than :data:`MAX_DIGITS` significant digits."""
    long = [
        m.group(0) for m in DECIMAL.finditer(text) if significant_digits(m.group(0))[0] > MAX_DIGITS
    ]
    assert not long, long


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.33599999999999997, "0.336"),
        (1 / 3, "0.3333"),
        (np.float64(2 / 3), "0.6667"),
        (24.0, "24"),
        (13.384173243734708, "13.38"),
        (9999.7, "10000"),
        (123456.789, "123457"),
        (2.5e-7, "2.5e-07"),
        (-0.125, "-0.125"),
        (float("nan"), "n/a"),
        (float("inf"), "inf"),
        (None, "none"),
        (7, "7"),
        ("shock", "shock"),
        ({"shock": 2, "share": 0.1 + 0.2}, "shock 2, share 0.3"),
        ({}, "none"),
        ([0.1 + 0.2, 1], "0.3, 1"),
    ],
)
def test_readable_rounds_to_four_significant_digits(value: object, shown: str) -> None:
    """Floats to 4 significant digits (large ones whole), containers element by element."""
    assert readable(value) == shown


def test_the_digit_counter_sees_long_floats() -> None:
    """The check below would catch a raw float (and leaves integers and names alone)."""
    assert significant_digits("a 0.33599999999999997, b 0.336, seed 123456789") == [17, 3]
    with pytest.raises(AssertionError):
        assert_rounded("mean_trust: 0.6686618598858232")


@pytest.mark.parametrize("name", shipped.names("negotiation"))
def test_negotiate_text_is_rounded_and_json_is_not(cli: Any, name: str) -> None:
    """`negotiate` prints rounded numbers; `--json` the full floats they round."""
    text = run_cli(cli, "negotiate", name, "--seed", "0").stdout
    assert_rounded(text)
    data = json.loads(run_cli(cli, "negotiate", name, "--seed", "0", "--json").stdout)
    u = data["utilities"]
    assert f"realised utilities: a {readable(u['a'])}, b {readable(u['b'])}" in text


def test_json_keeps_full_precision(cli: Any) -> None:
    """The contract example's b gets 0.33599999999999997 in JSON and 0.336 on the terminal."""
    data = json.loads(run_cli(cli, "negotiate", "contract_example", "--seed", "0", "--json").stdout)
    assert data["utilities"]["b"] == 0.33599999999999997
    assert max(significant_digits(json.dumps(data))) > MAX_DIGITS


def test_run_text_is_the_rounded_json(cli: Any, tmp_path: Path) -> None:
    """`run` prints each summary figure rounded; `--json` has the same figures in full."""
    args = ("run", "classroom", "--seed", "1", "--until", "24")
    text = run_cli(cli, *args, "--out", str(tmp_path / "t")).stdout
    data = json.loads(run_cli(cli, *args, "--out", str(tmp_path / "j"), "--json").stdout)
    assert_rounded(text)
    shown = dict(line.split(": ", 1) for line in text.strip().splitlines())
    data["folder"] = shown["folder"]
    assert shown == {k: readable(v) for k, v in data.items()}
    assert max(significant_digits(json.dumps(data))) > MAX_DIGITS


def test_demo_and_tournament_text_is_rounded(cli: Any) -> None:
    """The demo and the tournament tables print no long floats."""
    assert_rounded(run_cli(cli, "demo").stdout)
    table = run_cli(cli, "tournament", "--repetitions", "1", "--domain", "price_warranty")
    assert table.exit_code == 0 and "mean own utility" in table.stdout
    assert_rounded(table.stdout)


def test_sweep_and_report_text_is_rounded(cli: Any, tmp_path: Path) -> None:
    """The sweep's closing line and the report's tables print no long floats."""
    spec = tmp_path / "grid.toml"
    spec.write_text('name = "grid"\nmodel = "noop"\nreplications = 3\n[factors]\n"a.b" = [1, 2]\n')
    out = tmp_path / "grid"
    swept = run_cli(cli, "sweep", str(spec), "--out", str(out), "--executor", "inprocess")
    assert swept.exit_code == 0, swept.output
    assert_rounded(swept.stdout)
    report = run_cli(cli, "report", str(out))
    assert report.exit_code == 0 and "| a.b=1 |" in report.stdout
    assert_rounded(report.stdout)
