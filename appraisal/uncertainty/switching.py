"""Switching values (Green Book): the value of one parameter at which a decision flips.

Generic over the model: the caller passes ``f(x)`` for one parameter with all others held at base.

* :func:`npv_switching_value` - where ``f(x) -> NPV`` crosses zero;
* :func:`preferred_switching_value` - where the preferred option changes, ``f(x)`` returning either a
  mapping option -> score (higher better: NPV, MCDA total) or just the preferred option's label.

Method: evaluate ``f`` on a grid over [lo, hi] (which always includes the base value) to bracket every
sign change / change of preferred option, then refine each bracket with ``scipy.optimize.brentq``
(or bisection when only labels are available). The reported ``value`` is the switching point nearest the
base; ``all_values`` lists every switch found. A switch narrower than one grid step that flips and flips
back can be missed: raise ``n_grid`` for wiggly models. No bracket means ``status = "no switch within
range"`` and ``value = None``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Mapping

import numpy as np
from scipy.optimize import brentq

SWITCH = "switch"
NO_SWITCH = "no switch within range"


@dataclass
class SwitchingValue:
    parameter: str
    kind: str  # "npv_zero" or "preferred_option"
    base: float
    lo: float
    hi: float
    status: str  # SWITCH or NO_SWITCH
    value: float | None = None  # switching value nearest base
    base_outcome: object = None  # sign of NPV at base ("positive"/"negative"/"zero") or preferred option
    switched_outcome: object = None  # outcome just beyond ``value`` (seen from base)
    all_values: list = field(default_factory=list)
    evaluations: int = 0

    @property
    def change_from_base(self) -> float | None:
        return None if self.value is None else self.value - self.base

    @property
    def change_pct(self) -> float | None:
        if self.value is None or self.base == 0:
            return None
        return 100.0 * (self.value - self.base) / abs(self.base)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["change_from_base"], d["change_pct"] = self.change_from_base, self.change_pct
        return d


def _grid(lo, hi, base, n_grid):
    if not lo <= base <= hi:
        raise ValueError(f"base {base} outside range [{lo}, {hi}]")
    return np.unique(np.concatenate([np.linspace(lo, hi, n_grid), [base]]))


def _sign_label(y: float) -> str:
    return "positive" if y > 0 else ("negative" if y < 0 else "zero")


def npv_switching_value(f: Callable[[float], float], lo: float, hi: float, base: float, *,
                        parameter: str = "x", n_grid: int = 21, xtol: float = 1e-12) -> SwitchingValue:
    """Parameter value(s) in [lo, hi] at which ``f(x)`` (an NPV) crosses zero."""
    xs = _grid(lo, hi, base, n_grid)
    ys = np.array([float(f(x)) for x in xs])
    nev = len(xs)
    roots = [float(x) for x, y in zip(xs, ys) if y == 0.0]
    for (x0, y0), (x1, y1) in zip(zip(xs[:-1], ys[:-1]), zip(xs[1:], ys[1:])):
        if y0 * y1 < 0:
            r, info = brentq(f, x0, x1, xtol=xtol, full_output=True)
            nev += info.function_calls
            roots.append(float(r))
    roots = sorted(set(roots))
    y_base = float(ys[xs == base][0])
    out = SwitchingValue(parameter, "npv_zero", float(base), float(lo), float(hi), NO_SWITCH,
                         base_outcome=_sign_label(y_base), all_values=roots, evaluations=nev)
    if roots:
        v = min(roots, key=lambda r: (abs(r - base), r))
        out.status, out.value = SWITCH, v
        step = max(abs(v - base), 1e-9) * 1e-6 + xtol * 10
        beyond = v + step if v >= base else v - step
        beyond = min(max(beyond, lo), hi)
        out.switched_outcome = _sign_label(float(f(beyond)))
        out.evaluations += 1
    return out


def _preferred(res):
    if isinstance(res, Mapping) or hasattr(res, "idxmax"):
        items = dict(res)
        best = max(items.values())
        return sorted(k for k, v in items.items() if v == best)[0], items
    return res, None


def preferred_switching_value(f: Callable[[float], object], lo: float, hi: float, base: float, *,
                              parameter: str = "x", n_grid: int = 21, xtol: float = 1e-12) -> SwitchingValue:
    """Parameter value(s) in [lo, hi] at which the preferred option changes.

    ``f(x)`` returns a mapping option -> score (the switch is then the root of the score difference of
    the two options either side, found by brentq) or the preferred option's label (found by bisection
    to ``xtol``). Exact score ties go to the first option in sorted order."""
    xs = _grid(lo, hi, base, n_grid)
    evals = [_preferred(f(x)) for x in xs]
    nev = len(xs)
    prefs = [e[0] for e in evals]
    roots = []
    for k in range(len(xs) - 1):
        a, b = prefs[k], prefs[k + 1]
        if a == b:
            continue
        x0, x1 = float(xs[k]), float(xs[k + 1])
        sa, sb = evals[k][1], evals[k + 1][1]
        if sa is not None and sb is not None:
            def g(x, a=a, b=b):
                s = dict(f(x))
                return float(s[a]) - float(s[b])
            g0, g1 = float(sa[a]) - float(sa[b]), float(sb[a]) - float(sb[b])
            if g0 * g1 <= 0 and g0 != g1:
                r, info = brentq(g, x0, x1, xtol=xtol, full_output=True) if g0 * g1 < 0 else ((x0 if g0 == 0 else x1), None)
                nev += info.function_calls if info is not None else 0
                roots.append(float(r))
                continue
        # labels only (or a third option takes over in between): bisect on the label
        while x1 - x0 > xtol * max(1.0, abs(x0)):
            xm = 0.5 * (x0 + x1)
            nev += 1
            if _preferred(f(xm))[0] == a:
                x0 = xm
            else:
                x1 = xm
        roots.append(0.5 * (x0 + x1))
    base_pref = prefs[int(np.flatnonzero(xs == base)[0])]
    out = SwitchingValue(parameter, "preferred_option", float(base), float(lo), float(hi), NO_SWITCH,
                         base_outcome=base_pref, all_values=sorted(roots), evaluations=nev)
    if roots:
        v = min(roots, key=lambda r: (abs(r - base), r))
        out.status, out.value = SWITCH, v
        i = int(np.searchsorted(xs, v))
        out.switched_outcome = prefs[min(i, len(xs) - 1)] if v > base else prefs[max(i - 1, 0)]
    return out


def switching_values(f_of: Callable[[str, float], object], ranges: Mapping[str, tuple[float, float, float]], *,
                     kind: str = "npv", n_grid: int = 21) -> list[SwitchingValue]:
    """Run one switching-value search per parameter. ``ranges``: name -> (lo, base, hi);
    ``f_of(name, x)`` evaluates the model with parameter ``name`` set to ``x`` and all others at base."""
    fn = npv_switching_value if kind == "npv" else preferred_switching_value
    return [fn(lambda x, n=name: f_of(n, x), lo, hi, base, parameter=name, n_grid=n_grid)
            for name, (lo, base, hi) in ranges.items()]
