"""Governance rules: when does a vehicle's board (or deciding body, or willing membership) agree?

Scalar (plain, used by the reference model) and vectorised forms of the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .inputs import RULES
from .prepare import Prepared


def rule_holds(yes: Sequence[bool], weight: Sequence[float], veto: Sequence[bool] | None = None,
               funds: Sequence[bool] | None = None, rule: str = "majority", threshold: float | None = None,
               require_all_funders: bool = False, tol: float = 1e-9, lead: int | None = None,
               min_members: int = 1) -> bool:
    """True when the members' decisions establish the vehicle. Members with no voting weight are consulted only:
    they count under no rule (but executive, where only the deciding body counts).

    unanimity           every member votes yes
    majority            yes weight > half the total voting weight (strict: a tie fails)
    qualified_majority  yes weight ≥ threshold × total voting weight
    executive           the deciding body (member index `lead`) says yes; nobody else decides
    opt_in              at least `min_members` members have joined (weights ignored)
    require_all_funders every funding member votes yes (joins, for opt_in)
    any veto holder voting no blocks (for opt_in: a veto holder must join), except under executive.
    """
    n = len(yes)
    veto = veto if veto is not None else [False] * n
    funds = funds if funds is not None else [False] * n
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if rule == "executive":
        if lead is None:
            raise ValueError("executive needs the deciding body (lead)")
        return bool(yes[lead])
    # a member with no voting weight is consulted, not a decider
    keep = [k for k in range(n) if float(weight[k]) > 0]
    yes, weight, veto, funds = ([x[k] for k in keep] for x in (yes, weight, veto, funds))
    for y, v, f in zip(yes, veto, funds):
        if not y and (v or (f and require_all_funders)):
            return False
    if rule == "opt_in":
        return sum(1 for y in yes if y) >= min_members
    total = 0.0
    yes_w = 0.0
    for y, w in zip(yes, weight):
        total += float(w)
        if y:
            yes_w += float(w)
    if rule == "unanimity":
        return all(bool(y) for y in yes)
    if rule == "majority":
        return yes_w > 0.5 * total + tol * total
    if threshold is None:
        raise ValueError("qualified_majority needs a threshold")
    return yes_w >= float(threshold) * total - tol * total


# Vectorised form. Every rule is "rule weight of the yes votes ≥ bound and every blocker votes yes", where
#   rule weight = voting weight (partnership votes), 1 per member (opt_in: a count), 0 (executive);
#   bound    = nextafter(½·total + tol·total, +∞) for majority (strict), threshold·total − tol·total for a
#              qualified majority, min_members − ½ for opt_in, −∞ for unanimity and executive;
#   blockers = veto holders, funders when require_all_funders, every member under unanimity, the deciding
#              body alone under executive.
# `Prepared` precomputes `rule_bound` (V,), `rule_stack` (2, P, V) = [rule weight, blocker] and `blocker_count` (V,).


def _tally(yes: np.ndarray, p: Prepared) -> tuple[np.ndarray, np.ndarray]:
    y = yes.astype(float)
    return (y * p.rule_stack[0]).sum(axis=-2), (y * p.rule_stack[1]).sum(axis=-2)


def rules_hold(yes: np.ndarray, p: Prepared) -> np.ndarray:
    """(…, V) bool from a (…, P, V) yes matrix (non-members' entries are ignored)."""
    yes_w, yes_b = _tally(yes, p)
    return (yes_w >= p.rule_bound) & (yes_b >= p.blocker_count - 0.5)


def pivotal(yes: np.ndarray, p: Prepared) -> np.ndarray:
    """(…, P, V) bool: members whose decision, flipped alone, changes the outcome."""
    w, b = p.rule_stack
    yes_w, yes_b = _tally(yes, p)
    base = (yes_w >= p.rule_bound) & (yes_b >= p.blocker_count - 0.5)
    sign = np.where(yes, -1.0, 1.0)  # flipping a yes removes its weight; flipping a no adds it
    flipped = ((yes_w[..., None, :] + sign * w >= p.rule_bound)
               & (yes_b[..., None, :] + sign * b >= p.blocker_count - 0.5))
    return p.voter & (flipped != base[..., None, :])
