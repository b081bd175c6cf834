"""Every bad input gets one clear line (issue 10): numbers that are not finite or out of range,
intervals and --until, network parameters against the organisations, files that cannot be read,
names that become folders, and error lines that repeat no secrets."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import negsim.config as config
import negsim.world.network as network
from negsim.config import ConfigError, parse_toml
from negsim.world.network import read_network
from negsim.world.run import run_world
from negsim.world.scenario import NETWORK_KINDS, LimitsSection, load_scenario, parse_scenario
from tests.conftest import ROOT, run_cli

EXAMPLE = ROOT / "scenarios" / "negotiations" / "contract_example.toml"
GOOD = EXAMPLE.read_text()
SECRET = "s3cr3t-0123456789abcdef"


def one_line(result: Any, *needles: str) -> str:
    """Assert the result is one line on stderr, exit code 2, naming each needle; return it."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert result.stdout == "" and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return str(lines[0])


# --- numbers ------------------------------------------------------------------------------

NEGOTIATION_NUMBERS = [
    ("weight inf", "weights = { price = 0.3", "weights = { price = inf", "weights.price", "inf"),
    (
        "weights overflow",
        "weights = { price = 0.3, share_a = 0.7 }",
        "weights = { price = 1e308, share_a = 1e308 }",
        "weights.price",
        "1e+308",
    ),
    ("range inf", "range = [0.0, 1.0]", "range = [0.0, inf]", "share_a.range", "inf"),
    ("range huge", "range = [0.0, 1.0]", "range = [-1e308, 1e308]", "share_a.range", "1e+308"),
    ("param nan", "e = 0.2", "e = nan", "parties.a.params.e", "nan"),
    ("param inf", "e = 0.2", "e = inf", "parties.a.params.e", "inf"),
    ("param integer", "e = 0.2", "horizon = 5.5", "parties.a.params.horizon", "an integer"),
    ("evaluation nan", "mid = 0.6, high", "mid = nan, high", "evaluations.price.mid", "nan"),
    ("reservation nan", "reservation = 0.3 ", "reservation = nan ", "a.reservation", "nan"),
    (
        "threshold inf",
        "[protocol]",
        "[concessions]\ncost_threshold = inf\n[protocol]",
        "cost",
        "inf",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [c[1:] for c in NEGOTIATION_NUMBERS],
    ids=[c[0] for c in NEGOTIATION_NUMBERS],
)
def test_non_finite_numbers_in_a_negotiation_file_are_refused_by_name(
    cli: Any, tmp_path: Path, old: str, new: str, field: str, value: str
) -> None:
    """nan, inf and overflowing numbers: one line naming the field, the value and the range."""
    assert old in GOOD
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new, 1))
    line = one_line(run_cli(cli, "negotiate", str(path)), str(path), field, value)
    assert "finite" in line or "integer" in line


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("world.horizon=inf", "world.horizon"),
        ("world.horizon=1e9", "world.horizon"),
        ("organisations.walk_away=nan", "organisations.walk_away"),
        ("value.base=inf", "value.base"),
        ("trust.meeting_interval=0", "trust.meeting_interval"),
        ("trust.meeting_interval=1e-9", "trust.meeting_interval"),
        ("world.search_interval=1e-6", "world.search_interval"),
        ("world.review_interval=0.001", "world.review_interval"),
        ("crises.rate=1e9", "crises.rate"),
        ("world.organisations=1e400", "world.organisations"),
    ],
)
def test_scenario_numbers_and_intervals_are_bounded(cli: Any, setting: str, field: str) -> None:
    """Non-finite numbers and intervals below the minimum (no event loop can spin)."""
    one_line(run_cli(cli, "run", "classroom", "--set", setting), field, "allowed")


@pytest.mark.parametrize("until", ["nan", "inf", "-inf", "1e9", "61", "0"])
def test_until_is_finite_positive_and_at_most_the_horizon(cli: Any, until: str) -> None:
    """--until: nan, inf or beyond the horizon (60 months) is one line saying how to raise it."""
    line = one_line(run_cli(cli, "run", "classroom", "--until", until), "--until")
    assert "world.horizon" in line


