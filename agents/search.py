"""The cheapest route to agreement: the least-cost package of interventions that gets each vehicle agreed by
the end of its planned year with probability at least `target_prob`.

A *menu* lists, per vehicle, *elements* (a risk share, side payments to one group of members, early
engagement, a governance change, leaving a partner out), each with mutually exclusive *levels* (level 0 = not
used); a level is a list of interventions. A package picks one level of every element. Its cost is the annual
cost of its interventions (`cost_gbp`, priced on the inputs as they stand), or a level's own `cost_gbp` when
the menu gives one (leaving a partner out: the contribution it no longer makes).

Vehicles interact through the vehicles they require (`dependencies`) and otherwise only through partners'
separate stances and partner-level shocks, so the problem splits by vehicle: each vehicle is searched on its
own model (that vehicle and the ones it requires, over the whole horizon). Every
candidate runs on the same master seed (common random numbers), so two packages differ only by what they
change. Candidates are taken cheapest first (at equal cost, more elements first); the first that reaches the
target is the cheapest, and free elements it does not need are then dropped. A candidate is first run on a
quarter of the runs and abandoned when those failures alone already rule the target out (exact: run k has the
same seed whatever the number of runs). `prune=True` skips a candidate every one of whose levels is at or below those of a candidate that
already failed — exact when more of every element never lowers agreement, which holds for risk shares, side
payments and relaxed rules with a fixed seed but is an assumption for early engagement and leaving partners
out; `prune=False` evaluates candidates in cost order without skipping (the exhaustive check in the tests).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .inputs import BuyInInputs
from .interventions import (EarlyEngagement, GovernanceChange, RiskShare, SidePayment, apply_interventions,
                            intervention_cost_gbp)
from .prepare import default_network, prepare
from .simulate import simulate


@dataclass(frozen=True)
class LeaveOut:
    """The choice of partners: `partner_id` leaves the board of `vehicle_id` (its seat and its money there).
    Its price is set by the menu (by default the annual contribution it no longer makes)."""
    partner_id: str
    vehicle_id: str

    def apply(self, inputs: BuyInInputs) -> BuyInInputs:
        g, pv = inputs.governance, inputs.partner_value
        keep_g = ~((g["partner_id"].astype(str) == self.partner_id) & (g["vehicle_id"].astype(str) == self.vehicle_id))
        keep_v = ~((pv["partner_id"].astype(str) == self.partner_id) & (pv["vehicle_id"].astype(str) == self.vehicle_id))
        if keep_g.all():
            raise ValueError(f"LeaveOut: {self.partner_id!r} has no seat on {self.vehicle_id!r}")
        return inputs.with_(governance=g[keep_g].reset_index(drop=True), partner_value=pv[keep_v].reset_index(drop=True))

    def cost_gbp(self, inputs: BuyInInputs) -> float:
        return 0.0


@dataclass(frozen=True)
class Level:
    label: str
    interventions: tuple
    cost_gbp: float | None = None  # None: priced by the interventions themselves


@dataclass(frozen=True)
class Element:
    vehicle_id: str
    name: str
    levels: tuple[Level, ...]  # level 0 (not used) is implicit


def level_cost(inputs: BuyInInputs, level: Level) -> float:
    return float(level.cost_gbp) if level.cost_gbp is not None else intervention_cost_gbp(inputs, level.interventions)


def deadline_month(inputs: BuyInInputs, vehicle_id: str) -> int:
    """Last month of the vehicle's planned year (live by then = established on time)."""
    planned = int(inputs.planned_month.get(vehicle_id, 0))
    return min(12 * (planned // 12 + 1) - 1, int(inputs.horizon_months) - 1)


def required_closure(inputs: BuyInInputs, vehicles) -> list[str]:
    """The vehicles and every vehicle they require (transitively, through `dependencies`), in input order."""
    need = {str(v) for v in vehicles}
    dep = inputs.dependencies
    if dep is not None and len(dep):
        pairs = list(zip(dep["vehicle_id"].astype(str), dep["requires_vehicle_id"].astype(str)))
        grew = True
        while grew:
            extra = {r for v, r in pairs if v in need} - need
            need |= extra
            grew = bool(extra)
    return [v for v in inputs.vehicle_ids if v in need]


def restrict(inputs: BuyInInputs, vehicles) -> BuyInInputs:
    """The inputs (interventions applied) restricted to `vehicles` and the vehicles they require. The network
    is fixed from the full inputs first and the horizon is kept (partners weigh their money over it), so each
    kept vehicle follows the same rules; the others reach it only through partner-level shocks, which change
    the random numbers, not their distribution."""
    inputs = apply_interventions(inputs)
    if inputs.network is None:
        inputs = inputs.with_(network=default_network(inputs.partners, inputs.governance))
    keep_ids = set(required_closure(inputs, vehicles))

    def keep(df, blank_keeps: bool = False):
        if df is None:
            return None
        vid = df["vehicle_id"]
        mask = vid.astype(str).isin(keep_ids)
        if blank_keeps:
            mask |= vid.isna() | (vid.astype(str) == "")
        return df[mask].reset_index(drop=True)

    planned = inputs.planned_month
    return inputs.with_(rules=keep(inputs.rules), governance=keep(inputs.governance),
                        partner_value=keep(inputs.partner_value), value_profile=keep(inputs.value_profile),
                        evidence=keep(inputs.evidence), decision_dates=keep(inputs.decision_dates, True),
                        dependencies=keep(inputs.dependencies),
                        planned_month={v: int(planned.get(v, 0)) for v in keep_ids})


def on_time(outcomes, vehicle_id: str | None = None):
    """Live by the end of the planned year (established year ≤ planned year), per run: a bool array (for one
    vehicle) or, without `vehicle_id`, P per vehicle as a dict."""
    o = outcomes
    ok = np.floor(o["established_month"].to_numpy(float) / 12) <= np.floor(o["planned_month"].to_numpy(float) / 12)
    if vehicle_id is not None:
        return ok[(o["vehicle_id"] == vehicle_id).to_numpy()]  # NaN (never live) compares False
    return pd.Series(ok, index=o.index).groupby(o["vehicle_id"], sort=False).mean().to_dict()


def draw_blocks(runs: int, seed: int, param_sets=None) -> list[tuple]:
    """(params or None, runs, seed) blocks: all runs on the inputs' parameters, or — with `param_sets` (draws
    from a posterior) — the runs split evenly among them, block d on seed d spawned from the master seed: the
    same split and seeds as `simulate_posterior`, so a search and a posterior simulation share their runs."""
    if not param_sets:
        return [(None, int(runs), int(seed))]
    from .simulate import run_seeds

    D = len(param_sets)
    sizes = [runs // D + (1 if k < runs % D else 0) for k in range(D)]
    return [(prm, size, int(s % 2**63)) for prm, size, s in zip(param_sets, sizes, run_seeds(seed, D)) if size]


def on_time_prob(inputs: BuyInInputs, vehicle_id: str, interventions, runs: int, seed: int,
                 fail_below: float | None = None, param_sets=None, applied: BuyInInputs | None = None
                 ) -> tuple[float, bool]:
    """(P(live by the end of its planned year) with `interventions` added on master `seed`, exact?).

    With `fail_below`, the first quarter of the runs (of each parameter block) is simulated first (run k has
    the same seed whatever the number of runs); when its failures alone already put the full-run probability
    below `fail_below`, that is certain and the rest is skipped: the probability returned is then an upper
    bound (exact = False). With `param_sets`, the runs are split among them (`draw_blocks`). `applied`: the
    vehicle's own model with the interventions already applied (the search's cache), used instead."""
    import dataclasses

    # restricted first, then the candidate's interventions applied to the vehicle's own model: the same inputs as
    # applying them to the whole option and restricting (tested)
    if applied is None:
        applied = apply_interventions(restrict(inputs, [vehicle_id]), interventions)
    alone = prepare(applied)
    blocks = [(alone if prm is None else dataclasses.replace(alone, params=prm), size, s)
              for prm, size, s in draw_blocks(runs, seed, param_sets)]

    def count(quarter: bool) -> tuple[int, int]:
        ok = n = 0
        for model, size, s in blocks:
            k = size // 4 if quarter else size
            if k:
                res = simulate(model, runs=k, seed=s, record_runs=0)
                ok += int(on_time(res.outcomes, vehicle_id).sum())
                n += k
        return ok, n

    if fail_below is not None and runs >= 40:
        ok, first = count(quarter=True)
        if (ok + runs - first) / runs < fail_below:
            return (ok + runs - first) / runs, False
    ok, n = count(quarter=False)
    return ok / n, True


def _members(inputs: BuyInInputs, v: str) -> pd.DataFrame:
    g = inputs.governance[inputs.governance["vehicle_id"].astype(str) == v].copy()
    g["partner_id"] = g["partner_id"].astype(str)
    pv = inputs.partner_value
    pv = pv[pv["vehicle_id"].astype(str) == v].assign(partner_id=lambda d: d["partner_id"].astype(str))
    g = g.merge(pv[["partner_id", "net_benefit_gbp"] + (["cost_share_gbp"] if "cost_share_gbp" in pv else [])],
                on="partner_id", how="left")
    g = g.merge(inputs.partners[["partner_id", "budget_gbp"]].astype({"partner_id": str}), on="partner_id")
    g["net_benefit_gbp"] = g["net_benefit_gbp"].fillna(0.0)
    g["cost_share_gbp"] = g["cost_share_gbp"].fillna(0.0) if "cost_share_gbp" in g else 0.0
    for c in ("veto", "funds"):
        g[c] = g[c].fillna(False).astype(bool) if c in g else False
    g["voting_weight"] = g["voting_weight"].astype(float) if "voting_weight" in g else 1.0
    return g


def default_menu(inputs: BuyInInputs, vehicles=None, top_up_shares=(0.005, 0.01, 0.02),
                 engagement_months=(6, 12), leave_out: int = 2) -> list[Element]:
    """A menu from the inputs alone, per vehicle:

    risk_share      cap every losing member's annual loss at £0 (cost: the losses taken on)
    pay_blockers    side payments topping each veto holder (and funder, when all funders must agree) up to a net
                    benefit of 0.5 / 1 / 2 % of its budget (cost: the payments)
    pay_others      the same for the other voting members
    engagement      engagement 6 or 12 months earlier with every member (unpriced in the model: £0)
    governance      a relaxed rule: unanimity → 75 % → ⅔ qualified majority; drop "all funders must agree";
                    a qualified majority lowered to ⅔ (£0)
    leave_out       the first one or two non-veto members, in board order among those with the smallest net
                    benefit, leave the board (cost: the annual contribution they no longer make)
    """
    inputs = apply_interventions(inputs)
    vehicles = inputs.vehicle_ids if vehicles is None else [str(v) for v in vehicles]
    rules = inputs.rules.assign(vehicle_id=inputs.rules["vehicle_id"].astype(str)).set_index("vehicle_id")
    menu: list[Element] = []
    for v in vehicles:
        m = _members(inputs, v)
        rule = rules.loc[v]
        req = bool(rule.get("require_all_funders", False)) if not pd.isna(rule.get("require_all_funders", False)) else False
        blocker = m["veto"] | (m["funds"] & req) | (rule["rule"] == "unanimity")
        voting = m["voting_weight"] > 0
        losers = m[m["net_benefit_gbp"] < 0]
        if len(losers):
            menu.append(Element(v, "risk_share", (Level("cap losses at £0", (RiskShare(list(losers["partner_id"]), 0.0, v),)),)))
        for name, group in (("pay_blockers", m[blocker]), ("pay_others", m[~blocker & voting])):
            levels = []
            for share in top_up_shares:
                need = np.maximum(share * group["budget_gbp"] - group["net_benefit_gbp"], 0.0)
                pays = tuple(SidePayment(p, float(a), v) for p, a in zip(group["partner_id"], need) if a > 0)
                if pays:
                    levels.append(Level(f"top up to {share:.2%} of budget", pays))
            if levels:
                menu.append(Element(v, name, tuple(levels)))
        if engagement_months:
            menu.append(Element(v, "engagement", tuple(Level(f"{k} months earlier", (EarlyEngagement(k, None, v),))
                                                     for k in engagement_months)))
        gov = []
        if rule["rule"] == "unanimity" and len(m) > 1:
            gov = [Level("75% qualified majority", (GovernanceChange(v, "qualified_majority", 0.75),)),
                   Level("two-thirds qualified majority", (GovernanceChange(v, "qualified_majority", 2 / 3),))]
        elif req and len(m) > 1:
            gov = [Level("funders need not all agree", (GovernanceChange(v, require_all_funders=False),))]
        elif rule["rule"] == "qualified_majority" and float(rule["threshold"]) > 2 / 3 + 1e-9:
            gov = [Level("two-thirds qualified majority", (GovernanceChange(v, "qualified_majority", 2 / 3),))]
        if gov:
            menu.append(Element(v, "governance", tuple(gov)))
        # an opt-in board keeps at least its minimum membership (leaving more out would make the vehicle impossible)
        mm = rule.get("min_members", np.nan) if rule["rule"] == "opt_in" else np.nan
        room = leave_out if pd.isna(mm) else min(leave_out, len(m) - int(mm))
        if room > 0 and len(m) > 2:
            out = m[~m["veto"]].sort_values("net_benefit_gbp", kind="stable").head(room)
            levels, gone = [], []
            for r in out.itertuples(index=False):
                gone.append(r)
                levels.append(Level("leave out " + ", ".join(x.partner_id for x in gone),
                                    tuple(LeaveOut(x.partner_id, v) for x in gone),
                                    cost_gbp=float(sum(x.cost_share_gbp for x in gone))))
            if levels:
                menu.append(Element(v, "leave_out", tuple(levels)))
    return menu


@dataclass
class VehicleRoute:
    vehicle_id: str
    baseline_prob: float
    prob: float
    cost_gbp: float
    choice: dict[str, str]          # element name → level label (used elements only)
    interventions: list
    reached: bool
    evaluated: int
    candidates: int
    buys: dict[str, float] = field(default_factory=dict)  # element → probability lost without it


@dataclass
class Route:
    target_prob: float
    runs: int
    seed: int
    vehicles: list[VehicleRoute]
    seconds: float
    param_draws: int = 0  # parameter sets from a posterior the runs were split among (0: the inputs' parameters)

    @property
    def cost_gbp(self) -> float:
        return float(sum(v.cost_gbp for v in self.vehicles if v.reached))

    @property
    def interventions(self) -> list:
        """The package: the interventions of every vehicle that reaches the target (none for one that cannot)."""
        return [iv for v in self.vehicles if v.reached for iv in v.interventions]

    @property
    def reached(self) -> bool:
        return all(v.reached for v in self.vehicles)

    def table(self) -> pd.DataFrame:
        rows = []
        for v in self.vehicles:
            base = {"vehicle_id": v.vehicle_id, "baseline_prob": v.baseline_prob, "prob": v.prob,
                    "reached": v.reached, "vehicle_cost_gbp": v.cost_gbp}
            if not v.choice:
                rows.append(base | {"element": "", "level": "", "element_cost_gbp": 0.0, "buys_prob": np.nan})
            for name, label in v.choice.items():
                rows.append(base | {"element": name, "level": label, "element_cost_gbp": v.buys.get(name + ":cost", 0.0),
                                    "buys_prob": v.buys.get(name, np.nan)})
        return pd.DataFrame(rows)


def _order(costs: list[list[float]]) -> list[tuple[int, ...]]:
    """Every candidate, cheapest first; at equal cost the one using more elements first (if it fails, the
    smaller equal-cost ones it dominates are pruned)."""
    combos = itertools.product(*[range(len(c)) for c in costs])
    keyed = [(round(sum(c[i] for c, i in zip(costs, combo)), 6), -sum(1 for i in combo if i), combo)
             for combo in combos]
    keyed.sort()
    return [k[2] for k in keyed]


def search_vehicle(inputs: BuyInInputs, vehicle_id: str, elements: list[Element], target_prob: float, runs: int,
                   seed: int, prune: bool = True, max_candidates: int = 20_000, param_sets=None) -> VehicleRoute:
    """The cheapest candidate reaching `target_prob` for one vehicle (see the module notes). Elements of the
    package found that cost nothing and buy nothing are then dropped (one at a time, kept dropped while the
    target still holds), so the package names only what it needs."""
    base_inputs = apply_interventions(inputs)
    costs = [[0.0] + [level_cost(base_inputs, lv) for lv in e.levels] for e in elements]  # priced on the option
    base_inputs = restrict(base_inputs, [vehicle_id])  # simulated on the vehicle's own model
    n_cand = int(np.prod([len(c) for c in costs])) if costs else 1
    if n_cand > max_candidates:
        raise ValueError(f"search: {n_cand} candidate packages for {vehicle_id} exceed max_candidates "
                         f"({max_candidates}); give fewer elements or levels")
    exact: dict[tuple, float] = {}
    bound: dict[tuple, float] = {}

    def package(combo) -> list:
        return [iv for e, i in zip(elements, combo) if i for iv in e.levels[i - 1].interventions]

    prefix_cache: dict[tuple, BuyInInputs] = {(): base_inputs}

    def applied(combo) -> BuyInInputs:
        """The vehicle's model with the candidate's levels applied element by element, in menu order (the order
        of `package`), each prefix cached: most of a candidate's levels were applied for an earlier one (this
        was most of the search's time)."""
        combo = tuple(combo)
        while combo and combo[-1] == 0:
            combo = combo[:-1]
        if combo not in prefix_cache:
            prev, i = applied(combo[:-1]), combo[-1]
            prefix_cache[combo] = apply_interventions(prev, elements[len(combo) - 1].levels[i - 1].interventions) \
                if i else prev
        return prefix_cache[combo]

    def prob(combo) -> float:
        if combo not in exact:
            exact[combo], _ = on_time_prob(base_inputs, vehicle_id, package(combo), runs, seed,
                                           param_sets=param_sets, applied=applied(combo))
        return exact[combo]

    def reaches(combo) -> bool:
        if combo in exact:
            return exact[combo] >= target_prob
        if combo in bound:
            return False
        p, is_exact = on_time_prob(base_inputs, vehicle_id, package(combo), runs, seed, fail_below=target_prob,
                                   param_sets=param_sets, applied=applied(combo))
        (exact if is_exact else bound)[combo] = p
        return is_exact and p >= target_prob

    def cost(combo) -> float:
        return float(sum(c[i] for c, i in zip(costs, combo)))

    def used(combo) -> dict:
        return {e.name: e.levels[i - 1].label for e, i in zip(elements, combo) if i}

    zero = tuple(0 for _ in elements)
    baseline = prob(zero)
    top = tuple(len(c) - 1 for c in costs)
    found = None
    if not prune or reaches(top):  # with pruning, an unreachable vehicle is known after one evaluation
        failed: list[tuple] = []
        for combo in _order(costs):
            if prune and any(all(a <= b for a, b in zip(combo, f)) for f in failed):
                continue
            if reaches(combo):
                found = combo
                break
            failed.append(combo)
    if found is None:
        return VehicleRoute(vehicle_id, baseline, prob(top), cost(top), used(top), package(top), False,
                            len(exact) + len(bound), n_cand)
    for k in range(len(elements)):  # drop free elements that are not needed
        if found[k] and costs[k][found[k]] == 0:
            trial = found[:k] + (0,) + found[k + 1:]
            if reaches(trial):
                found = trial
    p = prob(found)
    buys = {}
    for k, (e, i) in enumerate(zip(elements, found)):
        if i:
            without = found[:k] + (0,) + found[k + 1:]
            buys[e.name] = p - prob(without)  # what this element buys, the rest of the package kept
            buys[e.name + ":cost"] = costs[k][i]
    return VehicleRoute(vehicle_id, baseline, p, cost(found), used(found), package(found), True,
                        len(exact) + len(bound), n_cand, buys)


def cheapest_route(inputs: BuyInInputs, menu: list[Element] | None = None, target_prob: float = 0.8,
                   runs: int = 200, seed: int = 1, vehicles=None, prune: bool = True, param_sets=None) -> Route:
    """Cheapest package per vehicle reaching P(agreed by the end of its planned year) ≥ target_prob. With
    `param_sets` (parameter draws from a posterior), every candidate runs on the same draws and seeds
    (`draw_blocks`): common random numbers that carry parameter uncertainty."""
    if not 0 < target_prob <= 1:
        raise ValueError("search: target_prob must lie in (0, 1]")
    t0 = time.perf_counter()
    vehicles = inputs.vehicle_ids if vehicles is None else [str(v) for v in vehicles]
    unknown = sorted(set(vehicles) - set(inputs.vehicle_ids))
    if unknown:
        raise ValueError(f"search: unknown vehicles {unknown}")
    menu = default_menu(inputs, vehicles) if menu is None else menu
    out = []
    for v in vehicles:
        elements = [e for e in menu if e.vehicle_id == v]
        out.append(search_vehicle(inputs, v, elements, target_prob, runs, seed, prune=prune, param_sets=param_sets))
    return Route(target_prob, runs, seed, out, time.perf_counter() - t0, len(param_sets or ()))
