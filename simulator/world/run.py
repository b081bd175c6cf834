"""Running a world from Python: one call in, pandas tables out (what ``negsim run`` calls).

Examples:
    >>> run = run_world("classroom", seed=1, until=12)
    >>> run.summary["time"], run.summary["organisations"]
    (12.0, 20)
    >>> list(run.timeseries.columns[:3])
    ['time', 'alliances_alive', 'alliances_formed']
    >>> len(run.organisations), run.organisations.index.name
    (20, 'organisation')
    >>> run.agents.index.names
    FrozenList(['time', 'organisation'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from negsim.config import ConfigError, is_number, number_allowed
from negsim.world.metrics import alliance_records, run_metrics, summary
from negsim.world.model import AllianceModel
from negsim.world.records import AGENT_REPORTERS
from negsim.world.scenario import MAX_HORIZON, MIN_INTERVAL, WorldScenario, load_scenario

#: A progress callback: called with (months simulated, months to simulate) as the run goes.
Progress = Callable[[float, float], None]

#: How many slices a run is cut into for progress reports (the result does not depend on it).
PROGRESS_STEPS = 100


#: The organisations table (``WorldRun.organisations``, ``organisations.parquet``; one row per
#: organisation, indexed by ``organisation``, the node of the network): column → meaning.
#: Traits are drawn at the start; the columns from ``reputation`` on are the state at the end of
#: the run.
ORGANISATION_COLUMNS: dict[str, str] = {
    "strategy": "its concession strategy in terms negotiations, a key of the core's registry",
    "industry": "its industry (stochastic block model); on other networks its own index",
    "degree": "neighbours on the network (potential partners and rival suitors)",
    "strength": 'mean capability, in [0, 1] ("networks of the weak do not survive")',
    "walk_away": "readiness to walk away from talks, in [0, 1]",
    "disclosure": "how much of its eagerness it shows, in [0, 1]",
    "effort": 'the effort it puts into alliances ("A-team or B-team"), in (0, 1]',
    "capacity": "how many alliances it can run at once",
    "risk_tolerance": "share of a crisis it absorbs (with ``risk.tolerance_effect``), in [0, 1]",
    "coherence": "1 never sends mixed messages; lower values do, and withdraw trust",
    "reputation": "reputation at the end, in [0, 1]; messy exits lower it",
    "running": "alliances signed and not ended at the end",
    "signed": "alliances signed over the run",
    "earned": "value realised over the run: its share of every month its alliances ran",
    "standalone": "value its alternative paid over the run: each month, for its free capacity",
    "present_value": "earned plus standalone, each month discounted to month 0 at "
    "world.discount_rate",
    "arm": "within-world randomisation ([assign]): 1 treated, 0 control, -1 not assigned",
    "talks": "terms negotiations it took part in",
    "walkouts": "terms negotiations it walked away from (its reputation for walking away)",
}


@dataclass(eq=False)
class WorldRun:
    """A world that has run: the Mesa model and its results as pandas DataFrames.

    Attributes:
        model: the :class:`~negsim.world.model.AllianceModel`, as the run left it.
        overrides: the ``section.field`` overrides applied to the scenario file.
        until: the months simulated.
    """

    model: AllianceModel
    overrides: Mapping[str, Any] = field(default_factory=dict)
    until: float = 0.0

    @property
    def scenario(self) -> WorldScenario:
        """The resolved scenario the world was built from."""
        return self.model.config

    @property
    def seed(self) -> int:
        """The root seed entropy: ``run_world(..., seed=run.seed)`` gives the same run."""
        return self.model.seed_entropy

    @cached_property
    def summary(self) -> dict[str, Any]:
        """Headline figures (``negsim run --json``), see :func:`negsim.world.metrics.summary`."""
        return summary(self.model)

    @cached_property
    def metrics(self) -> dict[str, float]:
        """The flat run metrics the experiment runner records (NaN where undefined)."""
        return run_metrics(self.model)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """One row per month: the DataCollector's model variables
        (:data:`~negsim.world.records.TIMESERIES_COLUMNS`)."""
        frame: pd.DataFrame = self.model.datacollector.get_model_vars_dataframe()
        return frame.reset_index(drop=True)

    @cached_property
    def alliances(self) -> pd.DataFrame:
        """One row per alliance signed, in signing order
        (:data:`~negsim.world.metrics.ALLIANCE_COLUMNS`)."""
        frame = pd.DataFrame(alliance_records(self.model))
        frame.index.name = "alliance"
        return frame

    @cached_property
    def organisations(self) -> pd.DataFrame:
        """One row per organisation: its traits and its state at the end of the run
        (:data:`ORGANISATION_COLUMNS`)."""
        o, m = self.model.orgs, self.model
        degree = np.bincount(m.edges.ravel(), minlength=o.n)
        frame = pd.DataFrame(
            {
                "strategy": o.strategy.astype(str),
                "industry": o.block,
                "degree": degree,
                "strength": o.strength,
                "walk_away": o.walk_away,
                "disclosure": o.disclosure,
                "effort": o.effort,
                "capacity": o.capacity,
                "risk_tolerance": o.risk_tolerance,
                "coherence": o.coherence,
                "reputation": o.reputation,
                "running": m.active,
                "signed": m.signed,
                "earned": m.earned,
                "standalone": m.standalone,
                "present_value": m.present_value,
                "arm": o.arm,
                "talks": o.talks,
                "walkouts": o.walkouts,
            }
        )
        frame.index.name = "organisation"
        return frame

    @cached_property
    def agents(self) -> pd.DataFrame:
        """Per-organisation monthly records, indexed by (time, organisation).

        The Mesa DataCollector's agent variables
        (``model.datacollector.get_agent_vars_dataframe()``) with Mesa's step and agent ids
        replaced by the month and the organisation's index
        (:data:`~negsim.world.records.AGENT_COLUMNS`).
        """
        raw = self.model.datacollector.get_agent_vars_dataframe()
        # Before the first month ends Mesa has no records and returns a frame of NaN labels.
        if list(raw.index.names) != ["Step", "AgentID"] or raw["organisation"].isna().all():
            columns = ["time", *AGENT_REPORTERS]
            return pd.DataFrame(columns=columns).set_index(["time", "organisation"])
        frame = raw.reset_index().rename(columns={"Step": "time"})
        return frame.drop(columns="AgentID").set_index(["time", "organisation"]).sort_index()

    def network(self) -> nx.Graph:
        """The network at the end: organisations with their state, and each pair that allied
        with whether it is allied now and its mean trust balance."""
        m = self.model
        graph = nx.Graph()
        org = self.organisations
        for i in range(m.orgs.n):
            graph.add_node(
                i,
                reputation=float(org.reputation.iat[i]),
                strategy=str(org.strategy.iat[i]),
                industry=int(org.industry.iat[i]),
                running=int(org.running.iat[i]),
            )
        graph.add_edges_from((int(u), int(v)) for u, v in m.edges)
        t = m.alliances
        for row in range(t.size):  # the newest alliance of a pair describes the edge
            a, b = int(t.a[row]), int(t.b[row])
            graph.add_edge(
                a,
                b,
                allied=bool(t.alive[row]),
                trust=float(m.trust.balance[2 * row : 2 * row + 2].mean()),
            )
        return graph


def check_until(until: object, name: str = "until", horizon: float = MAX_HORIZON) -> None:
    """A ``ConfigError`` unless ``until`` is None or a finite number of months in
    [``MIN_INTERVAL``, ``horizon``]; ``name`` is how the caller spells it (``--until`` on the
    command line). A run never goes past its scenario's horizon: the message says how to
    raise it (``--set world.horizon=…``, at most ``MAX_HORIZON``).

    Examples:
        >>> check_until(24.0, "--until", horizon=120.0)
        >>> check_until(1e9, "--until", horizon=120.0)
        Traceback (most recent call last):
        ...
        negsim.config.ConfigError: --until: --until = 1000000000.0 is not allowed; allowed: \
