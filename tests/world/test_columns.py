"""Every output column is described in code, next to its definition (the docs render these)."""

from __future__ import annotations

import pytest

from negsim.world.alliances import CAUSES
from negsim.world.metrics import ALLIANCE_COLUMNS, FAILURE_CAUSES, METRICS, SUMMARY_FIELDS
from negsim.world.records import AGENT_COLUMNS, TIMESERIES_COLUMNS
from negsim.world.run import ORGANISATION_COLUMNS, WorldRun, run_world


@pytest.fixture(scope="module")
def run() -> WorldRun:
    """A classroom world long enough for alliances to end in several ways."""
    return run_world("classroom", seed=3, until=60)


def test_every_table_column_is_described_in_order(run: WorldRun) -> None:
    """The descriptions list exactly the columns of each table, in the tables' order."""
    assert list(run.timeseries.columns) == list(TIMESERIES_COLUMNS)
    assert list(run.alliances.columns) == list(ALLIANCE_COLUMNS)
    assert list(run.organisations.columns) == list(ORGANISATION_COLUMNS)
    agents = run.agents
    assert [*agents.index.names, *agents.columns] == list(AGENT_COLUMNS)


def test_every_summary_field_and_metric_is_described(run: WorldRun) -> None:
    """The summary and the run metrics have exactly the described fields."""
    assert list(run.summary) == list(SUMMARY_FIELDS)
    assert list(run.metrics) == list(METRICS)


def test_causes_are_described_names(run: WorldRun) -> None:
    """Alliances carry only described cause names; failures only described failure causes."""
    seen = set(run.alliances["cause"])
    assert seen <= set(CAUSES) and {"running", "completed"} <= seen
    assert set(run.summary["failure_causes"]) <= set(FAILURE_CAUSES)
    assert "completed" not in FAILURE_CAUSES and "running" not in FAILURE_CAUSES


def test_descriptions_are_one_line_sentences() -> None:
    """Each description is one line of text (it renders as a table cell)."""
    tables = (
        TIMESERIES_COLUMNS,
        ALLIANCE_COLUMNS,
        ORGANISATION_COLUMNS,
        AGENT_COLUMNS,
        SUMMARY_FIELDS,
        METRICS,
        CAUSES,
        FAILURE_CAUSES,
    )
    for table in tables:
        for name, text in table.items():
            assert text.strip() and "\n" not in text, name
