"""The experiment runner: sweeps, executors, the results store, claims and their verdicts,
reports, sensitivity analysis, the tournament and world results folders."""
