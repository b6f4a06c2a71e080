"""Governance rules: when does a vehicle's board agree? Scalar (plain) and vectorised forms of the same rule."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .inputs import RULES
from .prepare import Prepared


def rule_holds(yes: Sequence[bool], weight: Sequence[float], veto: Sequence[bool] | None = None,
               funds: Sequence[bool] | None = None, rule: str = "majority", threshold: float | None = None,
               require_all_funders: bool = False, tol: float = 1e-9) -> bool:
    """True when the board's votes establish the vehicle.

    unanimity           every member votes yes
    majority            yes weight > half the total voting weight (strict: a tie fails)
    qualified_majority  yes weight ≥ threshold × total voting weight
    require_all_funders every funding member votes yes
    any veto holder voting no blocks, whatever the rule.
    """
    n = len(yes)
    veto = veto if veto is not None else [False] * n
    funds = funds if funds is not None else [False] * n
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    total = 0.0
    yes_w = 0.0
    for y, w in zip(yes, weight):
        total += float(w)
        if y:
            yes_w += float(w)
    for y, v, f in zip(yes, veto, funds):
        if not y and (v or (f and require_all_funders)):
            return False
    if rule == "unanimity":
        return all(bool(y) for y in yes)
    if rule == "majority":
        return yes_w > 0.5 * total + tol * total
    if threshold is None:
        raise ValueError("qualified_majority needs a threshold")
    return yes_w >= float(threshold) * total - tol * total


# Vectorised form. Every rule is "yes weight ≥ bound and every blocker votes yes", where
#   bound    = nextafter(½·total + tol·total, +∞) for majority (strict), threshold·total − tol·total for a
#              qualified majority, −∞ for unanimity;
#   blockers = veto holders, funders when require_all_funders, and every member under unanimity.
# `Prepared` precomputes `rule_bound` (V,), `rule_stack` (2, P, V) = [weight, blocker] and `blocker_count` (V,).


def rules_hold(yes: np.ndarray, p: Prepared) -> np.ndarray:
    """(V,) bool from a (P, V) yes matrix (non-members' entries are ignored)."""
    yes_w, yes_b = np.einsum("kpv,pv->kv", p.rule_stack, yes.astype(float))
    return (yes_w >= p.rule_bound) & (yes_b >= p.blocker_count - 0.5)


def pivotal(yes: np.ndarray, p: Prepared) -> np.ndarray:
    """(P, V) bool: members whose vote, flipped alone, changes the board's decision."""
    w, b = p.rule_stack
    yes_w, yes_b = np.einsum("kpv,pv->kv", p.rule_stack, yes.astype(float))
    base = (yes_w >= p.rule_bound) & (yes_b >= p.blocker_count - 0.5)
    sign = np.where(yes, -1.0, 1.0)  # flipping a yes removes its weight; flipping a no adds it
    flipped = (yes_w + sign * w >= p.rule_bound) & (yes_b + sign * b >= p.blocker_count - 0.5)
    return p.member & (flipped != base[None, :])
