"""How values are shown to people: one rounding rule for every text output.

Text meant for people — ``negsim run``'s summary lines, ``negsim negotiate`` without ``--json``,
the demo, the tournament, sweep, claim, report and sensitivity tables — shows each value through
:func:`readable`, which rounds floats to :data:`DIGITS` significant digits. ``--json`` output and
the files of a results folder keep full precision.

Examples:
    >>> readable(0.33599999999999997)
    '0.336'
    >>> readable(1 / 3), readable(24.0), readable(9999.7), readable(123456.7), readable(2.5e-7)
    ('0.3333', '24', '10000', '123457', '2.5e-07')
    >>> readable({"shock": 3, "missed_goal": 1}), readable(None), readable(float("nan"))
    ('shock 3, missed_goal 1', 'none', 'n/a')
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

#: Significant digits of a float shown to people.
DIGITS = 4
#: Floats too large for DIGITS digits, up to this magnitude, are shown as whole numbers rather
#: than as ``1.235e+04``: every digit of the integer part, no decimals.
WHOLE_BELOW = 1e15


def readable(value: object, digits: int = DIGITS) -> str:
    """``value`` for people: floats to ``digits`` significant digits, recursively in mappings,
    lists and tuples (``"k v, k v"``, ``"x, y"``); NaN is ``n/a``, None ``none``."""
    if isinstance(value, float | np.floating):
        x = float(value)
        if math.isnan(x):
            return "n/a"
        text = f"{x:.{digits}g}"
        return f"{x:.0f}" if "e+" in text and abs(x) < WHOLE_BELOW else text
    if value is None:
        return "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {readable(v, digits)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(readable(v, digits) for v in value) or "none"
    return str(value)
