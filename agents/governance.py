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


def _decide(yes_w, tot_w, n_no, veto_no, funder_no, p: Prepared):
    """Vectorised rule over vehicles (last axis); same comparisons as `rule_holds`."""
    tol = p.params.rule_tolerance
    code = p.rule_code
    maj = yes_w > 0.5 * tot_w + tol * tot_w
    qual = yes_w >= p.threshold * tot_w - tol * tot_w
    ok = np.where(code == 0, n_no == 0, np.where(code == 1, maj, qual))
    return ok & (veto_no == 0) & (~p.require_funders | (funder_no == 0))


def rules_hold(yes: np.ndarray, p: Prepared) -> np.ndarray:
    """(V,) bool from a (P, V) yes matrix (non-members' entries are ignored)."""
    stack = p.rule_stack  # (4, P, V): weight, member, veto, funds
    yes_w, yes_n, yes_veto, yes_funds = np.einsum("kpv,pv->kv", stack, yes.astype(float))
    tot_w, n, n_veto, n_funds = p.rule_totals
    return _decide(yes_w, tot_w, n - yes_n, n_veto - yes_veto, n_funds - yes_funds, p)


def pivotal(yes: np.ndarray, p: Prepared) -> np.ndarray:
    """(P, V) bool: members whose vote, flipped alone, changes the board's decision."""
    base = rules_hold(yes, p)
    no = p.member & ~yes
    sign = np.where(yes, -1, 1)  # flipping a yes removes its weight and adds a no
    yes_w = (yes * p.weight).sum(axis=0) + sign * p.weight
    n_no = no.sum(axis=0) - sign
    veto_no = (no & p.veto).sum(axis=0) - sign * p.veto
    funder_no = (no & p.funds).sum(axis=0) - sign * p.funds
    flipped = _decide(yes_w, p.weight.sum(axis=0), n_no, veto_no, funder_no, p)
    return p.member & (flipped != base[None, :])
