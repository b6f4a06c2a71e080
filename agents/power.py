"""Power indices of a board's members under its rule: normalised Banzhaf and Shapley–Shubik.

The game is the model's own winning test (`rule_holds`): a coalition S of members (the ones voting yes) wins
when its voting weight clears the rule's bound and every *blocker* is in it (veto holders; funders when the rule
requires all funders; every member under unanimity). Members without voting weight are consulted, not deciders
(power 0). Opt-in: a coalition of joiners wins with at least `min_members` of them (weights ignored) and every
blocker. Executive: the deciding body holds all the power. Two exact methods:

* enumeration of all 2^n coalitions, calling `rule_holds` itself (boards of up to `ENUMERATE_UP_TO` members);
* generating functions (dynamic programming over the number of coalitions of each size and weight) for larger
  boards: weights are scaled to integers (up to 6 decimals); blockers enter every winning coalition, so only the
  other members are counted.

Banzhaf swing of i: a coalition without i that loses and wins with i. Normalised Banzhaf = swings / Σ swings.
Shapley–Shubik: Σ over coalitions S without i that i turns into winners of |S|! (n − |S| − 1)! / n!.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from .governance import rule_holds

ENUMERATE_UP_TO = 10
MAX_SCALED_WEIGHT = 2_000_000


def _win_on_weight(total: float, rule: str, threshold: float | None, tol: float):
    """The rule's weight test as a function of the yes weight (same comparisons as `rule_holds`)."""
    if rule == "unanimity":
        return lambda s: np.ones_like(np.asarray(s, float), bool)
    if rule == "majority":
        return lambda s: np.asarray(s, float) > 0.5 * total + tol * total
    if threshold is None or pd.isna(threshold):
        raise ValueError("qualified_majority needs a threshold")
    return lambda s: np.asarray(s, float) >= float(threshold) * total - tol * total


def _indices_by_enumeration(weight, veto, funds, rule, threshold, require_all_funders, tol, lead=None,
                            min_members=1):
    n = len(weight)
    holds = lambda yes: rule_holds(yes, weight, veto, funds, rule, threshold, require_all_funders, tol,  # noqa: E731
                                   lead=lead, min_members=min_members)
    swings = np.zeros(n)
    ss = np.zeros(n)
    fact = [factorial(k) for k in range(n + 1)]
    for size in range(n):
        coef = fact[size] * fact[n - size - 1] / fact[n]
        for S in combinations(range(n), size):
            yes = np.zeros(n, bool)
            yes[list(S)] = True
            if holds(yes):
                continue
            for i in range(n):
                if yes[i]:
                    continue
                yes[i] = True
                if holds(yes):
                    swings[i] += 1
                    ss[i] += coef
                yes[i] = False
    return swings, ss


def _integer_weights(weight: np.ndarray) -> tuple[np.ndarray, float]:
    scale_w = np.abs(weight).max() if len(weight) else 1.0
    for k in range(7):
        f = 10.0 ** k
        scaled = np.round(weight * f)
        if np.all(np.abs(scaled - weight * f) <= 1e-9 * max(scale_w * f, 1.0)):
            if scaled.sum() > MAX_SCALED_WEIGHT:
                break
            return scaled.astype(np.int64), f
    raise ValueError("power indices: voting weights need at most 6 decimals and a total below "
                     f"{MAX_SCALED_WEIGHT:,} in those units for the generating-function method")


def _counts(weights: np.ndarray, max_w: int) -> np.ndarray:
    """c[k, s] = number of subsets of `weights` with k members and total weight s (float64: exact below 2^53)."""
    c = np.zeros((len(weights) + 1, max_w + 1))
    c[0, 0] = 1.0
    for w in weights:
        if w == 0:
            c[1:, :] += c[:-1, :].copy()
        else:
            c[1:, w:] += c[:-1, :-w].copy() if w <= max_w else 0.0
    return c


def _indices_by_generating_function(weight, veto, funds, rule, threshold, require_all_funders, tol, lead=None,
                                    min_members=1):
    n = len(weight)
    w = np.asarray(weight, float)
    decider = w > 0  # members without voting weight are consulted only: never in a winning test
    if rule == "opt_in":  # joiners are counted, weights ignored: unit weights and a quota of min_members
        iw = decider.astype(np.int64)
        wins = lambda s: np.asarray(s) >= int(min_members)  # noqa: E731
    else:
        iw, f = _integer_weights(w)
        wins = _win_on_weight(float(iw.sum()), rule, threshold, tol * 1.0)
    total = float(iw.sum())
    blocker = decider & (np.asarray(veto, bool) | (np.asarray(funds, bool) & bool(require_all_funders))
                         | (rule == "unanimity"))
    B = np.flatnonzero(blocker)
    wB = int(iw[B].sum())
    W = int(total)
    fact = np.array([float(factorial(k)) for k in range(n + 1)])
    nd = int(decider.sum())
    sums = np.arange(W + 1)
    swings = np.zeros(n)
    ss = np.zeros(n)
    for i in range(n):
        if not decider[i]:
            continue
        free = [j for j in range(n) if decider[j] and not blocker[j] and j != i]
        c = _counts(iw[free], W)  # subsets T of the free members other than i: c[k, s]
        if blocker[i]:
            base = wB - iw[i]  # S = (blockers other than i) ∪ T; without i it loses (i blocks)
            nb = len(B) - 1
        else:
            base = wB  # S = blockers ∪ T
            nb = len(B)
        s_without = base + sums
        ok = s_without + iw[i] <= W
        gain = wins(s_without + iw[i]) & ok
        if not blocker[i]:
            gain &= ~wins(s_without)
        k = np.arange(c.shape[0])
        size = nb + k  # |S| among the deciders (members without weight are null players: they change no
        coef = fact[size] * fact[nd - size - 1] / fact[nd]  # Shapley value, and double every swing count)
        swings[i] = c[:, gain].sum() * 2.0 ** (n - nd)
        ss[i] = (coef[:, None] * c[:, gain]).sum()
    return swings, ss


