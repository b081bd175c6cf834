"""How organisations enter a negotiation: alternatives, rivals, disclosure, past trust.

* Perceived competition (essay 000): "If you have an alternative, and you're willing to walk
  away, they will chase you." An organisation courted by rival suitors has live alternatives:
  they raise its reservation (its BATNA), and the counterpart, who sees them, concedes faster in
  proportion to how credible the walk-away is (the organisation's visible ``walk_away``).
* Showing your intent (essay 000): "if they know that you are so intent to get that one thing,
  that information would give them power over you." Disclosed eagerness lowers the
  counterpart's estimate of the organisation's reservation, so the counterpart holds out longer.
* Trust (essay 003): partners who trusted each other before disclose more and accept faster.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.organisations import Organisations
from negsim.world.scenario import CompetitionSection, DisclosureSection
from negsim.world.terms import Stance, plain_stance

FloatArray = NDArray[np.float64]


def stance(
    orgs: Organisations,
    a: NDArray[np.intp],
    b: NDArray[np.intp],
    *,
    rivals_a: NDArray[np.int64],
    rivals_b: NDArray[np.int64],
    eagerness_a: FloatArray,
    eagerness_b: FloatArray,
    past_trust: FloatArray,
    competition: CompetitionSection,
    disclosure: DisclosureSection,
    pace_floor: float,
) -> Stance:
    """Each side's alternative and pace of concession for the pairs (a[i], b[i]).

    ``rivals_*`` count the other suitors courting each side in this search; ``eagerness_*``
    (in [0, 1]) how much each side wants this deal; ``past_trust`` the pair's trust balance when
    they last worked together (0 if never); ``pace_floor`` the slowest pace either side keeps
    (``organisations.pace_floor``).
    """
    st = plain_stance(orgs, a, b)
    res_a, res_b = st.reservation_a.copy(), st.reservation_b.copy()
    pace_a, pace_b = st.concession_a.copy(), st.concession_b.copy()
    if competition.enabled:
        pull_a = rivals_a / (rivals_a + 1.0)  # 0 without rivals, towards 1 with many
        pull_b = rivals_b / (rivals_b + 1.0)
        res_a += competition.gain * (1 - res_a) * pull_a
        res_b += competition.gain * (1 - res_b) * pull_b
        # The counterpart sees the rivals and concedes as far as the walk-away is credible.
        pace_b *= 1 + competition.concession * orgs.walk_away[a] * pull_a
        pace_a *= 1 + competition.concession * orgs.walk_away[b] * pull_b
    if disclosure.enabled:
        trust = np.clip(past_trust, 0.0, 1.0)
        shown_a = orgs.disclosure[a] + (1 - orgs.disclosure[a]) * trust  # trust opens up
        shown_b = orgs.disclosure[b] + (1 - orgs.disclosure[b]) * trust
        pace_b *= 1 - disclosure.effect * shown_a * eagerness_a
        pace_a *= 1 - disclosure.effect * shown_b * eagerness_b
        pace_a *= 1 + disclosure.trust_speed * trust  # trusted partners accept faster
        pace_b *= 1 + disclosure.trust_speed * trust
    return Stance(
        reservation_a=np.minimum(res_a, 1.0),
        reservation_b=np.minimum(res_b, 1.0),
        concession_a=np.maximum(pace_a, pace_floor),
        concession_b=np.maximum(pace_b, pace_floor),
    )
