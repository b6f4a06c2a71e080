"""A second placement-instance generator, built to differ in structure from ``studies/synthetic/generate.py``.

Where the project's own generator gives each authority two private front-office sites with ample
capacity, a single three-point market curve and independent regions, this one stresses what makes
placement MILPs hard (all figures synthetic, seeded, deterministic):

* **tight, overlapping site capacity** — in every region a shared service centre (``SSC``) has six
  candidate sites on a line of authorities; each authority reaches two consecutive sites (so
  neighbours compete for the same site) and the six capacities together hold only ~55 % of the FTE
  that may move there; at most three may open. A care hub (``HUB``) has four sites, each authority
  reaching two, at most two open, capacity ~40 % of its eligible FTE. Services are heavy-tailed in FTE
  (a few big ones fill a site);
* **overlapping eligibilities** — each service may go to two or three vehicles of its family's list
  (six families, seven regional vehicle kinds plus the national one);
* **concave cost curves** — a regional trust and the market have three-point curves
  (``c0 + c1·volume^0.6``: steep economies of scale), the market with a large fixed cost;
* **money spread over years** — the one-off transition cost falls 60 % in the transfer year and 40 % in
  the next; savings ramp 25 % / 75 % / 100 %; vehicles have set-up in two instalments and running costs;
* **national coupling** (``coupled=True``, the default) — a national shared service (``NSS``, no site,
  no curve) open to the transactional and corporate services of every region, and a national
  cumulative transition-funding cap set at ``funding_cap_share`` of the one-off transition cost of
  moving every service to its cheapest option (so the cap binds on any ambitious plan).

    from studies.benchmarks.independent_generator import generate
    problem = generate(2_000, seed=0)       # one region of 2,000 services, NSS and the national cap
    problem = generate(20_000, seed=0)      # ten regions of 2,000, coupled by NSS and the cap
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimise import OptionRules, PlacementProblem

# family -> the vehicle kinds it may move into (each service draws 2 or 3 of them, where there are so many)
FAMILIES = {
    "transactional": ["SSC", "NSS", "MKT", "COOP", "TRUST"],
    "casework": ["SSC", "TRUST", "CA", "COOP"],
    "care": ["HUB", "TRUST", "MKT", "COOP"],
    "infrastructure": ["CA", "MKT", "TRUST", "COOP"],
    "corporate": ["SSC", "NSS", "MKT", "TRUST", "COOP"],
    "regulatory": ["CA", "HUB", "TRUST"],
}
SETUP_GBP = {"SSC": 2.5e6, "HUB": 1.8e6, "TRUST": 1.2e6, "MKT": 0.4e6, "COOP": 0.6e6, "CA": 2.0e6}
SAVING_PER_FTE = {"SSC": 11.0e3, "HUB": 10.0e3, "TRUST": 7.0e3, "MKT": 12.0e3, "COOP": 5.5e3, "CA": 6.5e3, "NSS": 13.0e3}
EARLIEST = {"SSC": 0, "HUB": 1, "TRUST": 0, "MKT": 0, "COOP": 0, "CA": 2, "NSS": 1}
SITES = {"SSC": (6, 2, 3, 0.55), "HUB": (4, 2, 2, 0.40)}  # kind -> (sites, reach per authority, max open, capacity share)
NSS_SETUP_GBP = 9.0e6
AUTHORITIES_PER_REGION = 12


def generate(n_services: int, seed: int = 0, *, years: int = 6, services_per_region: int = 2000,
             coupled: bool = True, funding_cap_share: float = 0.30) -> PlacementProblem:
    rng = np.random.default_rng([seed, 7919])
    n_regions = max(1, int(round(n_services / services_per_region)))
    per_region = np.full(n_regions, n_services // n_regions)
    per_region[: n_services - per_region.sum()] += 1
    T = years
    labels = [f"{2027 + t}/{(28 + t) % 100:02d}" for t in range(T)]
    fams = list(FAMILIES)

    svc, pl, ps, prec, veh, vs, sites, curves = [], [], [], [], [], [], [], []
    one_off_min = []
    for a in range(n_regions * AUTHORITIES_PER_REGION):
        veh.append((f"SQ-{a:03d}", "status_quo", 0, np.nan, np.nan, True))
    if coupled:
        veh.append(("NSS", "national_shared_service", EARLIEST["NSS"], np.nan, np.nan, False))
        vs += [("NSS", 0, 0.0, 0.6 * NSS_SETUP_GBP), ("NSS", 1, 0.0, 0.4 * NSS_SETUP_GBP)]
        vs += [("NSS", k, 0.0, 0.08 * NSS_SETUP_GBP) for k in range(1, T)]
    for r in range(n_regions):
        tag = f"R{r:02d}"
        # services of the region: authorities on a line, heavy-tailed FTE
        n = int(per_region[r])
        auth = np.sort(rng.integers(0, AUTHORITIES_PER_REGION, size=n))
        fte = np.clip(rng.lognormal(2.0, 1.05, size=n), 0.5, 350).round(1)
        fam = rng.integers(0, len(fams), size=n)
        ids = [f"{tag}-A{auth[i]:02d}-{i:04d}" for i in range(n)]
        elig = {}
        for i in range(n):
            kinds = [k for k in FAMILIES[fams[fam[i]]] if coupled or k != "NSS"]
            size = int(min(len(kinds), rng.integers(2, 4)))
            elig[i] = sorted(rng.choice(kinds, size=size, replace=False).tolist())
        # regional vehicles, sites and curves
        for kind in ("SSC", "HUB", "TRUST", "MKT", "COOP", "CA"):
            v = f"{kind}-{tag}"
            k_sites = SITES.get(kind)
            veh.append((v, kind.lower(), EARLIEST[kind], np.nan, float(k_sites[2]) if k_sites else np.nan, False))
            setup = SETUP_GBP[kind] * rng.uniform(0.75, 1.25)
            vs += [(v, 0, 0.0, 0.7 * setup), (v, 1, 0.0, 0.3 * setup)]
            vs += [(v, k, 0.0, 0.10 * setup) for k in range(1, T)]
            if k_sites:
                nsite, _, _, share = k_sites
                eligible_fte = sum(fte[i] for i in range(n) if kind in elig[i])
                w = rng.uniform(0.6, 1.4, size=nsite)
                cap = share * eligible_fte * w / w.sum()
                for j in range(nsite):
                    sites.append((f"{v}-s{j}", v, float(np.round(cap[j], 1)),
                                  float(round(120e3 + 900.0 * cap[j] * rng.uniform(0.8, 1.2), -3)),
                                  float(round(250e3 + 2500.0 * cap[j] * rng.uniform(0.7, 1.3), -3)), False))
            if kind in ("TRUST", "MKT"):
                vmax = float(sum(fte[i] * 80.0 for i in range(n) if kind in elig[i])) or 1.0
                c0, c1 = (1.5e6, 2.2e3) if kind == "MKT" else (0.3e6, 1.6e3)
                c0, c1 = c0 * rng.uniform(0.85, 1.15), c1 * rng.uniform(0.85, 1.15)
                for f in (0.0, 0.25, 1.0):
                    curves.append((v, f * vmax, c0 + c1 * (f * vmax) ** 0.6))
        # placements and money
        for i in range(n):
            s = ids[i]
            svc.append((s, float(fte[i]), float(round(fte[i] * rng.uniform(60, 100))), f"SQ-{r * AUTHORITIES_PER_REGION + auth[i]:03d}", None))
            costs = []
            for kind in elig[i]:
                v = "NSS" if kind == "NSS" else f"{kind}-{tag}"
                if kind in SITES:
                    nsite, reach, _, _ = SITES[kind]
                    first = int(round(auth[i] * (nsite - reach) / max(AUTHORITIES_PER_REGION - 1, 1)))
                    pl += [(s, v, f"{v}-s{j}") for j in range(first, first + reach)]
                else:
                    pl.append((s, v, None))
                one_off = 15e3 + fte[i] * rng.uniform(5e3, 14e3) * (1.3 if kind == "NSS" else 1.0)
                save = fte[i] * SAVING_PER_FTE[kind] * rng.lognormal(0.0, 0.35)
                costs.append(one_off)
                ps += [(s, v, 0, 0.0, 0.6 * one_off), (s, v, 1, 0.25 * save, 0.4 * one_off), (s, v, 2, 0.75 * save, 0.0)]
                ps += [(s, v, k, save, 0.0) for k in range(3, T)]
            one_off_min.append(min(costs))
        for _ in range(max(1, n // 40)):  # "not before": an authority's upstream service first
            b, c = rng.choice(n, size=2, replace=False)
            if auth[b] == auth[c]:
                prec.append((ids[b], ids[c], int(rng.integers(0, 2))))

    problem = PlacementProblem(
        name=f"independent-{n_services}-seed{seed}{'' if coupled else '-uncoupled'}", years=labels,
        discount_factor=1 / 1.035 ** np.arange(T),
        services=pd.DataFrame(svc, columns=["service_id", "fte", "volume", "current_vehicle_id", "current_site_id"]),
        vehicles=pd.DataFrame(veh, columns=["vehicle_id", "kind", "earliest_year", "latest_year", "max_sites", "is_status_quo"]),
        placements=pd.DataFrame(pl, columns=["service_id", "vehicle_id", "site_id"]),
        vehicle_streams=pd.DataFrame(vs, columns=["vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        placement_streams=pd.DataFrame(ps, columns=["service_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp"]),
        sites=pd.DataFrame(sites, columns=["site_id", "vehicle_id", "capacity_fte", "fixed_cost_gbp_per_year",
                                           "open_cost_gbp", "must_open"]),
        precedence=pd.DataFrame(prec, columns=["before_service_id", "after_service_id", "min_lag_years"]),
        cost_curves=pd.DataFrame(curves, columns=["vehicle_id", "volume", "running_cost_gbp_per_year"]),
        rules=OptionRules(name="independent"),
    )
    if coupled:
        problem.funding_cap_cumulative_gbp = float(round(funding_cap_share * sum(one_off_min), -3))
    return problem


def region_of_service(problem: PlacementProblem) -> pd.Series:
    """Region label per service (the ``R00`` prefix of its id)."""
    ids = problem.services["service_id"]
    return pd.Series(ids.str.slice(0, 3).to_numpy(), index=ids.to_numpy())
