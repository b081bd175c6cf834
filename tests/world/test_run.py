"""The Python API's world run: the same world the runner runs, its tables, its records."""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.experiments.models import Task, run_task
from negsim.world.metrics import FAILURE_CAUSES


@pytest.mark.parametrize(("scenario", "seed"), [("classroom", 3), ("walk_away", 4)])
def test_run_world_is_the_world_the_runner_runs(scenario: str, seed: int) -> None:
    """run_world (in slices, with per-organisation records) and a sweep's run (in one go,
    without them) give the same run metrics for the same seed."""
    run = negsim.run_world(scenario, seed=seed)
    task = Task("world", str(negsim.shipped.find("scenario", scenario)), (), ((0, 0, 0, seed, {}),))
    (row,) = run_task(task)
    assert row["status"] == "ok", row["error"]
    for name, value in run.metrics.items():
        np.testing.assert_equal(row[name], value, err_msg=name)


def test_failure_cause_agrees_with_the_summary() -> None:
    """The alliance table's failure_cause counts are the summary's failure_causes."""
    run = negsim.run_world("classroom", seed=1)
    counts = run.alliances.loc[run.alliances.failed, "failure_cause"].value_counts().to_dict()
    assert counts == run.summary["failure_causes"]
    assert set(counts) <= set(FAILURE_CAUSES)
    assert (run.alliances.loc[~run.alliances.failed, "failure_cause"] == "").all()


def test_agents_are_mesa_agent_records_by_month_and_organisation() -> None:
    """WorldRun.agents is the DataCollector's agent variables, one row per organisation-month."""
    run = negsim.run_world("classroom", seed=1, until=6)
    agents = run.agents
    assert agents.index.names == ["time", "organisation"]
    assert len(agents) == 6 * 20
    raw = run.model.datacollector.get_agent_vars_dataframe()
    assert len(raw) == len(agents)
    final = agents.xs(6.0, level="time")
    assert (final["signed"].to_numpy() == run.organisations["signed"].to_numpy()).all()


def test_agents_before_the_first_month_is_an_empty_table() -> None:
    """A run shorter than a month has no records: an empty, well-formed table."""
    agents = negsim.run_world("classroom", seed=1, until=0.5).agents
    assert agents.empty and agents.index.names == ["time", "organisation"]
    assert list(agents.columns) == ["reputation", "running", "signed", "earned", "standalone"]
