"""negsim: an agent-based simulator of negotiation and strategic alliances.

Layers (each imports only the ones above it): ``simulator.negotiation`` (pure, fast, no Mesa),
``simulator.world`` (the Mesa model), ``experiments`` (runner and CLI).
"""

__version__ = "0.1.0"
