"""Synthetic national-scale placement instances for benchmarking ``optimise``.

Structure (loosely after English local government): authorities are grouped into regions of 15. Each
authority's services currently sit with its own council (status quo). Regions offer seven delivery
vehicles — unitary council, combined authority, integrated care body, shared front office (with
five candidate sites in each region, two within reach of each authority, at most two may open), shared back office, an arm's-length company and the market
(a concave running-cost curve: economies of scale). Each service type belongs to a family that decides
which vehicle kinds are eligible (two or three per service). Money: a one-off transition cost at
transfer, savings that ramp to a run rate (50 % in the first year after transfer, 100 % after), vehicle
set-up and running costs, site opening and running costs, site capacity in FTE, a few precedence rules
within an authority. Regions are independent unless ``coupled=True`` adds national limits (transfers
per year, cumulative transition funding).

    from studies.synthetic.generate import generate
    problem = generate(2_000, seed=0)          # about 2,000 services, 15 authorities, 1 region
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimise import OptionRules, PlacementProblem

FAMILIES = {  # family -> eligible vehicle kinds
    "care": ["icb", "company", "market"],
    "place": ["combined_authority", "unitary", "market"],
    "customer": ["shared_front_office", "unitary"],
    "back_office": ["shared_back_office", "shared_front_office", "market"],
    "regulatory": ["unitary", "combined_authority"],
}
KINDS = {"unitary": "UNI", "combined_authority": "CA", "icb": "ICB", "shared_front_office": "SFO",
         "shared_back_office": "SBO", "company": "CO", "market": "MKT"}
SETUP_GBP = {"unitary": 4e6, "combined_authority": 2e6, "icb": 1.5e6, "shared_front_office": 1.2e6,
             "shared_back_office": 1.0e6, "company": 0.8e6, "market": 0.3e6}
SAVING_PER_FTE = {"unitary": 2.5e3, "combined_authority": 3.0e3, "icb": 3.5e3, "shared_front_office": 4.0e3,
                  "shared_back_office": 4.5e3, "company": 3.0e3, "market": 5.0e3}
AUTHORITIES_PER_REGION = 15
SITES_PER_REGION = 5
SITES_NEAR = 2  # candidate SFO sites within reach of each authority


def generate(n_services: int, seed: int = 0, *, years: int = 6, services_per_authority: int = 133,
             coupled: bool = False) -> PlacementProblem:
    rng = np.random.default_rng(seed)
    n_auth = max(1, int(round(n_services / services_per_authority)))
    per_auth = np.full(n_auth, n_services // n_auth)
    per_auth[: n_services - per_auth.sum()] += 1
    n_regions = int(np.ceil(n_auth / AUTHORITIES_PER_REGION))
    labels = [f"{2026 + t}/{(27 + t) % 100:02d}" for t in range(years)]
    types = [(f"type{i:03d}", list(FAMILIES)[i % len(FAMILIES)]) for i in range(130)]

    # vehicles and sites --------------------------------------------------------------------------
    veh, vstreams, sites, curves = [], [], [], []
    for a in range(n_auth):
        veh.append((f"SQ-A{a:03d}", "status_quo", 0, np.nan, np.nan, True))
    for r in range(n_regions):
        for kind, code in KINDS.items():
            v = f"{code}-R{r:02d}"
            earliest = int(rng.integers(0, 2)) if kind not in ("unitary",) else 1
            veh.append((v, kind, earliest, np.nan, 2.0 if kind == "shared_front_office" else np.nan, False))
            setup = SETUP_GBP[kind] * rng.uniform(0.7, 1.3)
            vstreams.append((v, 0, 0.0, setup))
            vstreams += [(v, k, 0.0, 0.15 * setup) for k in range(1, years)]
            if kind == "market":
                vmax = 30_000.0 * AUTHORITIES_PER_REGION
                for vol, cost in [(0.0, 1e5), (0.2 * vmax, 1.2e6), (vmax, 3.0e6)]:  # concave: cheaper per unit at scale
                    curves.append((v, vol, cost * rng.uniform(0.9, 1.1)))
        for j in range(SITES_PER_REGION):
            sites.append((f"SFO-R{r:02d}-site{j}", f"SFO-R{r:02d}", float(rng.integers(400, 1200)),
                          float(rng.integers(150, 450) * 1000), float(rng.integers(300, 1500) * 1000), False))

    # services, placements, streams ---------------------------------------------------------------
    svc, pl, ps, prec = [], [], [], []
    near = {}
    for a in range(n_auth):
        r = a // AUTHORITIES_PER_REGION
        ids = []
        near[a] = sorted(rng.choice(SITES_PER_REGION, size=SITES_NEAR, replace=False).tolist())
        for i in range(per_auth[a]):
            tname, fam = types[i % len(types)]
            s = f"A{a:03d}-{i:03d}-{tname}"
            fte = float(np.clip(rng.lognormal(2.5, 0.8), 1, 300).round(1))
            svc.append((s, fte, round(fte * rng.uniform(50, 150)), f"SQ-A{a:03d}", None))
            ids.append(s)
            kinds = FAMILIES[fam]
            kinds = list(rng.choice(kinds, size=min(len(kinds), int(rng.integers(2, 4))), replace=False))
            for kind in kinds:
                v = f"{KINDS[kind]}-R{r:02d}"
                if kind == "shared_front_office":  # only the sites within reach of the authority
                    pl += [(s, v, f"SFO-R{r:02d}-site{j}") for j in near[a]]
                else:
                    pl.append((s, v, None))
                one_off = fte * rng.uniform(6e3, 18e3)
                save = fte * SAVING_PER_FTE[kind] * rng.uniform(0.4, 1.6)
                ps.append((s, v, 0, 0.0, one_off))
                ps.append((s, v, 1, 0.5 * save, 0.0))
                ps += [(s, v, k, save, 0.0) for k in range(2, years)]
        for _ in range(max(1, len(ids) // 20)):  # a few "not before" rules inside an authority
            b, c = rng.choice(len(ids), size=2, replace=False)
            prec.append((ids[b], ids[c], int(rng.integers(0, 2))))

    T = years
    problem = PlacementProblem(
        name=f"synthetic-{n_services}-seed{seed}", years=labels, discount_factor=1 / 1.035 ** np.arange(T),
        services=pd.DataFrame(svc, columns=["service_id", "fte", "volume", "current_vehicle_id", "current_site_id"]),
        vehicles=pd.DataFrame(veh, columns=["vehicle_id", "kind", "earliest_year", "latest_year", "max_sites", "is_status_quo"]),
        placements=pd.DataFrame(pl, columns=["service_id", "vehicle_id", "site_id"]),
        vehicle_streams=pd.DataFrame(vstreams, columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        placement_streams=pd.DataFrame(ps, columns=["service_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        sites=pd.DataFrame(sites, columns=["site_id", "vehicle_id", "capacity_fte", "fixed_cost_gbp_per_year",
                                           "open_cost_gbp", "must_open"]),
        precedence=pd.DataFrame(prec, columns=["before_service_id", "after_service_id", "min_lag_years"]),
        cost_curves=pd.DataFrame(curves, columns=["vehicle_id", "volume", "running_cost_gbp_per_year"]),
        rules=OptionRules(name="synthetic"),
    )
    if coupled:
        problem.max_transfers_per_year = pd.Series([max(1, n_services // 4)] * T)
        problem.funding_cap_cumulative_gbp = 2.5e6 * n_auth
    return problem


def region_of_service(problem: PlacementProblem) -> pd.Series:
    """Block label per service (its region), for decomposition."""
    a = problem.services["service_id"].str.slice(1, 4).astype(int)
    return pd.Series((a // AUTHORITIES_PER_REGION).to_numpy(), index=problem.services["service_id"].to_numpy())
