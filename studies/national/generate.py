#!/usr/bin/env python
"""Write a synthetic national-scale reformkit STUDY FOLDER (study.yaml + CSV tables in the study schema).

Where ``studies/synthetic/generate.py`` makes optimiser-level ``PlacementProblem`` instances, this script
makes a whole study that ``reformkit validate / appraise / optimise / run`` read like any other: services,
vehicles, sites, partners and governance, placements, vehicle benefits and costs, limits, precedence,
options and their rules, value drivers and uncertainties. It reuses that generator's structural ideas
(service families decide the eligible vehicle kinds, regional vehicles, a few candidate sites within
reach of each authority, a concave market cost curve, savings that ramp after transfer, a few precedence
rules inside an authority) and adds what a study needs on top.

Structure (loosely after English local government, every figure synthetic):

* Authorities (upper-tier councils) with log-normal populations (median 300,000, 40,000 to 1.6 million),
  grouped into regions (England's nine names, up to 17 authorities each) and, inside a region, into
  health-and-care footprints of about 3.5 authorities (ICS-like).
* Each authority delivers the same M service types (a 130-type catalogue in eight families, taken
  round-robin across families); staff, volume and baseline cost scale with population, with a unit-cost
  premium for small authorities (economies of scale).
* Eight vehicle kinds: today's council per authority (status_quo); per footprint a reorganised unitary
  council (council) and an integrated care body (integrated_care); per region a combined authority, a
  shared front office and a shared back office (shared_service, with candidate sites and max_sites), a
  public-private joint venture (joint_venture), an arm's-length company (other) and a procurement
  framework (market, with a concave running-cost curve).
* Money: transfer savings are a kind-specific share of the service's baseline cost, larger for small
  authorities joining pooled vehicles; transition costs per FTE plus a fixed programme cost; vehicle
  set-up (capital and programme) grows with the number of members to the power 0.6; running costs and
  system benefits tied to vehicles; sites with opening and running costs and an FTE capacity.
* Four options: do minimum, regional shared services, integrated care everywhere (core adult social care
  forced into the ICBs), commissioning councils (no council delivers directly). Each option's intended
  mapping is costed in benefit/cost lines marked ``in_placements`` (the option's own financial case);
  a plan replaces them with the placements' money.
* Limits: transfers a year and yearly/cumulative transition funding caps, set at 125% of what a simple
  feasible plan needs (so every option stays feasible while the caps can bind on the optimiser).

Deterministic for a seed: the same arguments give byte-identical files.

    .venv/bin/python studies/national/generate.py --authorities 150 --services-per-authority 130 --out /tmp/national
    .venv/bin/reformkit validate /tmp/national
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import time
from pathlib import Path

import numpy as np

REGION_NAMES = ["North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
                "East of England", "London", "South East", "South West"]

# family -> (service types); the order of families is the round-robin order when M < 130
CATALOGUE: dict[str, list[tuple[str, str]]] = {
    "customer": [
        ("contact_centre", "Customer contact centre"), ("council_tax", "Council tax collection"),
        ("business_rates", "Business rates"), ("housing_benefit", "Housing benefit administration"),
        ("ct_support", "Council tax support"), ("blue_badges", "Blue badges"), ("registrars", "Registration service"),
        ("web_services", "Customer web services"), ("complaints", "Complaints"), ("foi", "Information requests"),
        ("welfare_rights", "Welfare rights advice"), ("welfare_assist", "Local welfare assistance"),
        ("parking_permits", "Parking permits"), ("school_meals_pay", "School meal payments")],
    "back_office": [
        ("payroll", "Payroll"), ("hr_advisory", "HR advisory"), ("recruitment", "Recruitment"),
        ("learning_dev", "Learning and development"), ("accounts_payable", "Accounts payable"),
        ("accounts_receivable", "Accounts receivable"), ("fin_accounting", "Financial accounting"),
        ("treasury", "Treasury management"), ("internal_audit", "Internal audit"), ("procurement", "Procurement"),
        ("insurance", "Insurance"), ("ict_desk", "ICT service desk"), ("ict_infra", "ICT infrastructure"),
        ("app_support", "Application support"), ("legal", "Legal services"), ("democratic", "Democratic services"),
        ("print_post", "Print and post"), ("facilities", "Facilities management"), ("estates", "Estates management"),
        ("health_safety", "Health and safety")],
    "adult_care": [
        ("home_care", "Home care"), ("residential_care", "Residential care"), ("nursing_care", "Nursing care"),
        ("reablement", "Reablement"), ("day_services", "Day services"), ("supported_living", "Supported living"),
        ("direct_payments", "Direct payments"), ("carers", "Carers support"), ("safeguarding_adults", "Adult safeguarding"),
        ("occ_therapy", "Occupational therapy"), ("equipment", "Equipment and adaptations"),
        ("ld_support", "Learning disability support"), ("mh_social_work", "Mental health social work"),
        ("discharge", "Hospital discharge team"), ("telecare", "Telecare"), ("extra_care", "Extra care housing"),
        ("shared_lives", "Shared lives"), ("adult_front_door", "Adult social care front door"),
        ("fin_assessments", "Financial assessments"), ("dols", "Deprivation of liberty safeguards")],
    "children": [
        ("childrens_sw", "Children's social work"), ("fostering", "Fostering"), ("adoption", "Adoption"),
        ("childrens_homes", "Children's homes"), ("send_assess", "SEND assessment"), ("send_transport", "SEND transport"),
        ("early_help", "Early help"), ("youth_services", "Youth services"), ("childrens_centres", "Children's centres"),
        ("youth_justice", "Youth justice"), ("care_leavers", "Care leavers"), ("mash", "Multi-agency safeguarding hub"),
        ("ed_psych", "Educational psychology"), ("admissions", "School admissions"), ("virtual_school", "Virtual school"),
        ("short_breaks", "Short breaks")],
    "place": [
        ("highways", "Highways maintenance"), ("street_lighting", "Street lighting"), ("gritting", "Winter gritting"),
        ("traffic", "Traffic management"), ("parking", "Parking enforcement"), ("bus_support", "Public transport support"),
        ("conc_fares", "Concessionary fares"), ("waste_disposal", "Waste disposal"), ("hwrc", "Household recycling centres"),
        ("waste_collection", "Waste collection"), ("street_cleansing", "Street cleansing"), ("flood_risk", "Flood risk"),
        ("planning", "Planning applications"), ("building_control", "Building control"),
        ("econ_dev", "Economic development"), ("skills", "Skills and employment"), ("housing_strategy", "Housing strategy"),
        ("homelessness", "Homelessness"), ("housing_standards", "Housing standards"), ("regeneration", "Regeneration")],
    "public_health": [
        ("sexual_health", "Sexual health"), ("substance_misuse", "Substance misuse"), ("health_visiting", "Health visiting"),
        ("school_nursing", "School nursing"), ("stop_smoking", "Stop smoking"), ("health_checks", "NHS health checks"),
        ("weight_mgmt", "Weight management"), ("public_mh", "Public mental health"),
        ("health_protection", "Health protection"), ("oral_health", "Oral health")],
    "regulatory": [
        ("trading_standards", "Trading standards"), ("env_health", "Environmental health"), ("food_safety", "Food safety"),
        ("licensing", "Licensing"), ("pest_control", "Pest control"), ("noise", "Noise nuisance"),
        ("air_quality", "Air quality"), ("animal_welfare", "Animal welfare"), ("coroners", "Coroners"),
        ("emergency_planning", "Emergency planning"), ("community_safety", "Community safety"),
        ("asb", "Anti-social behaviour"), ("psh_enforcement", "Private sector housing enforcement"),
        ("scientific", "Scientific services")],
    "community": [
        ("libraries", "Libraries"), ("archives", "Archives"), ("museums", "Museums"), ("leisure", "Leisure centres"),
        ("parks", "Parks and open spaces"), ("sports_dev", "Sports development"), ("arts", "Arts and culture"),
        ("allotments", "Allotments"), ("bereavement", "Bereavement services"), ("tourism", "Tourism"),
        ("adult_learning", "Adult learning"), ("community_centres", "Community centres"),
        ("countryside", "Countryside and rights of way"), ("markets", "Markets"), ("events", "Events"),
        ("play", "Youth and play")],
}

# family: FTE per 100,000 residents per service type, non-pay spend as a multiple of pay, volume per FTE a
# year, and the vehicle roles it may move into (the first is always eligible: no site, no curve, not the council)
FAMILY = {
    "customer": dict(fte=8.0, nonpay=0.3, volume=6000, roles=["JV", "SFO", "UA"], area="Customer services"),
    "back_office": dict(fte=6.0, nonpay=0.5, volume=3000, roles=["JV", "SBO", "MKT"], area="Professional and support services"),
    "adult_care": dict(fte=18.0, nonpay=3.0, volume=40, roles=["ICB", "CO", "MKT", "UA"], area="Adult social care"),
    "children": dict(fte=14.0, nonpay=1.5, volume=30, roles=["ICB", "UA", "CO", "MKT"], area="Children's services"),
    "place": dict(fte=10.0, nonpay=2.0, volume=1500, roles=["CA", "UA", "MKT", "JV"], area="Place"),
    "public_health": dict(fte=4.0, nonpay=4.0, volume=600, roles=["ICB", "CA", "MKT"], area="Public health"),
    "regulatory": dict(fte=4.0, nonpay=0.3, volume=400, roles=["CA", "UA"], area="Regulatory services"),
    "community": dict(fte=6.0, nonpay=0.8, volume=8000, roles=["CO", "MKT", "UA"], area="Community services"),
}
PAY_PER_FTE = 46_000.0  # £ a year including on-costs
REFERENCE_POP = 300_000

# vehicle role: schema kind, level (footprint or region), earliest year index (also the planned year),
# set-up capital £ for one member, transfer saving as a share of baseline cost, transition £ per FTE,
# benefit ramp, running-cost change as a share of baseline, name template
ROLE = {
    "UA": dict(kind="council", level="footprint", earliest=2, setup=3.0e6, saving=0.06, per_fte=5_000, ramp=[0.3, 0.8, 1],
               run=0.0, name="{place} reorganised unitary council"),
    "ICB": dict(kind="integrated_care", level="footprint", earliest=1, setup=1.0e6, saving=0.05, per_fte=8_000,
                ramp=[0.25, 0.6, 1], run=0.0, name="{place} integrated care body (delegated council services)"),
    "CA": dict(kind="combined_authority", level="region", earliest=None, setup=0.8e6, saving=0.04, per_fte=4_000,
               ramp=[0.5, 1], run=0.0, name="{place} combined authority"),
    "SFO": dict(kind="shared_service", level="region", earliest=1, setup=1.5e6, saving=0.18, per_fte=6_000,
                ramp=[0.5, 1], run=0.0, name="{place} shared front office"),
    "SBO": dict(kind="shared_service", level="region", earliest=1, setup=2.0e6, saving=0.20, per_fte=7_000,
                ramp=[0.4, 1], run=0.0, name="{place} shared back office"),
    "JV": dict(kind="joint_venture", level="region", earliest=1, setup=1.0e6, saving=0.10, per_fte=9_000,
               ramp=[0.5, 1], run=0.03, name="{place} public-private joint venture"),
    "CO": dict(kind="other", level="region", earliest=1, setup=0.6e6, saving=0.06, per_fte=5_000, ramp=[0.5, 1],
               run=0.0, name="{place} arm's-length company (care and community)"),
    "MKT": dict(kind="market", level="region", earliest=1, setup=0.3e6, saving=0.08, per_fte=10_000, ramp=[0.75, 1],
                run=0.0, name="{place} procurement framework (market)"),
}
POOLED = {"UA", "ICB", "CA", "SFO", "SBO", "JV", "CO"}  # small members gain more by pooling
SITES = {"SFO": (4, 2, 0.4), "SBO": (2, 1, 0.6)}  # role -> (candidate sites per region, max_sites, capacity share)
SFO_NEAR = 2  # front-office sites within reach of each authority
FIXED_TRANSITION = 40_000.0  # £ programme cost of any transfer

KINDS = ["council", "integrated_care", "combined_authority", "shared_service", "market", "joint_venture", "other"]
OPTIONS = [  # id, name, description, roles allowed, forbidden kinds, preference order of the intended mapping
    ("do_minimum", "Do minimum", "Every service stays with its council", [], KINDS, []),
    ("shared_services", "Regional shared services",
     "Front and back office shared across each region; joint ventures and the market for the rest",
     ["SFO", "SBO", "JV", "MKT"], ["council", "integrated_care", "combined_authority", "other"],
     ["SFO", "SBO", "JV", "MKT"]),
    ("integrated_care", "Integrated care everywhere",
     "Care and health services into integrated care bodies (core adult social care must move), place into "
     "combined authorities, reorganised unitary councils, shared offices and arm's-length companies",
     ["ICB", "CA", "UA", "CO", "SFO", "SBO"], ["market", "joint_venture"], ["ICB", "CA", "SFO", "SBO", "CO", "UA"]),
    ("commissioning_council", "Commissioning councils",
     "No council delivers directly: every service moves to a commissioned vehicle",
     ["ICB", "CA", "CO", "SFO", "SBO", "JV", "MKT"], ["status_quo", "council"],
     ["MKT", "JV", "ICB", "CA", "CO", "SFO", "SBO"]),
]
FORCED_TYPES = ["home_care", "residential_care", "nursing_care", "reablement"]  # integrated_care option: must join the ICB
PRECEDENCE = [  # (before type, after type, min lag years) inside an authority
    ("contact_centre", "council_tax", 0), ("payroll", "hr_advisory", 1), ("contact_centre", "blue_badges", 0),
    ("council_tax", "business_rates", 0), ("ict_desk", "app_support", 0), ("accounts_payable", "procurement", 1),
    ("adult_front_door", "fin_assessments", 0), ("highways", "street_lighting", 0)]
DRIVER_RAG = {  # judgement drivers: option -> RAG
    "integration": {"do_minimum": "Red", "shared_services": "Amber", "integrated_care": "Green", "commissioning_council": "Amber"},
    "deliverability": {"do_minimum": "Green", "shared_services": "Amber", "integrated_care": "Amber", "commissioning_council": "Red"},
    "accountability": {"do_minimum": "Green", "shared_services": "Green", "integrated_care": "Amber", "commissioning_council": "Red"},
}
DOUBLE_COUNTING_PCT = 5.0
OPTIMISM_BIAS_CAPEX_PCT = 24.0  # Mott MacDonald standard buildings, capex, upper bound (as study.yaml names it)


def fy(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def money(x: float) -> str:
    return str(int(round(x)))


def num(x: float, dp: int = 1) -> str:
    text = f"{x:.{dp}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def ramp_text(r: list[float]) -> str:
    return ";".join(num(v, 2) for v in r)


def ramp_at(r: list[float], k: int) -> float:
    return r[k] if k < len(r) else r[-1]


class Table:
    def __init__(self, columns: list[str]):
        self.columns = columns + ["source"]
        self.rows: list[list[str]] = []

    def add(self, source: str, **values) -> None:
        unknown = set(values) - set(self.columns)
        assert not unknown, unknown
        self.rows.append(["" if values.get(c) is None else str(values[c]) for c in self.columns[:-1]]
                         + [f"synthetic: {source}"])

    def text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()


def default_regions(n_auth: int) -> int:
    return min(9, max(1 if n_auth < 4 else 2, math.ceil(n_auth / 17)))


def generate(authorities: int, services_per_authority: int, years: int = 6, seed: int = 0, start: int = 2026,
             regions: int | None = None, cost_curves: bool = True) -> dict[str, str]:
    """The study's files as {file name: text}."""
    if authorities < 1 or services_per_authority < 1 or years < 2:
        raise ValueError("need at least 1 authority, 1 service per authority and 2 years")
    rng = np.random.default_rng(seed)
    T = years
    labels = [fy(start + t) for t in range(T)]
    last = T - 1
    n_regions = regions or default_regions(authorities)
    n_regions = max(1, min(n_regions, authorities))

    # ---------------------------------------------------------------- geography and population
    pop = np.clip(np.round(rng.lognormal(math.log(REFERENCE_POP), 0.6, authorities), -1), 40_000, 1_600_000)
    order = rng.permutation(authorities)
    region_of = np.empty(authorities, dtype=int)
    for r, chunk in enumerate(np.array_split(order, n_regions)):
        region_of[chunk] = r
    auth = [f"A{a + 1:03d}" for a in range(authorities)]
    region_ids = [f"R{r + 1}" for r in range(n_regions)]
    region_name = [REGION_NAMES[r] if r < len(REGION_NAMES) else f"Region {r + 1}" for r in range(n_regions)]
    members_of_region = {r: sorted(np.flatnonzero(region_of == r).tolist()) for r in range(n_regions)}
    footprints: list[list[int]] = []
    footprint_region: list[int] = []
    for r in range(n_regions):
        mem = members_of_region[r]
        k = max(1, round(len(mem) / 3.5))
        for chunk in np.array_split(np.array(mem), k):
            footprints.append(sorted(chunk.tolist()))
            footprint_region.append(r)
    fp_ids = [f"F{f + 1:02d}" for f in range(len(footprints))]
    footprint_of = {a: f for f, mem in enumerate(footprints) for a in mem}
    auth_name = {}
    for r in range(n_regions):
        for i, a in enumerate(members_of_region[r]):
            kind = "county" if pop[a] >= 550_000 else "unitary"
            auth_name[a] = f"{region_name[r]} {kind} council {i + 1}"

    # ---------------------------------------------------------------- service catalogue
    families = list(CATALOGUE)
    round_robin = []
    for i in range(max(len(v) for v in CATALOGUE.values())):
        for fam in families:
            if i < len(CATALOGUE[fam]):
                round_robin.append((fam, *CATALOGUE[fam][i]))
    types = [(fam, code if rep == 0 else f"{code}{rep + 1}", name if rep == 0 else f"{name} ({rep + 1})")
             for rep in range(math.ceil(services_per_authority / len(round_robin)))
             for fam, code, name in round_robin][:services_per_authority]
    type_size = {code: float(np.round(rng.lognormal(0, 0.5), 3)) for _, code, _ in types}

    # ---------------------------------------------------------------- vehicles
    vehicles = Table(["vehicle_id", "name", "kind", "earliest_year", "planned_year", "max_sites", "governance_rule",
                      "threshold_pct", "require_all_funders", "notes"])
    veh = {}  # vehicle_id -> dict(role, members (authority idx), earliest)
    for a in range(authorities):
        vehicles.add("today's council provision of each authority", vehicle_id=f"{auth[a]}-SQ",
                     name=f"{auth_name[a]}: services today", kind="status_quo", governance_rule="lead_partner",
                     require_all_funders="no")
    role_vehicle: dict[tuple[str, int], str] = {}  # (role, authority) -> vehicle_id
    ca_existing = rng.random(n_regions) < 0.5

    def add_vehicle(role: str, place_id: str, place: str, members: list[int], region: int) -> None:
        spec = ROLE[role]
        if role == "CA":
            earliest = 0 if ca_existing[region] else 2
            why = ("half the regions have a combined authority today (earliest = first year), the others need a new "
                   "devolution deal (earliest = third year); planned = earliest")
        else:
            earliest = spec["earliest"]
            why = f"earliest = planned = year {earliest + 1} of the plan for every {spec['kind']} vehicle"
        earliest = min(earliest, last)
        vid = f"{place_id}-{role}"
        sites = SITES.get(role)
        if role in ("UA", "ICB"):
            rule, threshold, why_gov = (("qualified_majority", "75", "75% of population-weighted votes") if role == "UA"
                                        else ("majority", None, "simple majority, NHS partner holds a veto"))
        elif role == "CA":
            rule, threshold, why_gov = "qualified_majority", "66.7", "two thirds of members, one vote each"
        elif role in ("SFO", "SBO"):
            rule, threshold, why_gov = "qualified_majority", "60", "60% of population-weighted votes"
        else:
            rule, threshold, why_gov = "lead_partner", None, "the region's largest council leads"
        vehicles.add(f"{why}; governance {why_gov}" + (f"; at most {sites[1]} of {sites[0]} sites" if sites else ""),
                     vehicle_id=vid, name=spec["name"].format(place=place), kind=spec["kind"],
                     earliest_year=labels[earliest], planned_year=labels[earliest],
                     max_sites=sites[1] if sites else None, governance_rule=rule, threshold_pct=threshold,
                     require_all_funders="no")
        veh[vid] = dict(role=role, members=members, earliest=earliest, region=region)
        for a in members:
            role_vehicle[(role, a)] = vid

    for f, mem in enumerate(footprints):
        place = f"{region_name[footprint_region[f]]} footprint {fp_ids[f]}"
        if len(mem) >= 2:  # a single authority has nothing to reorganise with
            add_vehicle("UA", fp_ids[f], place, mem, footprint_region[f])
        add_vehicle("ICB", fp_ids[f], place, mem, footprint_region[f])
    for r in range(n_regions):
        for role in ("CA", "SFO", "SBO", "JV", "CO", "MKT"):
            add_vehicle(role, region_ids[r], region_name[r], members_of_region[r], r)

    # ---------------------------------------------------------------- services and their eligibility
    services = Table(["service_id", "name", "service_area", "current_provider", "current_vehicle_id", "baseline_cost_gbp",
                      "fte", "volume"])
    svc = []  # dict per service
    for a in range(authorities):
        scale = pop[a] / 100_000
        unit_cost = (pop[a] / REFERENCE_POP) ** -0.08
        for fam, code, name in types:
            spec = FAMILY[fam]
            fte = max(0.5, round(float(spec["fte"] * type_size[code] * scale * rng.lognormal(0, 0.3)), 1))
            volume = round(fte * spec["volume"] * float(rng.uniform(0.7, 1.3)))
            baseline = round(fte * PAY_PER_FTE * (1 + spec["nonpay"]) * unit_cost, -3)
            roles = [r for r in spec["roles"] if (r, a) in role_vehicle]
            anchor, others = roles[0], roles[1:]
            extra = int(rng.integers(1, 3)) if others else 0
            picked = [anchor] + [others[i] for i in sorted(rng.choice(len(others), size=min(extra, len(others)),
                                                                      replace=False).tolist())] if others else [anchor]
            sid = f"{auth[a]}-{code}"
            svc.append(dict(id=sid, a=a, fam=fam, code=code, fte=fte, volume=volume, baseline=baseline, roles=picked))
            services.add("fte = family FTE/100k × type size × population × LN(0, 0.3); volume = fte × family "
                         "rate × U(0.7, 1.3); baseline = fte × £46k × (1 + non-pay) × (pop/300k)^-0.08",
                         service_id=sid, name=f"{name} ({auth_name[a]})", service_area=spec["area"],
                         current_provider=auth[a].lower(), current_vehicle_id=f"{auth[a]}-SQ",
                         baseline_cost_gbp=money(baseline), fte=num(fte), volume=volume)

    # ---------------------------------------------------------------- sites
    sites = Table(["site_id", "name", "vehicle_id", "capacity_fte", "existing", "must_open"])
    site_money: list[tuple] = []  # (site, vehicle, running £ a year, refit £): cost lines with trigger site
    near: dict[tuple[str, int], list[str]] = {}
    for r in range(n_regions):
        for role, (count, _, share) in SITES.items():
            vid = f"{region_ids[r]}-{role}"
            fam = "customer" if role == "SFO" else "back_office"
            demand = sum(s["fte"] for s in svc if region_of[s["a"]] == r and s["fam"] == fam)
            ids = []
            for j in range(count):
                cap = max(10.0, round(share * demand * float(rng.uniform(0.8, 1.2))))
                site_id = f"{vid}-site{j + 1}"
                ids.append(site_id)
                sites.add(f"capacity = {share:.0%} of the region's {fam.replace('_', ' ')} FTE × U(0.8, 1.2)",
                          site_id=site_id, name=f"{region_name[r]} {'front' if role == 'SFO' else 'back'} office site {j + 1}",
                          vehicle_id=vid, capacity_fte=num(cap, 0), existing="yes", must_open="no")
                site_money.append((site_id, vid, 150_000 + 1_000 * cap, (100_000 + 3_000 * cap) * rng.uniform(0.7, 1.3)))
            for a in members_of_region[r]:
                near[(role, a)] = ids if role != "SFO" else sorted(
                    rng.choice(ids, size=min(SFO_NEAR, len(ids)), replace=False).tolist())

    # ---------------------------------------------------------------- placements (service -> vehicle money)
    placements = Table(["service_id", "vehicle_id", "site_id"])
    transfers_money: list[tuple] = []  # (service, vehicle, rule, benefit, ramp, transition, running): service lines
    money_of: dict[tuple[str, str], tuple[float, float, float]] = {}
    for s in svc:
        for role in s["roles"]:
            spec = ROLE[role]
            vid = role_vehicle[(role, s["a"])]
            gain = float(np.clip((REFERENCE_POP / pop[s["a"]]) ** 0.25, 0.75, 1.4)) if role in POOLED else 1.0
            benefit = round(spec["saving"] * s["baseline"] * gain * float(rng.lognormal(0, 0.3)), -2)
            transition = round(FIXED_TRANSITION + spec["per_fte"] * s["fte"] * float(rng.uniform(0.8, 1.2)), -2)
            running = round(spec["run"] * s["baseline"], -2)
            money_of[(s["id"], vid)] = (benefit, transition, running)
            rule = (f"saving {spec['saving']:.0%} of baseline" + (" × (300k/pop)^0.25 in [0.75, 1.4]" if role in POOLED else "")
                    + f" × LN(0, 0.3); transition £40k + £{spec['per_fte'] / 1000:g}k/FTE × U(0.8, 1.2)"
                    + (f"; running +{spec['run']:.0%} of baseline" if spec["run"] else ""))
            transfers_money.append((s["id"], vid, auth[s["a"]].lower(), rule, benefit, spec["ramp"], transition, running))
            for site in (near[(role, s["a"])] if role in SITES else [None]):
                placements.add("eligible" + (": a row per site in reach" if site else ""),
                               service_id=s["id"], vehicle_id=vid, site_id=site)

    # ---------------------------------------------------------------- partners, governance, allocations
    partners = Table(["partner_id", "name", "type", "budget_gbp", "financial_pressure", "risk_appetite",
                      "board_meeting_interval_months", "election_month"])
    for a in range(authorities):
        partners.add("budget = population × U(£950, £1,250) a head; pressure ~ beta(5, 3); appetite ~ U(0.3, 0.7); "
                     "elections in May of one of the next four years",
                     partner_id=auth[a].lower(), name=auth_name[a],
                     type="county_council" if pop[a] >= 550_000 else "unitary_council",
                     budget_gbp=money(round(pop[a] * rng.uniform(950, 1250), -5)),
                     financial_pressure=num(float(rng.beta(5, 3)), 2), risk_appetite=num(float(rng.uniform(0.3, 0.7)), 2),
                     board_meeting_interval_months=1, election_month=f"{start + 1 + int(rng.integers(0, 4))}-05")
    nhs_types = [("nhs", "ccg", "NHS integrated care board", 1900, 2), ("acute", "acute_trust", "acute hospitals trust", 900, 2),
                 ("community", "community_trust", "community health trust", 250, 2),
                 ("police", "police", "police and crime commissioner", 230, 3), ("fire", "fire", "fire and rescue authority", 45, 3)]
    for f, mem in enumerate(footprints):
        fp_pop = float(pop[mem].sum())
        for suffix, ptype, label, per_head, interval in nhs_types:
            partners.add(f"footprint partner; budget = footprint population × £{per_head:,} a head × U(0.9, 1.1)",
                         partner_id=f"{fp_ids[f].lower()}-{suffix}", name=f"{fp_ids[f]} {label}", type=ptype,
                         budget_gbp=money(round(fp_pop * per_head * rng.uniform(0.9, 1.1), -5)),
                         financial_pressure=num(float(rng.uniform(0.4, 0.9)), 2),
                         risk_appetite=num(float(rng.uniform(0.2, 0.6)), 2), board_meeting_interval_months=interval,
                         election_month=f"{start + 2}-05" if suffix == "police" else None)
    for r in range(n_regions):
        r_pop = float(pop[members_of_region[r]].sum())
        partners.add("regional partner; budget = region population × £60 a head; mayoral election in the third year",
                     partner_id=f"{region_ids[r].lower()}-cauth", name=f"{region_name[r]} combined authority (body)",
                     type="combined_authority", budget_gbp=money(round(r_pop * 60, -5)), financial_pressure="0.5",
                     risk_appetite="0.6", board_meeting_interval_months=1, election_month=f"{start + 2}-05")
        partners.add("regional partner; budget = region population × £4 a head",
                     partner_id=f"{region_ids[r].lower()}-vcs", name=f"{region_name[r]} voluntary sector alliance",
                     type="voluntary_sector", budget_gbp=money(round(r_pop * 4, -5)), financial_pressure="0.7",
                     risk_appetite="0.5", board_meeting_interval_months=3)

    governance = Table(["vehicle_id", "partner_id", "voting_weight", "veto", "funds"])
    allocations = Table(["allocation_id", "recipient_id", "weight", "basis"])
    for a in range(authorities):
        governance.add("today's provider decides alone", vehicle_id=f"{auth[a]}-SQ", partner_id=auth[a].lower(),
                       voting_weight=1, veto="yes", funds="yes")
    for vid, v in veh.items():
        role, mem, r = v["role"], v["members"], v["region"]
        share = pop[mem] / pop[mem].sum()
        lead = mem[int(np.argmax(pop[mem]))]
        if role in ("UA", "SFO", "SBO"):
            for a, w in zip(mem, share):
                governance.add("member councils vote by population share and fund", vehicle_id=vid,
                               partner_id=auth[a].lower(), voting_weight=num(100 * w, 2), veto="no", funds="yes")
        elif role == "ICB":
            fp = fp_ids[footprint_of[mem[0]]].lower()
            for a, w in zip(mem, share):
                governance.add("councils hold half the votes by population share and fund", vehicle_id=vid,
                               partner_id=auth[a].lower(), voting_weight=num(50 * w, 2), veto="no", funds="yes")
            governance.add("the NHS board holds 40 votes, a veto, and funds", vehicle_id=vid, partner_id=f"{fp}-nhs",
                           voting_weight=40, veto="yes", funds="yes")
            for suffix in ("acute", "community"):
                governance.add("providers hold 5 votes each and do not fund", vehicle_id=vid, partner_id=f"{fp}-{suffix}",
                               voting_weight=5, veto="no", funds="no")
        elif role == "CA":
            for a in mem:
                governance.add("constituent councils: one vote each, fund", vehicle_id=vid, partner_id=auth[a].lower(),
                               voting_weight=1, veto="no", funds="yes")
            governance.add("the combined authority body votes and funds", vehicle_id=vid,
                           partner_id=f"{region_ids[r].lower()}-cauth", voting_weight=1, veto="no", funds="yes")
            for f, fmem in enumerate(footprints):
                if footprint_region[f] == r:
                    for suffix in ("police", "fire"):
                        governance.add("blue-light partners are consulted (no vote, no funding)", vehicle_id=vid,
                                       partner_id=f"{fp_ids[f].lower()}-{suffix}", voting_weight=0, veto="no", funds="no")
        else:
            governance.add("the region's largest council leads and funds", vehicle_id=vid, partner_id=auth[lead].lower(),
                           voting_weight=1, veto="yes", funds="yes")
            if role == "CO":
                governance.add("the voluntary sector is consulted", vehicle_id=vid,
                               partner_id=f"{region_ids[r].lower()}-vcs", voting_weight=0, veto="no", funds="no")
        for a, w in zip(mem, share):
            allocations.add("member councils share the vehicle's money by population (relative weights)",
                            allocation_id=f"alloc-{vid}", recipient_id=auth[a].lower(), weight=num(1000 * w, 1),
                            basis="relative")

    # ---------------------------------------------------------------- options and rules
    options = Table(["option_id", "name", "description"])
    rules = Table(["option_id", "rule", "service_id", "vehicle_id", "vehicle_kind", "site_id", "year", "notes"])
    option_roles = {}
    for oid, name, desc, roles, forbidden, _ in OPTIONS:
        options.add("one of four archetypes of national reform", option_id=oid, name=name, description=desc)
        option_roles[oid] = set(roles)
        for kind in forbidden:
            rules.add("the option's archetype", option_id=oid, rule="forbid_kind", vehicle_kind=kind)
    for s in svc:
        if s["code"] in FORCED_TYPES and "ICB" in s["roles"]:
            rules.add("core adult social care must join the footprint's integrated care body", option_id="integrated_care",
                      rule="force", service_id=s["id"], vehicle_id=role_vehicle[("ICB", s["a"])])
    options_of_role = {role: ";".join(oid for oid, *_ in OPTIONS if role in option_roles[oid]) for role in ROLE}

    # ---------------------------------------------------------------- benefits and costs tied to vehicles
    benefits = Table(["benefit_id", "component", "category", "trigger", "vehicle_id", "service_id", "run_rate_gbp",
                      "start_year", "ramp", "confidence", "recipient", "options"])
    costs = Table(["cost_id", "component", "kind", "category", "trigger", "vehicle_id", "service_id", "site_id",
                   "amount_gbp", "start_year", "payer", "options"])
    setup_of: dict[str, tuple[float, float, float]] = {}
    vbenefit_of: dict[str, tuple[float, list[float], str]] = {}
    for vid, v in veh.items():
        role, mem = v["role"], v["members"]
        spec = ROLE[role]
        n = len(mem)
        start_label = labels[v["earliest"]]
        capital = round(spec["setup"] * n ** 0.6 * float(rng.uniform(0.8, 1.2)), -3)
        if role == "CA" and v["earliest"] == 0:
            capital = round(capital * 0.5, -3)  # extending an existing body's remit
        programme = round(0.5 * capital, -3)
        running = round(0.12 * spec["setup"] * n ** 0.5, -3)
        setup_of[vid] = (capital, programme, running)
        opts = options_of_role[role]
        if not opts:  # no option allows this vehicle: its money would otherwise count in every option
            continue
        costs.add("set-up capital (ICT, estate) = role base × members^0.6 × U(0.8, 1.2) (half for an existing "
                  "combined authority)", cost_id=f"{vid}-setup-capital", component="vehicle_setup", kind="one_off",
                  category="capital", trigger="vehicle", vehicle_id=vid, amount_gbp=money(capital), start_year=start_label,
                  payer=f"alloc-{vid}", options=opts)
        costs.add("set-up programme team = 50% of set-up capital", cost_id=f"{vid}-setup-programme",
                  component="vehicle_setup", kind="one_off", category="revenue", trigger="vehicle", vehicle_id=vid,
                  amount_gbp=money(programme), start_year=start_label, payer=f"alloc-{vid}", options=opts)
        costs.add("running (board, management, assurance) = 12% of role base × members^0.5 a year",
                  cost_id=f"{vid}-running", component="vehicle_running", kind="recurring", category="revenue",
                  trigger="vehicle", vehicle_id=vid, amount_gbp=money(running), start_year=start_label, payer=f"alloc-{vid}", options=opts)
        m_pop = float(pop[mem].sum())
        if role == "ICB":
            rate = round(3.0 * m_pop * float(rng.uniform(0.6, 1.4)), -3)
            ramp, category, comp, recipient = [0.25, 0.5, 1], "non_cashable", "system_integration", f"{fp_ids[footprint_of[mem[0]]].lower()}-nhs"
            rule = "avoided admissions and delayed discharges = £3 a head × U(0.6, 1.4)"
        elif role == "CA":
            rate = round(1.5 * m_pop, -3)
            ramp, category, comp, recipient = [0.5, 1], "societal", "inclusive_growth", f"alloc-{vid}"
            rule = "strategic transport and skills = £1.50 a head"
        elif role == "UA":
            rate = round(600_000 * (n - 1), -3)
            ramp, category, comp, recipient = [0.5, 1], "cashable", "fewer_councils", f"alloc-{vid}"
            rule = "fewer councils (members, chief officers, elections) = £0.6m per council merged away"
        else:
            continue
        vbenefit_of[vid] = (rate, ramp, category)
        benefits.add(rule, benefit_id=f"{vid}-{comp}", component=comp, category=category, trigger="vehicle",
                     vehicle_id=vid, run_rate_gbp=money(rate), start_year=start_label, ramp=ramp_text(ramp),
                     confidence="low", recipient=recipient, options=opts)

    # the money each transfer brings, entered once as service lines (trigger: the service moves into the vehicle)
    for sid, vid, provider, rule, benefit, ramp, transition, running in transfers_money:
        if not options_of_role[veh[vid]["role"]]:
            continue  # no option allows this vehicle: the transfer can never happen
        base = dict(component=f"transfer:{veh[vid]['role']}", trigger="service", vehicle_id=vid, service_id=sid)
        if benefit:
            benefits.add(rule, benefit_id=f"{sid}-{vid}-saving", category="cashable", run_rate_gbp=money(benefit),
                         ramp=ramp_text(ramp), confidence="medium", recipient=provider, **base)
        if transition:
            costs.add(rule, cost_id=f"{sid}-{vid}-transition", kind="one_off", category="revenue",
                      amount_gbp=money(transition), payer=provider, **base)
        if running:
            costs.add(rule, cost_id=f"{sid}-{vid}-running", kind="recurring", category="revenue",
                      amount_gbp=money(running), payer=provider, **base)
    for site_id, vid, running, refit in site_money:  # paid by the vehicle's member councils
        base = dict(component="sites", category="revenue", trigger="site", site_id=site_id, payer=f"alloc-{vid}")
        costs.add("running = £150k + £1k per FTE of capacity", cost_id=f"{site_id}-running", kind="recurring",
                  amount_gbp=money(running), **base)
        costs.add("refit = (£100k + £3k per FTE) × U(0.7, 1.3)", cost_id=f"{site_id}-refit", kind="one_off",
                  amount_gbp=money(refit), **base)

    # ---------------------------------------------------------------- cost curves (market: economies of scale)
    curves = Table(["vehicle_id", "volume", "running_cost_gbp_per_year", "payer"])
    for vid, v in veh.items():
        if v["role"] != "MKT" or not cost_curves:
            continue
        mine = [s for s in svc if role_vehicle.get(("MKT", s["a"])) == vid and "MKT" in s["roles"]]
        vmax = max(1.0, float(sum(s["volume"] for s in mine)))
        c = 0.02 * sum(s["baseline"] for s in mine)
        rule = ("contract management: £60k fixed, then concave in volume (40% of 2% of eligible baseline at a quarter "
                "of eligible volume, all of it at full volume)")
        for vol, cost in ((0.0, 60_000.0), (0.25 * vmax, 60_000 + 0.4 * c), (vmax, 60_000 + c)):
            curves.add(rule + "; paid by the region's member councils", vehicle_id=vid, volume=money(vol),
                       running_cost_gbp_per_year=money(cost), payer=f"alloc-{vid}")

    # ---------------------------------------------------------------- precedence
    precedence = Table(["before_service_id", "after_service_id", "min_lag_years"])
    present = {code for _, code, _ in types}
    for a in range(authorities):
        for before, after, lag in PRECEDENCE:
            if before in present and after in present:
                precedence.add("inside an authority, the upstream service moves first", before_service_id=f"{auth[a]}-{before}",
                               after_service_id=f"{auth[a]}-{after}", min_lag_years=lag)

    # ---------------------------------------------------------------- limits: transfers and funding caps
    n_svc = len(svc)
    move_years = max(1, T - 1)
    transfers = math.ceil(1.25 * n_svc / move_years)
    need_cum, need_year = 0.0, 0.0
    for oid, *_ in OPTIONS:
        if oid in ("commissioning_council", "integrated_care"):
            c, y = _greedy_need(oid, svc, role_vehicle, veh, money_of, setup_of, vbenefit_of, T, transfers)
            need_cum, need_year = max(need_cum, c), max(need_year, y)
    cap_cum = max(1e6, math.ceil(1.25 * need_cum / 1e5) * 1e5)
    cap_year = max(1e6, math.ceil(1.25 * need_year / 1e5) * 1e5)
    limits = Table(["limit", "year", "value"])
    limits.add(f"transition capacity = 125% of moving every service ({n_svc}) evenly over the {move_years} years after "
               "the first", limit="max_transfers_per_year", value=transfers)
    limits.add("125% of the peak cumulative funding need of the simplest plan moving every service (commissioning "
               "councils) or the core care services (integrated care) evenly over the years after the first",
               limit="funding_cap_cumulative_gbp", value=money(cap_cum))
    limits.add("125% of that plan's largest yearly deficit", limit="funding_cap_yearly_gbp", value=money(cap_year))

    # ---------------------------------------------------------------- value drivers, scores, uncertainties
    drivers = Table(["driver_id", "name", "kind", "metric", "weight", "weight_low", "weight_high", "higher_is_better"])
    drivers.add("net present social value of the option's case", driver_id="npsv", name="Net present social value",
                kind="metric", metric="npsv_gbp", weight=30, weight_low=20, weight_high=40, higher_is_better="yes")
    drivers.add("transition funding partners must find", driver_id="funding", name="Transition funding need",
                kind="metric", metric="funding_requirement_gbp", weight=20, weight_low=10, weight_high=30,
                higher_is_better="no")
    drivers.add("judgement, RAG per option archetype", driver_id="integration", name="Integration of services around people",
                kind="judgement", weight=20, weight_low=10, weight_high=30, higher_is_better="yes")
    drivers.add("judgement, RAG per option archetype", driver_id="deliverability", name="Deliverability", kind="judgement",
                weight=15, weight_low=10, weight_high=25, higher_is_better="yes")
    drivers.add("judgement, RAG per option archetype", driver_id="accountability", name="Local democratic accountability",
                kind="judgement", weight=15, weight_low=5, weight_high=25, higher_is_better="yes")
    scores = Table(["driver_id", "option_id", "rag", "rationale"])
    for driver, by_option in DRIVER_RAG.items():
        for oid, rag in by_option.items():
            scores.add("fixed RAG per option archetype", driver_id=driver, option_id=oid, rag=rag,
                       rationale=f"{driver} under {oid.replace('_', ' ')}")
    uncertainties = Table(["parameter", "target", "distribution", "low", "mode", "high", "mean", "sd"])
    uncertainties.add("benefit realisation, skewed down", parameter="benefit_realisation", target="benefits",
                      distribution="triangular", low="0.7", mode="1", high="1.1")
    uncertainties.add("cost overrun, skewed up", parameter="cost_overrun", target="costs", distribution="triangular",
                      low="0.95", mode="1", high="1.3")
    uncertainties.add("vehicle set-up cost range", parameter="setup_cost", target="component:vehicle_setup",
                      distribution="triangular", low="0.8", mode="1", high="1.6")
    uncertainties.add("up to a year's delay to every vehicle", parameter="implementation_delay", target="delay_years",
                      distribution="triangular", low="0", mode="0", high="1")

    # ---------------------------------------------------------------- study.yaml
    n_pl = len(placements.rows)
    yaml = f"""\
format: 2
name: Synthetic national reform ({authorities} authorities x {services_per_authority} services, seed {seed})
description: >
  Synthetic national-scale study made by studies/national/generate.py: {authorities} upper-tier authorities
  ({int(pop.sum()):,} people) in {n_regions} regions and {len(footprints)} health-and-care footprints,
  {n_svc:,} services, {len(veh) + authorities} vehicles, {len(sites.rows)} sites, {n_pl:,} eligible placements.
  Every figure is synthetic: each row's source column gives the rule that made it.
display_unit: gbp_m
price_base: "{labels[0]} prices (synthetic)"
horizon: {{start: {labels[0]}, years: {T}}}
discounting:
  schedule: stpr
  sensitivities: [stpr_sensitivity_test]
adjustments:
  - {{name: double counting, applies_to: benefits, pct: {DOUBLE_COUNTING_PCT:g}}}
  - name: optimism bias (set-up capital)
    applies_to: costs
    optimism_bias: {{project_type: standard_buildings, bound: upper, measure: capex}}
    categories: [capital]
options: [{", ".join(oid for oid, *_ in OPTIONS)}]
preferred_option: shared_services
notes: |
  Generated by: studies/national/generate.py --authorities {authorities} --services-per-authority {services_per_authority}
  --years {years} --seed {seed} --start {start} --regions {n_regions}{"" if cost_curves else " --no-cost-curves"}.
  Regenerate rather than edit.
  Every pound is entered once (format 2): the money a transfer brings is a service line. There is no source
  document, so an option's document plan moves nothing (only vehicles no service can move into are set up);
  compare options by their optimised plans (`reformkit appraise STUDY --plan optimised`). Funding caps are 125% of what a simple feasible
  plan of the commissioning-councils and integrated-care options needs, so every option stays feasible.
"""
    files = {
        "study.yaml": yaml, "options.csv": options.text(), "option_rules.csv": rules.text(),
        "services.csv": services.text(), "vehicles.csv": vehicles.text(), "sites.csv": sites.text(),
        "partners.csv": partners.text(), "governance.csv": governance.text(), "allocations.csv": allocations.text(),
        "placements.csv": placements.text(), "benefits.csv": benefits.text(), "costs.csv": costs.text(),
        "cost_curves.csv": curves.text(), "precedence.csv": precedence.text(), "limits.csv": limits.text(),
        "value_drivers.csv": drivers.text(), "driver_scores.csv": scores.text(), "uncertainties.csv": uncertainties.text(),
    }
    return files