a finite number in [0.01, 120] (months, at most the horizon; raise it with \
--set world.horizon=…, up to 1200)
    """
    if until is None:
        return
    if not is_number(until, MIN_INTERVAL, horizon):
        allowed = number_allowed(MIN_INTERVAL, horizon)
        raise ConfigError(
            name,
            name,
            until,
            f"{allowed} (months, at most the horizon; raise it with --set world.horizon=…, "
            f"up to {MAX_HORIZON:g})",
        )


def run_world(
    scenario: str | Path | WorldScenario = "default",
    *,
    seed: int | None = None,
    until: float | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> WorldRun:
    """Build a world and run it.

    Args:
        scenario: a shipped scenario name (``negsim scenarios``), a scenario file, or a
            :class:`~negsim.world.scenario.WorldScenario` already loaded.
        seed: the root seed; ``None`` draws fresh entropy (then ``run.seed`` reproduces it).
        until: months to simulate (default: the scenario's ``world.horizon``).
        overrides: ``{"section.field": value}`` changes to the scenario, as ``negsim run --set``.
        progress: called with (months simulated, months to simulate) a hundred times.

    Returns:
        The :class:`WorldRun`, with the summary and the tables.

    Raises:
        ConfigError: a bad scenario, override or ``until``.
    """
    overrides = dict(overrides or {})
    if isinstance(scenario, WorldScenario):
        if overrides:
            raise ConfigError("run_world", "overrides", overrides, "none with a loaded scenario")
        config = scenario
    else:
        config = load_scenario(scenario, overrides)
    check_until(until, horizon=config.world.horizon)
    horizon = float(config.world.horizon if until is None else until)
    model = AllianceModel(config, seed=seed, record_organisations=True)
    for stop in np.linspace(0.0, horizon, PROGRESS_STEPS + 1)[1:]:
        model.run(float(stop))
        if progress is not None:
            progress(float(stop), horizon)
    return WorldRun(model, overrides, horizon)