def power_indices(weight, veto=None, funds=None, rule: str = "majority", threshold: float | None = None,
                  require_all_funders: bool = False, tol: float = 1e-9, method: str = "auto", lead: int | None = None,
                  min_members: int = 1) -> pd.DataFrame:
    """member (position), swings, banzhaf (normalised), shapley_shubik, method — for one board.

    `rule`, `threshold`, vetoes, funders, `lead` (executive) and `min_members` (opt-in) exactly as `rule_holds`.
    method: "auto" (enumeration up to ENUMERATE_UP_TO members, else generating functions), "enumeration" or
    "generating_function".
    """
    w = np.asarray(weight, float)
    n = len(w)
    if n == 0:
        raise ValueError("power indices: a board needs at least one member")
    veto = np.zeros(n, bool) if veto is None else np.asarray(veto, bool)
    funds = np.zeros(n, bool) if funds is None else np.asarray(funds, bool)
    if method == "auto":
        method = "enumeration" if n <= ENUMERATE_UP_TO else "generating_function"
    fn = {"enumeration": _indices_by_enumeration, "generating_function": _indices_by_generating_function}.get(method)
    if fn is None:
        raise ValueError(f"method must be 'auto', 'enumeration' or 'generating_function', not {method!r}")
    if rule == "executive":
        if lead is None or not 0 <= int(lead) < n:
            raise ValueError("power indices: an executive decision needs the deciding body (lead)")
        swings = (np.arange(n) == int(lead)).astype(float)
        ss = swings.copy()
    else:
        swings, ss = fn(w, veto, funds, rule, threshold, require_all_funders, tol, lead, min_members)
    tot = swings.sum()
    return pd.DataFrame({"member": np.arange(n), "swings": swings,
                         "banzhaf": swings / tot if tot > 0 else np.zeros(n),
                         "shapley_shubik": ss, "method": method})


def weighted_game(weights, quota: float, method: str = "auto") -> pd.DataFrame:
    """Indices of the weighted voting game [quota; w1, …, wn] (a coalition wins with weight ≥ quota)."""
    w = np.asarray(weights, float)
    return power_indices(w, rule="qualified_majority", threshold=float(quota) / w.sum(), method=method)


def board_power(inputs) -> pd.DataFrame:
    """vehicle_id, partner_id, voting_weight, veto, funds, swings, banzhaf, shapley_shubik, method — every
    board's members under its rule, after the inputs' declared interventions (a governance change counts)."""
    from .interventions import apply_interventions

    inputs = apply_interventions(inputs)
    g = inputs.governance
    rows = []
    for r in inputs.rules.to_dict(orient="records"):
        vid = str(r["vehicle_id"])
        board = g[g["vehicle_id"].astype(str) == vid]
        weight = board["voting_weight"].astype(float) if "voting_weight" in board else pd.Series(1.0, board.index)
        veto = board["veto"].fillna(False).astype(bool) if "veto" in board else pd.Series(False, board.index)
        funds = board["funds"].fillna(False).astype(bool) if "funds" in board else pd.Series(False, board.index)
        blank = lambda x: x is None or (isinstance(x, float) and np.isnan(x)) or str(x) == ""  # noqa: E731
        req, thr = r.get("require_all_funders"), r.get("threshold")
        lead = None
        if r["rule"] == "executive":
            ids = board["partner_id"].astype(str).tolist()
            lead_id = r.get("lead_partner_id")
            if blank(lead_id):
                voters = [p for p, w in zip(ids, weight) if w > 0]
                lead_id = voters[0] if len(voters) == 1 else None
            if lead_id is None or str(lead_id) not in ids:
                raise ValueError(f"power indices: vehicle {vid!r} decides by executive but names no deciding body "
                                 "on its board")
            lead = ids.index(str(lead_id))
        mm = r.get("min_members")
        idx = power_indices(weight.to_numpy(), veto.to_numpy(), funds.to_numpy(), r["rule"],
                            None if blank(thr) else float(thr), False if blank(req) else bool(req),
                            inputs.params.rule_tolerance, lead=lead, min_members=1 if blank(mm) else int(mm))
        rows.append(pd.DataFrame({"vehicle_id": vid, "partner_id": board["partner_id"].astype(str).to_numpy(),
                                  "voting_weight": weight.to_numpy(), "veto": veto.to_numpy(),
                                  "funds": funds.to_numpy(), "swings": idx["swings"].to_numpy(),
                                  "banzhaf": idx["banzhaf"].to_numpy(),
                                  "shapley_shubik": idx["shapley_shubik"].to_numpy(), "method": idx["method"].to_numpy()}))
    return pd.concat(rows, ignore_index=True)
