"""Stance rules and the executive test, vectorised over the (partner × vehicle) matrix.

The plain per-agent version of the same rules is in reference.py.
"""

from __future__ import annotations

import numpy as np

from .prepare import Prepared


def year_weights(n_years: int, time_discount: float) -> np.ndarray:
    """(Y,) weights of each year of a partner's own money, summing to 1: time_discount ** y, normalised."""
    w = float(time_discount) ** np.arange(n_years, dtype=float)
    return w / w.sum()


def felt_share(net_share: np.ndarray, prm) -> np.ndarray:
    """(…, Y) yearly net shares of budget → (…) the partner's felt value: each year's loss weighed by loss aversion,
    then the years weighted by time preference (a flat profile gives back its yearly share)."""
    felt = np.maximum(net_share, 0.0) - prm.loss_aversion * np.maximum(-net_share, 0.0)
    return felt @ year_weights(net_share.shape[-1], prm.time_discount)


def valued_money(p: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """(P, V, Y) benefit and cost shares as each partner weighs them: its own money in the vehicle plus, for a
    vehicle others depend on (an enabling body, a workstream before the pilot it feeds), the money of the vehicles
    that need it (transitively)."""
    b, c = p.benefit_share.copy(), p.cost_share.copy()
    for level in reversed(p.levels):
        for d in np.flatnonzero(np.isin(p.dep_vehicle, level)):
            r, v = p.dep_requires[d], p.dep_vehicle[d]
            b[:, r] += b[:, v]
            c[:, r] += c[:, v]
    return b, c


def economic_drive(p: Prepared) -> np.ndarray:
    """(P, V) own money: felt yearly net share of budget, scaled up by financial pressure."""
    prm = p.params
    b, c = valued_money(p)
    felt = felt_share(b - c, prm)
    return prm.benefit_sensitivity * (1.0 + prm.pressure_sensitivity * p.pressure[:, None]) * felt


def doubt(p: Prepared) -> np.ndarray:
    """(H, P, V) perceived uncertainty weighed by risk aversion, fading with engagement:
    (1 − risk_appetite) · uncertainty · 0.5 ** ((m + head_start) / half-life)."""
    prm = p.params
    months = np.arange(p.horizon, dtype=float)[:, None, None]
    decay = 0.5 ** ((months + p.head_start[None]) / prm.uncertainty_halflife_months)
    return (1.0 - p.risk_appetite)[None, :, None] * p.uncertainty[None] * decay


def own_drive_path(p: Prepared) -> np.ndarray:
    """(H, P, V): economic drive − sovereignty loss − uncertainty (decaying with engagement) for every month."""
    prm = p.params
    base = economic_drive(p) - prm.sovereignty_sensitivity * p.sovereignty_loss
    return base[None] - prm.uncertainty_sensitivity * doubt(p)


def executive_case(p: Prepared) -> np.ndarray:
    """(H, V) bool: does the case clear the deciding body's own tests in month m? (executive vehicles only)

    net benefit:    its own money over the horizon is a gain, Σ_y (benefit_y − cost_y) > 0;
    affordability:  no single year's net loss above `affordability_share` of its annual budget;
    risk appetite:  its doubt in month m, uncertainty × (1 − risk appetite) × fading, is at most `risk_tolerance`.
    (The loss-averse, time-weighted view of the money drives the body's stance, which can veto: see engine.)
    """
    prm = p.params
    H, V = p.horizon, len(p.vehicle_ids)
    out = np.zeros((H, V), bool)
    d = doubt(p)
    b, c = valued_money(p)
    for j in np.flatnonzero(p.lead >= 0):
        i = p.lead[j]
        net = b[i, j] - c[i, j]
        money = net.sum() > 0 and np.max(-net) <= prm.affordability_share
        out[:, j] = money & (d[:, i, j] <= prm.risk_tolerance)
    return out


def initial_stance(p: Prepared, own0: np.ndarray) -> np.ndarray:
    """Stance at month 0: the prior, moved toward the partner's own view by any head start of engagement."""
    keep = (1.0 - p.params.adjustment_rate) ** p.head_start
    return keep * p.prior + (1.0 - keep) * np.tanh(own0)