def test_until_up_to_a_raised_horizon_runs(cli: Any, tmp_path: Path) -> None:
    """Raising the horizon with --set lets --until go further."""
    out = tmp_path / "r"
    args = ("run", "classroom", "--seed", "1", "--json", "--out", str(out))
    result = run_cli(cli, *args, "--until", "61", "--set", "world.horizon=61")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["time"] == 61.0


@pytest.mark.parametrize("until", [float("nan"), float("inf"), 1e9, 0.0, True, "12"])
def test_run_world_checks_until(until: Any) -> None:
    """The Python API checks `until` as the command line does."""
    with pytest.raises(ConfigError, match=r"until = .* at most the horizon"):
        run_world("classroom", seed=0, until=until)


def test_a_world_where_no_pair_appeals_runs() -> None:
    """value.base = 0 is allowed: nobody negotiates, and the run still ends (no crash)."""
    run = run_world("classroom", seed=1, until=6, overrides={"value.base": 0.0})
    assert run.summary["negotiations"] == 0


# --- networks -----------------------------------------------------------------------------

BAD_NETWORKS = {
    "barabasi_albert": ({"m": 20}, 20, "network.m"),
    "watts_strogatz": ({"k": 500}, 200, "network.k"),
    "erdos_renyi": ({"p": 0.5}, 10_000, "network (erdos_renyi)"),
    "stochastic_block": ({"blocks": 21}, 20, "network.blocks"),
    "file": ({"path": ""}, 20, "network.path"),
}


@pytest.mark.parametrize("kind", NETWORK_KINDS)
def test_every_network_kind_is_checked_against_the_organisations(kind: str) -> None:
    """Each generator's parameters are checked against world.organisations when loading."""
    table, n, field = BAD_NETWORKS[kind]
    data = {"world": {"organisations": n}, "network": {"kind": kind, **table}}
    with pytest.raises(ConfigError, match=rf"s\.toml: {re.escape(field)}"):
        parse_scenario(data, "s.toml")


@pytest.mark.parametrize(
    ("kind", "table"),
    [
        ("barabasi_albert", {"m": 19}),
        ("watts_strogatz", {"k": 20, "p": 1.0}),
        ("erdos_renyi", {"p": 1.0}),
        ("stochastic_block", {"blocks": 20, "p_in": 1.0, "p_out": 1.0}),
    ],
)
def test_networks_at_their_limits_build(kind: str, table: dict[str, Any]) -> None:
    """The largest allowed parameters build a world: no networkx exception escapes."""
    run = run_world(
        parse_scenario({"world": {"organisations": 20}, "network": {"kind": kind, **table}}),
        seed=0,
        until=1,
    )
    assert run.summary["organisations"] == 20


