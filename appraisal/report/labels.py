"""Human labels for everything the report names: options, vehicles, partners, parameters, metrics, outcomes.

The study's own names come first (``results["labels"]``, written by ``reformkit run``; option and vehicle
names elsewhere in the results); an id without a name is humanised (``implementation_delay`` ->
"Implementation delay"), never printed raw. Options whose plan is infeasible and views of other options
are identified here too, because several sections must leave them out of rankings.
"""
from __future__ import annotations

import re
from typing import Mapping

METRICS = {
    "npsv_gbp": "NPSV", "npv_gbp": "NPV (cashable benefits only)", "pv_benefits_gbp": "PV benefits",
    "pv_costs_gbp": "PV costs", "bcr": "Benefit-cost ratio", "payback_year": "Payback year",
    "funding_requirement_gbp": "Funding need", "funding_peak_year": "Funding need peaks in",
    "optimised_npsv_gbp": "NPSV of the optimised plan", "prob_agreed_on_time": "Chance partners agree on time",
    "total": "weighted score", "npsv_stpr_gbp": "NPSV at the Green Book STPR",
    "preferred_npsv_gbp": "NPSV of the best option in each run",
    "preferred_option_index": "which option is best in each run",
}
NOT_AVAILABLE = "not available"
# the schema's partner types and vehicle kinds, as people write them
KINDS = {"ccg": "Clinical commissioning group", "nhs_england": "NHS England", "acute_trust": "Acute trust",
         "community_trust": "Community trust", "mental_health_trust": "Mental health trust",
         "county_council": "County council", "district_council": "District council", "unitary_council": "Unitary council",
         "combined_authority": "Combined authority", "voluntary_sector": "Voluntary sector", "police": "Police",
         "fire": "Fire and rescue", "other": "Other", "status_quo": "Today's provision", "council": "Council",
         "integrated_care": "Integrated care", "shared_service": "Shared service", "market": "Market",
         "joint_venture": "Joint venture", "unanimity": "Unanimity", "majority": "Majority",
         "qualified_majority": "Qualified majority", "lead_partner": "Lead partner"}


def kind(value) -> str:
    """A partner type, vehicle kind or governance rule for people ('ccg' -> 'Clinical commissioning group')."""
    return KINDS.get(str(value), humanise(value))


def humanise(identifier) -> str:
    """'implementation_delay' -> 'Implementation delay'; 'run_rate_gbp' -> 'Run rate (£)'."""
    text = str(identifier)
    unit = ""
    if text.endswith("_gbp"):
        text, unit = text[:-4], " (£)"
    elif text.endswith("_pct"):
        text, unit = text[:-4], " (%)"
    text = re.sub(r"[_.\-]+", " ", text).strip()
    return (text[:1].upper() + text[1:] + unit) if text else str(identifier)


class Labels:
    """Looks up the label of an id; built once per report from the results."""

    def __init__(self, results: Mapping):
        self.results = results
        info = results.get("labels") or {}
        self.info = info
        opts = results.get("options") or {}
        self.options = {oid: str((o or {}).get("name") or ((info.get("options") or {}).get(oid) or {}).get("name")
                                 or humanise(oid)) for oid, o in opts.items()}
        for oid, o in (info.get("options") or {}).items():
            self.options.setdefault(oid, str(o.get("name") or humanise(oid)))
        self.vehicles = {vid: str(v.get("name") or humanise(vid)) for vid, v in (info.get("vehicles") or {}).items()}
        for vid, v in ((results.get("buyin") or {}).get("vehicles") or {}).items():
            if v.get("name"):
                self.vehicles.setdefault(vid, str(v["name"]))
        self.partners = {pid: str(p.get("name") or humanise(pid)) for pid, p in (info.get("partners") or {}).items()}
        for p in (results.get("buyin") or {}).get("pivotal") or []:
            if p.get("partner_name"):
                self.partners.setdefault(p.get("partner_id"), str(p["partner_name"]))
        self.sites = {k: str(v.get("name") or humanise(k)) for k, v in (info.get("sites") or {}).items()}
        self.parameters = {k: str(v.get("label") or humanise(k)) for k, v in (info.get("parameters") or {}).items()}
        drivers = (results.get("scoring") or {}).get("drivers") or []
        self.drivers = {d.get("driver_id"): str(d.get("name") or humanise(d.get("driver_id"))) for d in drivers}

    def option(self, oid) -> str:
        return self.options.get(oid) or humanise(oid)

    def vehicle(self, vid) -> str:
        return self.vehicles.get(vid) or humanise(vid)

    def partner(self, pid) -> str:
        return self.partners.get(pid) or humanise(pid)

    def site(self, sid) -> str:
        return self.sites.get(sid) or humanise(sid)

    def parameter(self, pid) -> str:
        return self.parameters.get(pid) or self.drivers.get(pid) or humanise(pid)

    def driver(self, did) -> str:
        return self.drivers.get(did) or humanise(did)

    def metric(self, key) -> str:
        return METRICS.get(str(key)) or humanise(key)

    def outcome(self, outcome) -> str:
        """'opt3.npsv_gbp' -> 'NPSV of Option 3: ...'; 'npsv_gbp' -> 'NPSV'."""
        if not outcome:
            return "the outcome"
        text = str(outcome)
        if "." in text:
            oid, metric = text.split(".", 1)
            if oid in self.options:
                return f"{self.metric(metric)} of {self.option(oid)}"
        return self.metric(text)

    # --- which options count as choices ---------------------------------------------------------
    def view_of(self, oid) -> str | None:
        return ((self.info.get("options") or {}).get(oid) or {}).get("view_of")

    def infeasible(self) -> dict[str, str]:
        """option id -> diagnosis, for options the optimiser found no plan for (status 'infeasible')."""
        out = {}
        for oid, o in (self.results.get("optimise") or {}).items():
            if str((o or {}).get("status") or "").lower() == "infeasible":
                out[oid] = str(o.get("diagnosis") or "no plan satisfies the option's rules")
        return out

    def choices(self) -> list[str]:
        """Options that are real choices: not a view of another option, not infeasible."""
        bad = self.infeasible()
        return [oid for oid in (self.results.get("options") or {}) if oid not in bad and not self.view_of(oid)]
