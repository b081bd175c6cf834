"""The experiment runner: sweeps, executors, the results store, claims and reports."""