def test_expected_edges_are_capped() -> None:
    """A generator expected to draw more than limits.network_edges is refused before it runs."""
    data = {"world": {"organisations": 1_000_000}, "network": {"m": 10}}
    with pytest.raises(ConfigError, match="edges expected"):
        parse_scenario(data, "s.toml")
    assert 10 * 1_000_000 > LimitsSection().network_edges


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("net.graphml", b"<graphml><graph><node", "(syntax)"),
        ("net.graphml", f"<secret>{SECRET}</wrong>".encode(), "(syntax)"),
        ("net.edges", b"a b\n\xff\xfe c\n", "(encoding)"),
        ("net.edges", None, "(file)"),
    ],
)
def test_network_file_errors_name_the_network_file(
    cli: Any, tmp_path: Path, name: str, content: bytes | None, problem: str
) -> None:
    """A network file that cannot be read or parsed: one line naming it, quoting none of it."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    sets = ["--set", "network.kind='file'", "--set", f"network.path='{path}'"]
    line = one_line(run_cli(cli, "run", "classroom", *sets), f"{path}: {problem}")
    assert SECRET not in line and "<scenario>" not in line


def test_oversized_network_files_are_refused(tmp_path: Path, monkeypatch: Any) -> None:
    """A network file beyond MAX_NETWORK_BYTES is not read."""
    path = tmp_path / "net.edges"
    path.write_text("a b\n" * 100)
    monkeypatch.setattr(network, "MAX_NETWORK_BYTES", 100)
    with pytest.raises(ConfigError, match=r"net\.edges: \(file\) = larger than"):
        read_network(path)


# --- reading files ------------------------------------------------------------------------

COMMANDS = ["negotiate", "run", "sweep", "claim"]


def _deep(depth: int) -> bytes:
    return ("x = " + "[" * depth + "]" * depth + "\n").encode()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'name = "caf\xe9"\n', "(encoding)"),
        (_deep(5000), "(nesting)"),
        (_deep(config.MAX_NESTING + 1), "(nesting)"),
        (b"#" * (config.MAX_TOML_BYTES + 1), "(file) = larger than 10 MiB"),
    ],
    ids=["not-utf8", "nested-5000", "nested-33", "oversized"],
)
def test_unreadable_files_are_one_line(
    cli: Any, tmp_path: Path, command: str, content: bytes, problem: str
) -> None:
    """Non-UTF-8 bytes, deep nesting and oversized files: one short line naming the file."""
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    line = one_line(run_cli(cli, command, str(path)), f"{path}: {problem}")
    assert len(line) < 300


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_is_one_line(cli: Any, tmp_path: Path, command: str) -> None:
    """A folder given where a file belongs."""
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    one_line(run_cli(cli, command, str(folder)), str(folder), "a directory")


def test_a_file_without_read_permission_is_one_line(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied (simulated, so the test holds when run as root): one line."""
    path = tmp_path / "locked.toml"
    path.write_text(GOOD)
    real_open = Path.open

    def denied(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    one_line(run_cli(cli, "negotiate", str(path)), str(path), "permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_one_line_for_real(cli: Any, tmp_path: Path) -> None:
    """chmod 000: one line."""
    path = tmp_path / "locked.toml"
    path.write_text(GOOD)
    path.chmod(0)
    one_line(run_cli(cli, "run", str(path)), str(path), "permission denied")


def test_set_values_nested_too_deep_are_refused(cli: Any) -> None:
    """A --set value is TOML; nested past the limit it is one line, not a RecursionError."""
    deep = "[" * 3000 + "]" * 3000
    one_line(run_cli(cli, "run", "classroom", "--set", f"world.horizon={deep}"), "--set")


def test_a_manifest_that_is_not_json_is_one_line(cli: Any, tmp_path: Path) -> None:
    """`report` on a folder whose manifest is garbage, not UTF-8, or nested absurdly deep."""
    for content in (b"\xff\xfe", b"{not json", b"[" * 100_000, b"[1]"):
        (tmp_path / "manifest.json").write_bytes(content)
        one_line(run_cli(cli, "report", str(tmp_path)), "manifest.json")


# --- secrets ------------------------------------------------------------------------------

SECRET_FILES = {
    "env-toml": f'TOKEN = "{SECRET}"\n',
    "env-plain": f"TOKEN={SECRET}\n",
    "passwd": f"root:x:0:0:root:/root:/bin/bash\nalice:{SECRET}:1000:1000::/home/alice:/bin/sh\n",
    "duplicate": f'"{SECRET}" = 1\n"{SECRET}" = 2\n',
    "bad char": f'x = "{SECRET}\x01"\n',
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("content", list(SECRET_FILES.values()), ids=list(SECRET_FILES))
def test_error_lines_repeat_no_secrets(
    cli: Any, tmp_path: Path, command: str, content: str
) -> None:
    """A file of secrets passed by mistake: the line names the file, not what it holds."""
    path = tmp_path / ".env"
    path.write_text(content)
    line = one_line(run_cli(cli, command, str(path)), str(path))
    assert SECRET not in line and "root:x" not in line


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
@pytest.mark.parametrize("command", COMMANDS)
def test_etc_passwd_is_not_echoed(cli: Any, command: str) -> None:
    """The system's password file: no line of it appears in the error."""
    line = one_line(run_cli(cli, command, "/etc/passwd"), "/etc/passwd")
    content = Path("/etc/passwd").read_text(errors="replace").splitlines()
    assert not any(row and row in line for row in content)
    assert "root:" not in line


def test_values_are_shown_short_and_on_one_line(cli: Any, tmp_path: Path) -> None:
    """A long or multi-line value is shown as a short repr ending in an ellipsis."""
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('opener = "a"', f'opener = """{SECRET * 10}\nline two"""'))
    line = one_line(run_cli(cli, "negotiate", str(path)), "protocol.opener", "…")
    assert SECRET * 2 not in line and len(line) < 250


def test_a_key_with_a_newline_stays_on_one_line(cli: Any, tmp_path: Path) -> None:
    """An unknown key is named (escaped) and its value is not shown."""
    path = tmp_path / "bad.toml"
    path.write_text(GOOD + f'\n"bad\\nkey" = "{SECRET}"\n')
    line = one_line(run_cli(cli, "negotiate", str(path)), "bad\\nkey", "known keys")
    assert SECRET not in line


def test_syntax_errors_say_where_not_what() -> None:
    """TOML errors keep their position and drop any fragment of the document."""
    with pytest.raises(ConfigError) as info:
        parse_toml(f'"{SECRET}" = 1\n"{SECRET}" = 2\n', "x.toml")
    assert "line 2" in str(info.value) and SECRET not in str(info.value)


# --- names that become folders ------------------------------------------------------------

BAD_NAMES = ["a\\u0000b", "a\\u0007b", "a/b", ".hidden", "", "x" * 101]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_sweep_names_with_control_characters_are_refused(
    cli: Any, tmp_path: Path, name: str
) -> None:
    """A sweep's name becomes a folder: NUL, control characters and slashes are refused."""
    path = tmp_path / "s.toml"
    path.write_text(f'name = "{name}"\nscenario = "classroom"\n[factors]\n"crises.rate" = [0.1]\n')
    one_line(run_cli(cli, "sweep", str(path), "--out", str(tmp_path / "o")), str(path), "name")


@pytest.mark.parametrize("name", BAD_NAMES[:3])
def test_claim_and_scenario_names_are_checked(cli: Any, tmp_path: Path, name: str) -> None:
    """A claim's name (a folder) and a scenario's name (part of one) follow the same rule."""
    claim = tmp_path / "c.toml"
    text = (ROOT / "experiments" / "claims" / "frequent_communication.toml").read_text()
    claim.write_text(text.replace('name = "frequent_communication"', f'name = "{name}"'))
    one_line(run_cli(cli, "claim", str(claim)), str(claim), "name")
    scenario = tmp_path / "w.toml"
    scenario.write_text(f'name = "{name}"\n')
    one_line(run_cli(cli, "run", str(scenario)), str(scenario), "name")


# --- sweeps and claims --------------------------------------------------------------------

SWEEP = 'scenario = "classroom"\nreplications = 2\n'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('[factors]\n"crises.rate" = [0.01, nan]', "factors.crises.rate[1]"),
        ('[factors]\n"crises.rate" = { low = 0.0, high = inf }', "factors.crises.rate.high"),
        ('[base]\n"world.horizon" = inf', "base.world.horizon"),
        ('[factors]\n"world.organisations" = { low = 4, high = 9, integer = "yes" }', "integer"),
        ('[factors]\n"trust.meeting_interval" = [1.0, 0.0]', "trust.meeting_interval"),
    ],
)
def test_sweep_values_are_finite_and_checked(
    cli: Any, tmp_path: Path, body: str, field: str
) -> None:
    """Factor levels, ranges and base values: nan, inf and out-of-range values are one line."""
    path = tmp_path / "s.toml"
    path.write_text(SWEEP + body + "\n")
    one_line(run_cli(cli, "sweep", str(path), "--out", str(tmp_path / "o")), str(path), field)


