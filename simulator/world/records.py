"""What the world records, and what each record means: the DataCollector's reporters.

* the time series (:data:`MODEL_REPORTERS`), one row per month: ``WorldRun.timeseries`` and
  ``timeseries.parquet``;
* each organisation's monthly state (:data:`AGENT_REPORTERS`), read through the
  :class:`Organisation` Mesa agents: ``model.datacollector.get_agent_vars_dataframe()``,
  ``WorldRun.agents`` and ``agents.parquet``.

The descriptions beside the reporters are the documentation of those columns (the docs render
their tables from :data:`TIMESERIES_COLUMNS` and :data:`AGENT_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mesa import Agent

from negsim.world.terms import QUADRANT_ORDER

if TYPE_CHECKING:
    from negsim.world.model import AllianceModel


def _concession_reporter(k: int) -> Callable[[AllianceModel], int]:
    """A DataCollector reporter: concessions so far in quadrant ``k`` of ``QUADRANT_ORDER``."""
    return lambda m: int(m.concessions[k])


#: What a concession of each quadrant is (essay 000): cost to its giver, value to its receiver
#: against ``concessions.cost_threshold`` and ``concessions.value_threshold``.
_QUADRANT_MEANING = {
    "costly_trade": "dear to give and dear to receive",
    "material_yet_symbolic": "cheap to give, dear to receive",
    "unnecessary_cost": "dear to give, cheap to receive",
    "low_stakes": "cheap to give and cheap to receive",
}

#: The time series (``WorldRun.timeseries``, ``timeseries.parquet``): the DataCollector's model
#: reporters, collected at the end of every month. Column → (reporter, meaning).
MODEL_REPORTERS: dict[str, tuple[Callable[[AllianceModel], Any], str]] = {
    "time": (lambda m: m.time, "the month just ended (1, 2, …)"),
    "alliances_alive": (
        lambda m: int(m.started_alive().sum()),
        "alliances operating: started and not ended",
    ),
    "alliances_formed": (
        lambda m: m.alliances.size,
        "alliances agreed so far, cumulative (counted when agreed; their ``signed`` month "
        "follows after the rounds of talks and diligence)",
    ),
    "failure_rate": (
        lambda m: m.failure_rate(),
        "failed / ended alliances so far (NaN until one ends); see the alliance column ``failed``",
    ),
    "mean_trust": (
        lambda m: m.mean_trust(),
        "mean trust balance over both accounts of the alliances operating (NaN if none)",
    ),
    "mean_reputation": (
        lambda m: float(m.orgs.reputation.mean()),
        "mean reputation of all organisations, in [0, 1]",
    ),
    **{
        f"concessions_{q}": (
            _concession_reporter(k),
            f"concessions so far ({_QUADRANT_MEANING[q]}) in every terms negotiation, cumulative",
        )
        for k, q in enumerate(QUADRANT_ORDER)
    },
}
#: The time-series columns: name → meaning.
TIMESERIES_COLUMNS: dict[str, str] = {name: text for name, (_, text) in MODEL_REPORTERS.items()}


class Organisation(Agent):
    """An organisation as a Mesa agent: a handle onto row ``index`` of the world's arrays (the
    mechanisms work on the arrays, for all organisations at once; the network is
    ``model.graph``, node ``index``).

    Its properties are what the DataCollector records for it every month
    (``model.datacollector.get_agent_vars_dataframe()``, see :data:`AGENT_REPORTERS`).
    """

    model: AllianceModel

    def __init__(self, model: AllianceModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def reputation(self) -> float:
        """Reputation in [0, 1]; messy exits lower it (essays 002, 003)."""
        return float(self.model.orgs.reputation[self.index])

    @property
    def running(self) -> int:
        """Alliances signed and not ended (including those not started yet)."""
        return int(self.model.active[self.index])

    @property
    def signed(self) -> int:
        """Alliances signed so far."""
        return int(self.model.signed[self.index])

    @property
    def earned(self) -> float:
        """Alliance value realised so far: its share of every month its alliances ran."""
        return float(self.model.earned[self.index])

    @property
    def standalone(self) -> float:
        """Value its alternative paid so far: each month, for the capacity it had free."""
        return float(self.model.standalone[self.index])


def _sentence_part(docstring: str) -> str:
    """A one-line docstring as a table cell: first letter lower-cased, no closing full stop.

    Examples:
        >>> _sentence_part("Alliances signed so far.")
        'alliances signed so far'
    """
    text = docstring.strip().rstrip(".")
    return text[:1].lower() + text[1:]


#: Per-organisation monthly records (Mesa agent reporters): column name → Organisation property.
AGENT_REPORTERS = {
    "organisation": "index",
    **{name: name for name in ("reputation", "running", "signed", "earned", "standalone")},
}
#: The per-organisation monthly columns (``WorldRun.agents``, ``agents.parquet``): name →
#: meaning, from the docstrings of the :class:`Organisation` properties they record.
AGENT_COLUMNS: dict[str, str] = {
    "time": "the month just ended (index level)",
    "organisation": "the organisation (index level; the row of ``organisations``)",
    **{
        name: _sentence_part(str(getattr(Organisation, prop).__doc__))
        for name, prop in AGENT_REPORTERS.items()
        if name != "organisation"
    },
}