def _greedy_need(option_id, svc, role_vehicle, veh, money_of, setup_of, vbenefit_of, T, transfers):
    """Peak cumulative and largest yearly funding need (adjusted, undiscounted) of a simple feasible plan:
    every service that must move goes to its always-eligible vehicle (no site, no cost curve), spread evenly
    over the years from that vehicle's earliest year, upstream services of precedence pairs first."""
    must = []
    for s in svc:
        if option_id == "commissioning_council":
            must.append((s, s["roles"][0]))
        elif option_id == "integrated_care" and s["code"] in FORCED_TYPES and "ICB" in s["roles"]:
            must.append((s, "ICB"))
    before = {f"{s['id'].split('-')[0]}-{b}" for s in svc for b, _, _ in PRECEDENCE}
    after = {f"{s['id'].split('-')[0]}-{a}" for s in svc for _, a, _ in PRECEDENCE}
    net = np.zeros(T)
    load = np.zeros(T)
    established: dict[str, int] = {}
    ben_factor = 1 - DOUBLE_COUNTING_PCT / 100
    cap_factor = 1 + OPTIMISM_BIAS_CAPEX_PCT / 100
    i = 0
    for s, role in must:
        vid = role_vehicle[(role, s["a"])]
        e = max(veh[vid]["earliest"], 1 if T > 1 else 0)
        if s["id"] in before:  # upstream services move first, downstream ones from the year after
            span = [e]
        else:
            span = list(range(min(e + 1, T - 1) if s["id"] in after else e, T))
            i += 1
        t = span[i % len(span)]
        for _ in range(T):  # respect the transfer limit (there is room: it is 125% of an even spread)
            if load[t] < transfers:
                break
            t = t + 1 if t + 1 < T else e
        load[t] += 1
        b, tr, run = money_of[(s["id"], vid)]
        ramp = ROLE[role]["ramp"]
        net[t] -= tr
        for u in range(t, T):
            net[u] += ben_factor * b * ramp_at(ramp, u - t) - run
        established[vid] = min(established.get(vid, T), t)
    for vid, t0 in established.items():
        capital, programme, running = setup_of[vid]
        net[t0] -= cap_factor * capital + programme
        net[t0:] -= running
        if vid in vbenefit_of:
            rate, ramp, _ = vbenefit_of[vid]
            for u in range(t0, T):
                net[u] += ben_factor * rate * ramp_at(ramp, u - t0)
    cum = np.cumsum(net)
    return float(max(0.0, -cum.min())), float(max(0.0, -net.min()))