@pytest.mark.parametrize(
    ("base", "field"),
    [("work_ms = 1e12", "work_ms"), ("fail = 0.5", "fail"), ("crash = -1", "crash")],
)
def test_noop_overrides_that_would_hang_or_always_fail_are_refused(
    cli: Any, tmp_path: Path, base: str, field: str
) -> None:
    """The noop model's own knobs are checked before any run (a run of 1e12 ms never ends)."""
    path = tmp_path / "s.toml"
    path.write_text(f'model = "noop"\n[base]\n{base}\n[factors]\n"p.a" = [0, 1]\n')
    one_line(run_cli(cli, "sweep", str(path), "--out", str(tmp_path / "o")), str(path), field)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("min_effect = 0.02", "min_effect = inf", "min_effect"),
        ("min_effect = 0.02", "min_effect = nan", "min_effect"),
        ("values = [0.5, 1.0", "values = [nan, 1.0", "sweep.values[0]"),
    ],
)
def test_claim_numbers_are_finite(cli: Any, tmp_path: Path, old: str, new: str, field: str) -> None:
    """A claim's min_effect and sweep values."""
    text = (ROOT / "experiments" / "claims" / "frequent_communication.toml").read_text()
    assert old in text
    path = tmp_path / "c.toml"
    path.write_text(text.replace(old, new))
    one_line(run_cli(cli, "claim", str(path), "--out", str(tmp_path / "o")), str(path), field)


