"""Row models of what moves and where to: services, vehicles, sites (buildings) and placements (eligible service-
vehicle-site moves).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from appraisal.study.schema.types import (Flag, Fractions, Id, OptFinancialYear, OptFloat, OptId, OptInt,
                                          OptNonNegative, OptStr, OptTimeLabel, Row)


VehicleKind = Literal[
    "status_quo", "council", "integrated_care", "combined_authority", "shared_service", "market",
    "joint_venture", "other",
]


class ServiceRow(Row):
    service_id: Id
    name: str = Field(min_length=1)
    service_area: OptStr = None
    current_provider: OptId = Field(None, description="partner_id of today's provider")
    current_vehicle_id: OptId = Field(None, description="vehicle that delivers it today (a status_quo vehicle)")
    current_site_id: OptId = None
    baseline_cost_gbp: OptNonNegative = Field(None, description="£ a year, price base of the study")
    fte: OptNonNegative = Field(None, description="full-time equivalent staff")
    volume: OptNonNegative = Field(None, description="contacts, cases or units a year")
    place: OptStr = Field(None, description="the place (town, locality, neighbourhood) it belongs to, for the place-based view")
    notes: OptStr = None


class VehicleRow(Row):
    vehicle_id: Id
    name: str = Field(min_length=1)
    kind: VehicleKind
    earliest_year: OptTimeLabel = Field(None, description="first financial year (or period) it can exist")
    planned_year: OptTimeLabel = Field(None, description="year (or period) the source plan establishes it")
    max_sites: OptInt = Field(None, ge=1)
    governance_rule: Literal["unanimity", "majority", "qualified_majority", "lead_partner", "opt_in"] = Field(
        "unanimity", description="unanimity / majority / qualified_majority: a partnership vote of the board; "
                                 "lead_partner: an executive decision of one body (lead_partner_id); opt_in: each "
                                 "board member joins separately, the vehicle goes ahead once min_members have")
    threshold_pct: OptFloat = Field(None, gt=0, le=100, description="share of voting weight needed (qualified majority)")
    require_all_funders: Flag = True
    lead_partner_id: OptId = Field(None, description="lead_partner: the deciding body; blank = the board's only "
                                                      "member with a vote")
    min_members: OptInt = Field(None, ge=1, description="opt_in: members needed for the vehicle to go ahead (blank = 1)")
    notes: OptStr = None


class SiteRow(Row):
    site_id: Id
    name: str = Field(min_length=1)
    vehicle_id: OptId = Field(None, description="vehicle it can host; blank = shared: any vehicle whose placements "
                                                "name this site, within one capacity (docs/optimise.md, Estates)")
    capacity_fte: OptNonNegative = Field(None, description="FTE it holds: the services there today "
                                                           "(services.current_site_id) until they move out, and those moved in")
    running_cost_gbp_per_year: OptNonNegative = Field(None, description="format 1 only: in format 2 a site's money "
                                                      "is a cost line with trigger 'site' (so it has a payer)")
    open_cost_gbp: OptNonNegative = Field(None, description="format 1 only (see running_cost_gbp_per_year)")
    existing: Flag = True
    must_open: Flag = False
    place: OptStr = Field(None, description="the place (town, locality, neighbourhood) it belongs to, for the place-based view")
    lease_break_year: OptFinancialYear = Field(None, description="an existing building a plan may release from this "
                                               "year on, once no service is left in it (its trigger 'release' lines are "
                                               "then earned once, from the release year); blank = not a decision")


class PlacementRow(Row):
    """An eligible (service, vehicle[, site]) pair. In format 2 it carries no money: the money a transfer
    brings is a benefit or cost line with trigger 'service' (or a vehicle line apportioned over services).
    The money columns are read only from format-1 studies, which `reformkit upgrade` rewrites."""

    service_id: Id
    vehicle_id: Id
    site_id: OptId = None
    benefit_run_rate_gbp: OptNonNegative = Field(None, description="format 1 only: £ a year once ramped up")
    ramp: Fractions = Field(default_factory=list, description="format 1 only: fraction of run rate by year after transfer")
    transition_cost_gbp: OptNonNegative = Field(None, description="format 1 only: one-off £ in the transfer year")
    running_cost_change_gbp_per_year: OptFloat = Field(None, description="format 1 only: £ a year, + costs more, − costs less")
    score: OptFloat = Field(None, description="a value-driver score of this placement (any scale), the second "
                                               "objective of `reformkit optimise --pareto score`")
