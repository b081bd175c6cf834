"""The teaching visualiser (Solara / Mesa): imports the world; only ``negsim viz`` imports it.

The app itself (:mod:`negsim.viz.app`) imports Solara; this module holds only what the command
line needs to hand over its arguments, so ``negsim`` starts without the web stack.
"""

#: Environment variables through which ``negsim viz`` passes its arguments to the app.
SCENARIO_ENV = "NEGSIM_VIZ_SCENARIO"
SEED_ENV = "NEGSIM_VIZ_SEED"