# --- the layer itself ---------------------------------------------------------------------


def test_one_rule_decides_what_a_number_is() -> None:
    """Fields, strategy parameters and options share is_number's rule and wording."""
    from negsim.negotiation.strategies import get

    param = get("boulware").params["e"]
    for bad in (float("nan"), float("inf"), -1.0, True, "1", 10**400):
        assert not config.is_number(bad, 0, 100)
        with pytest.raises(ValueError, match=r"allowed: a finite number in \[0, 100\]"):
            param.check("e", bad)
        with pytest.raises(ConfigError, match=r"allowed: a finite number in \[0, 100\]"):
            config.Fields("f.toml", "", {"e": bad}).number("e", low=0, high=100)


def test_huge_weights_normalise_without_overflow() -> None:
    """Weights are scaled by the largest before summing: 1e308 twice gives one half each."""
    from negsim.negotiation.domain import Domain, Issue
    from negsim.negotiation.utility import LinearAdditiveUtility

    d = Domain((Issue.numeric("x", 0, 1, 2), Issue.numeric("y", 0, 1, 2)))
    u = LinearAdditiveUtility.from_tables(
        d, {"x": 1e308, "y": 1e308}, {"x": "increasing", "y": "increasing"}
    )
    assert u.weights == (0.5, 0.5)


def test_load_scenario_names_the_override_for_nan() -> None:
    """An override given as nan is named as an override (the file is not at fault)."""
    with pytest.raises(ConfigError, match=r"overrides \(--set\): crises\.rate = nan"):
        load_scenario("classroom", {"crises.rate": float("nan")})


def test_a_bad_file_value_is_still_named_with_its_file(tmp_path: Path) -> None:
    """A bad value in the file itself is named with the file, overrides or not."""
    text = (ROOT / "scenarios" / "classroom.toml").read_text().replace("rate = 0.03", "rate = -1")
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"mine\.toml: crises\.rate = -1"):
        load_scenario(path, {"world.organisations": 30})


def test_the_documented_limits_are_the_code_s() -> None:
    """The caps and minimums the docs and default.toml state are the constants in the code."""
    from negsim.world.scenario import MAX_CRISIS_RATE, MAX_HORIZON, MIN_INTERVAL

    guide = " ".join((ROOT / "docs" / "getting-started.md").read_text().split())
    for stated in (
        f"at most {config.MAX_TOML_BYTES / 2**20:g} MiB",
        f"nested at most {config.MAX_NESTING} levels",
        f"network files: {network.MAX_NETWORK_BYTES / 2**20:g} MiB",
        f"at most {config.VALUE_WIDTH} characters",
    ):
        assert stated in guide, stated
    default = " ".join((ROOT / "scenarios" / "default.toml").read_text().replace("#", "").split())
    for stated in (
        f"at least {MIN_INTERVAL:g} month",
        f"at most {MAX_HORIZON:g} months",
        f"at most {MAX_CRISIS_RATE:g} per alliance per month",
    ):
        assert stated in default, stated


def test_config_errors_survive_pickling() -> None:
    """A worker process can send a ConfigError back whole: its parts and its line."""
    import pickle

    for value in (config.HIDDEN, float("nan"), config.Described("a directory")):
        error = ConfigError("f.toml", "x", value, "y")
        again = pickle.loads(pickle.dumps(error))
        assert str(again) == str(error) and again.field == "x" and again.allowed == "y"


@pytest.mark.parametrize(
    "setting",
    [
        "competition.concession=1",
        "competition.gain=0.3",
        "disclosure.effect=0.6",
        "disclosure.trust_speed=0.5",
        "organisations.reservation=0.35",
        "organisations.pace_floor=0.05",
        "crises.break_probability=0.8",
    ],
)
def test_coefficients_that_wrote_effects_in_are_gone(cli: Any, setting: str) -> None:
    """The world's effects come from decisions: the keys that set a counterpart's pace, a
    reservation by hand or a break by chance no longer exist, and saying them is one line."""
    field = setting.split("=")[0]
    one_line(run_cli(cli, "run", "default", "--set", setting), field.split(".")[1], "allowed")
