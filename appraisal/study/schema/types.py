"""Cell types of the study schema: financial years and periods, ids, lists, flags, blanks, and `Row`, the base of every
table's row model.
"""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from appraisal.study.numbers import parse_number


FY_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def fy_start(label: str) -> int:
    """The calendar year in which financial year `label` ('2017/18') starts."""
    return int(FY_PATTERN.match(label).group(1))


def fy_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _financial_year(value: object) -> str:
    text = str(value).strip()
    m = FY_PATTERN.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"a financial year like '2017/18', got '{text}'")
    return text


def _blank_to_none(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    if isinstance(value, str) and value.strip() == "":
        return None
    return value.strip() if isinstance(value, str) else value


def _id_list(value: object) -> list[str]:
    value = _blank_to_none(value)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _fraction_list(value: object) -> list[float]:
    value = _blank_to_none(value)
    if value is None:
        return []
    parts = value if isinstance(value, list) else str(value).split(";")
    out = []
    for part in parts:
        try:
            number = part if isinstance(part, (int, float)) else parse_number(str(part), money=False)
        except ValueError:
            raise ValueError(f"fractions between 0 and 1 separated by ';' like '0.1;0.6;1', got '{value}'") from None
        if not 0 <= number <= 1:
            raise ValueError(f"fractions between 0 and 1 separated by ';' like '0.1;0.6;1', got {number:g} in '{value}'")
        out.append(float(number))
    return out


def _safe_id(value: str) -> str:
    if set(value) == {"."}:
        raise ValueError(f"'{value}' cannot be an id: ids name files and folders of the results; use letters or digits")
    return value


def _bool(value: object) -> bool:
    value = _blank_to_none(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1", "x"}:
        return True
    if text in {"no", "n", "false", "0", "-"}:
        return False
    raise ValueError(f"yes or no, got '{value}'")


FinancialYear = Annotated[str, BeforeValidator(_financial_year)]
OptFinancialYear = Annotated[FinancialYear | None, BeforeValidator(_blank_to_none)]
PERIOD_PATTERN = re.compile(r"^(\d{4})/(\d{2})(?: (Q[1-4]|M(?:0[1-9]|1[0-2])))?$")


def _time_label(value: object) -> str:
    """A gate of the plan: a financial year, or (in a study with `horizon.period`) a quarter or month of one."""
    text = " ".join(str(value).split())
    m = PERIOD_PATTERN.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"a financial year like '2017/18', got '{text}' (a study by quarters or months also takes "
                         "periods like '2017/18 Q3' or '2017/18 M07')")
    return text


TimeLabel = Annotated[str, BeforeValidator(_time_label)]
OptTimeLabel = Annotated[TimeLabel | None, BeforeValidator(_blank_to_none)]
OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
NonNegative = Annotated[float, Field(ge=0)]
OptNonNegative = Annotated[NonNegative | None, BeforeValidator(_blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
IdList = Annotated[list[str], BeforeValidator(_id_list)]
Fractions = Annotated[list[float], BeforeValidator(_fraction_list)]
Flag = Annotated[bool, BeforeValidator(_bool)]
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$"), AfterValidator(_safe_id)]
OptId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Row(BaseModel):
    """A table row. Unknown columns are errors, so a misspelt header is caught, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)
    source: str = Field(min_length=1, description="Where the figure comes from: document section, table or line")