def write_study(files: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(files):
        (out / name).write_text(files[name], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic national-scale reformkit study folder "
                                 "(deterministic for a seed).")
    ap.add_argument("--authorities", type=int, default=150, help="number of upper-tier authorities (default 150)")
    ap.add_argument("--services-per-authority", type=int, default=130,
                    help="service types each authority delivers, from a 130-type catalogue (default 130)")
    ap.add_argument("--years", type=int, default=6, help="horizon length in financial years (default 6)")
    ap.add_argument("--start", type=int, default=2026, help="calendar year the first financial year starts (default 2026 = 2026/27)")
    ap.add_argument("--regions", type=int, default=None,
                    help="number of regions (default: up to 9, about 17 authorities each, at least 2 from 4 authorities)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--no-cost-curves", dest="cost_curves", action="store_false",
                    help="leave out the market vehicles' concave running-cost curves (their segment binaries are "
                         "what makes large options slow to prove optimal)")
    ap.add_argument("--out", type=Path, required=True, help="study folder to write (created if missing)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    files = generate(args.authorities, args.services_per_authority, years=args.years, seed=args.seed, start=args.start,
                     regions=args.regions, cost_curves=args.cost_curves)
    write_study(files, args.out)
    size = sum(len(text.encode()) for text in files.values())
    rows = {name.removesuffix(".csv"): text.count("\n") - 1 for name, text in files.items() if name.endswith(".csv")}
    print(f"wrote {args.out}: {len(files)} files, {size / 1e6:.2f} MB in {time.perf_counter() - t0:.2f} s; "
          + ", ".join(f"{n} {k}" for k, n in rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
