"""Stance rules, vectorised over the (partner × vehicle) matrix. The plain per-agent version is in reference.py."""

from __future__ import annotations

import numpy as np

from .prepare import Prepared


def economic_drive(p: Prepared) -> np.ndarray:
    """Own money: net benefit share of budget, losses weighted by loss aversion, scaled up by financial pressure."""
    prm = p.params
    s = p.net_share
    felt = np.maximum(s, 0.0) - prm.loss_aversion * np.maximum(-s, 0.0)
    return prm.benefit_sensitivity * (1.0 + prm.pressure_sensitivity * p.pressure[:, None]) * felt


def own_drive_path(p: Prepared) -> np.ndarray:
    """(H, P, V): economic drive − sovereignty loss − uncertainty (decaying with engagement) for every month."""
    prm = p.params
    base = economic_drive(p) - prm.sovereignty_sensitivity * p.sovereignty_loss
    months = np.arange(p.horizon, dtype=float)[:, None, None]
    decay = 0.5 ** ((months + p.head_start[None]) / prm.uncertainty_halflife_months)
    unc = prm.uncertainty_sensitivity * (1.0 - p.risk_appetite)[None, :, None] * p.uncertainty[None] * decay
    return base[None] - unc


def initial_stance(p: Prepared, own0: np.ndarray) -> np.ndarray:
    """Stance at month 0: the prior, moved toward the partner's own view by any head start of engagement."""
    keep = (1.0 - p.params.adjustment_rate) ** p.head_start
    return keep * p.prior + (1.0 - keep) * np.tanh(own0)


def step_stance(stance, own_m, disposition, peer_weight, noise, prm) -> np.ndarray:
    """One month: move toward tanh(own + disposition + peers' weighted mean stance), plus noise, kept in [-1, 1].

    Written with in-place operations (this is the hot loop); same arithmetic order as reference.py."""
    drive = own_m + disposition
    drive += prm.peer_sensitivity * (peer_weight @ stance)
    np.tanh(drive, out=drive)
    drive *= prm.adjustment_rate
    new = (1.0 - prm.adjustment_rate) * stance
    new += drive
    noise *= prm.noise_sd
    new += noise
    np.minimum(new, 1.0, out=new)
    np.maximum(new, -1.0, out=new)
    return new
