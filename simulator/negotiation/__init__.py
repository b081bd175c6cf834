"""The negotiation core: pure and fast, no Mesa.

Issues and outcome spaces (:mod:`.domain`), linear-additive utilities (:mod:`.utility`), the
alternating-offers protocol (:mod:`.protocol`), concession strategies (:mod:`.strategies`),
bargaining-theory analysis (:mod:`.analysis`) and a batched numpy path (:mod:`.batch`).
"""
