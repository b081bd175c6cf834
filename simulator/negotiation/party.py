"""A negotiating party and the rules of the game: interests, alternative, patience.

Essay 000: "If you have an alternative, and you're willing to walk away, they will chase you."
Each party has a ``reservation`` (the utility of its BATNA), a per-round ``discount`` and a
``walk_away`` readiness in [0, 1].

The walk-away rule (heuristic strategies; the ``spe`` player decides rationally instead): at its
turn, a party that does not accept the standing offer walks away, with probability
``walk_away``, when

1. the standing offer is worth less to it than its reservation (the deal on the table is worse
   than its alternative), and
2. the other side has stopped chasing it: none of the other side's last ``patience`` offers
   improved on the offer before it, measured in this party's utility.

So ``walk_away = 1`` always leaves once both hold and ``0`` never leaves. The rule is checked
from the party's second reply on (it needs two offers to see a trend).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from negsim.negotiation.domain import Domain
from negsim.negotiation.utility import LinearAdditiveUtility

PARTY_NAMES = ("a", "b")
ParamValue = float | int | str


@dataclass(frozen=True, kw_only=True)
class Beliefs:
    """What a party believes about the other side (``[parties.a.beliefs]``).

    ``reservation``: what it thinks the other's alternative is worth; ``walk_away``: how likely
    it thinks the other is to leave for it; ``uncertainty``: how sure it is, the spread of its
    prior around those values (0: certain, as with complete information). Read by strategies
    that weigh the other side's alternative (``zeuthen``), which update them from play.
    """

    reservation: float
    walk_away: float
    uncertainty: float = 0.1


@dataclass(frozen=True, kw_only=True)
class Party:
    """One side of a negotiation.

    ``beliefs`` (None: it knows the other side's true reservation and readiness to walk) is
    what it believes about the other side; see :class:`Beliefs`.
    """

    name: str
    utility: LinearAdditiveUtility
    strategy: str = "linear"
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    reservation: float = 0.0
    discount: float = 1.0
    walk_away: float = 0.0
    patience: int = 1
    beliefs: Beliefs | None = None


@dataclass(frozen=True, kw_only=True)
class ConcessionThresholds:
    """Where a concession turns from cheap to dear, in utility (essay 000's quadrants)."""

    cost: float = 0.05
    value: float = 0.05


@dataclass(frozen=True, kw_only=True)
class Protocol:
    """Alternating offers: who opens, the deadline in rounds (0 = none) and a safety cut-off."""

    deadline: int = 100
    opener: str = "a"
    max_rounds: int = 10_000

    @property
    def last_round(self) -> int:
        """The last round in which an offer may be made."""
        return self.deadline if self.deadline > 0 else self.max_rounds


@dataclass(frozen=True, kw_only=True)
class Negotiation:
    """Everything needed to play one negotiation."""

    domain: Domain
    parties: tuple[Party, Party]
    protocol: Protocol = field(default_factory=Protocol)
    concessions: ConcessionThresholds = field(default_factory=ConcessionThresholds)

    def party(self, name: str) -> Party:
        """The party called ``name`` (``"a"`` or ``"b"``)."""
        return self.parties[PARTY_NAMES.index(name)]
