"""Numbers in table cells mean one thing.

A number is written plainly: `1234567.89`, `-250000`, `0.1`, `1e6`. Money (a column ending `_gbp` or
`_gbp_per_year`) may also carry one leading `£` and thousands separators, but only in the exact pattern
`1,234,567.89`. Anything else (`1,2,3`, a decimal comma `575325,26`, units such as `£1m` or `5k`, spaces
inside, `nan`, `inf`, underscores) is an error, never a guess. Numbers beyond ±1e15 are refused: no figure
in a public-service appraisal is that large, and sums of such numbers overflow.
"""
from __future__ import annotations

import math
import re

MONEY_SUFFIXES = ("_gbp", "_gbp_per_year")
LIMIT = 1e15
PLAIN = re.compile(r"^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?$")
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
SIGNED = re.compile(r"^([-+]?)(£?)([-+]?)(.*)$", re.S)

MONEY_FORMS = ("an amount in £ written 1234567.89, £1,234,567.89 or -250000 (thousands separators only as in "
               "1,234,567.89; no units such as m or k, no decimal comma)")
NUMBER_FORMS = "a plain number such as 12.5, -3 or 1e6"


def is_money(column: str) -> bool:
    return column.endswith(MONEY_SUFFIXES)


def parse_number(text: str, money: bool) -> float:
    """The value of a cell; raises ValueError with the accepted forms when it is not one of them."""
    raw = text.strip()
    forms = MONEY_FORMS if money else NUMBER_FORMS
    m = SIGNED.match(raw)
    sign1, pound, sign2, body = m.groups()
    ok = not (sign1 and sign2) and (money or not pound)
    if ok and PLAIN.match(body):
        value = float(sign1 + sign2 + body)
    elif ok and money and THOUSANDS.match(body):
        value = float(sign1 + sign2 + body.replace(",", ""))
    else:
        raise ValueError(f"expected {forms}, got '{text}'")
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise ValueError(f"expected a number between -1e15 and 1e15, got '{text}'")
    if value == 0 and re.search(r"[1-9]", body.split("e")[0].split("E")[0]):
        raise ValueError(f"expected a number a computer can hold (this one is too small: it would read as 0), "
                         f"got '{text}'")
    return value


def number_text(text: str, money: bool, whole: bool) -> str:
    """The cell rewritten in plain form for the schema (pydantic then applies the column's range)."""
    value = parse_number(text, money)
    if whole:
        if not value.is_integer():
            raise ValueError(f"expected a whole number, got '{text}'")
        return str(int(value))
    return repr(value)
