"""The shipped scenarios: find one by name or path, list them with a line each."""

from __future__ import annotations

from pathlib import Path

from simulator.config import ConfigError, read_toml

#: Shipped world scenarios (data beside the packages in the source tree).
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def find_shipped(name_or_path: str, folder: Path, what: str) -> Path:
    """A file from a shipped name (a stem in ``folder``) or a path; ``what`` names the kind."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    candidate = folder / f"{name_or_path}.toml"
    if candidate.exists():
        return candidate
    names = [p.stem for p in sorted(folder.glob("*.toml"))]
    raise ConfigError(name_or_path, f"({what})", name_or_path, f"a {what} file or one of {names}")


def find_scenario(name_or_path: str) -> Path:
    """A scenario file from a shipped name (``default``) or a path."""
    return find_shipped(name_or_path, SCENARIOS, "scenario")


def list_scenarios() -> dict[str, str]:
    """Shipped scenario names with their descriptions."""
    return {
        p.stem: str(read_toml(p).get("description", "")) for p in sorted(SCENARIOS.glob("*.toml"))
    }
