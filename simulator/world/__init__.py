"""The alliance world: organisations on a network court partners, negotiate alliance terms with
the negotiation core, keep trust bank accounts and live through the alliance life cycle.

Built on Mesa (discrete events at continuous times); the negotiation layer never imports it.
"""
