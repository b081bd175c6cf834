"""The page's "About this model" tab (NetLogo's Info tab): what the page shows, the essay idea
behind each slider, things to notice and things to try."""

from __future__ import annotations

import solara

from negsim.viz.world import FADE_MONTHS, KNOBS, MIN_ENDED, RECENT_FAILURE_MONTHS

WHAT = f"""
## What you are looking at

Twenty organisations (the classroom world) sit on a network: each can ally only with its
neighbours. Every two months the free ones court a neighbour and **negotiate the terms** of an
alliance (how the value is split, how much each commits, who leads). A side whose
alternative beats the offers on the table may **walk out**. A deal becomes an alliance that
runs for eighteen months, earns value, and builds or spends **trust** — unless a crisis, a
broken relationship or a better partner ends it early. An alliance **fails** if it ends early or
earns its partners less than they expected when they signed.

### The network
- **Node colour**: the organisation's status: *free* (grey), *deal signed, not started*
  (light blue), *allied* (dark blue), *recently failed* (orange-red: one of its alliances
  failed in the last {RECENT_FAILURE_MONTHS:g} months). The switch above the network colours by
  concession *strategy* instead.
- **Node size**: the value the organisation has earned in alliances so far. The number beside
  a node is the organisation's number, as the Negotiations tab names it.
- **Edge colour and width**: the pair's *trust balance*: blue-green in credit, brown in
  debit, wider the larger it is; pale grey: neighbours that never allied.
- **Dark outline** on an edge: a running alliance. **Yellow flash**: it started this month.
- **Dashed edge**: an alliance that ended in the last {FADE_MONTHS:g} months, fading out
  (orange-red: it failed; grey: it completed).
- **✖ on an edge**: a walk-out in the last search, on the side of the organisation that walked.

### The readouts and charts
The readouts above the tabs count everything so far: negotiations, deals, walk-outs, alliances
formed (started), running, ended and failed. The **Charts** tab draws alliances running, the
failure rate of ended alliances (blank until {MIN_ENDED} have ended, so one early failure does not
read as "100% fail"), mean trust of the running alliances (0 to 1) and concessions by
quadrant. After **Reset** the run before stays as a faint grey line; **Run 5 seeds** adds five
worlds with this world's settings (its seed and the four after it) and a table of what each
ended with.

### Negotiations
Each negotiation is drawn in *utility space*: across, what the deal is worth to the side that
opened; up, to the other. Grey dots are every possible set of terms; the black line is the
**Pareto frontier** (no deal is better for both); the star is the **Nash point** (the deal that
maximises the product of both sides' gains over their alternatives); dashed lines are the
**alternatives**. Each concession is coloured by essay 000's quadrant: **costly trade** (dear to
give, dear to receive), **material yet symbolic** (cheap to give, dear to receive),
**unnecessary cost** (dear to give, worth little to the other) and **low stakes**.
"""

NOTICE = """
## Things to notice
- Deals come in waves, at each search, and most negotiations do **not** end in a deal: compare
  the *negotiations*, *deals* and *walk-outs* readouts.
- From month 2 to about month 20 the world is quiet: alliances are running their eighteen
  months and trust grows at every meeting (the edges turn blue-green and wide).
- From about month 20 alliances end; watch the *failed* readout ("9 of 20 failed") and which
  edges end dashed orange-red.
- A pair may run two alliances at once (they can sign again while the first is still
  running): the *running* readout counts alliances, the thick edges count pairs.
- In a walk-out, the side that left had an alternative worth more than what was on the table
  (open it in the Negotiations tab: the last offer lies left of, or below, its dashed line).
"""

TRY = """
## Things to try
- Set **trust growth per meeting** to 0, Reset (same seed), and play to the end: compare the
  mean-trust chart and the failed readout with the faint line of the run before.
- Set **willingness to walk away** to 0.9: more walk-outs, fewer deals. Is walking away worth
  it here? Then **Run 5 seeds** to see whether one world's answer holds in five.
- Make meetings rarer (**months between meetings** 6): less trust, but also less time lost
  to meetings.
- Raise the **crisis rate**: which alliances survive the crises, and what did they have?
- Open **Negotiate against an agent** (top right) and play the alliance terms against
  *boulware*: can you reach the Pareto frontier?
"""


@solara.component
def About() -> None:
    """The "About this model" tab."""
    with solara.Column(classes=["negsim-about"], style={"max-width": "60em"}):
        solara.Markdown(WHAT)
        ideas = "\n".join(f"| {k.label} | {k.idea} |" for k in KNOBS.values())
        solara.Markdown(
            "### The sliders and the essay ideas behind them\n"
            "Each slider changes one mechanism of the model; settings take effect on **Reset**."
            f"\n\n| slider | idea |\n|---|---|\n{ideas}\n"
        )
        solara.Markdown(NOTICE)
        solara.Markdown(TRY)
