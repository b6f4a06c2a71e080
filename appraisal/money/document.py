"""The document's plan of an option: its `reference` rules (moves and years) and the vehicles' planned
years (a vehicle services can move into only when the plan moves some into it), as a `Plan` like any other. Where the document leaves a choice open (the site a service moves to,
the year a site opens) the MILP completes it in reproduce mode, under the option's rules."""
from __future__ import annotations

import pandas as pd

from appraisal.money.estates import document_release_years
from appraisal.money.ledger import document_transfer_years
from appraisal.money.plans import Plan
from appraisal.study import Study


def document_draft(study: Study, option_id: str) -> tuple[Plan, bool]:
    """The document's plan as far as the study states it, and whether the MILP must complete it."""
    from appraisal.adapters.to_optimise import option_rules

    rules = study.tables["option_rules"]
    ref = rules[(rules["option_id"] == option_id) & (rules["rule"] == "reference")]
    years = document_transfer_years(study, option_id)
    moves = pd.DataFrame({"service_id": ref["service_id"], "vehicle_id": ref["vehicle_id"], "site_id": ref["site_id"],
                          "t": [years[(s, v)] for s, v in zip(ref["service_id"], ref["vehicle_id"])]},
                         columns=["service_id", "vehicle_id", "site_id", "t"])
    r = option_rules(study, option_id)
    v = study.tables["vehicles"]
    first = moves.groupby("vehicle_id")["t"].min().to_dict() if len(moves) else {}
    vehicles = {}
    with_placements = set(study.tables["placements"]["vehicle_id"])
    for vid, kind, planned in zip(v["vehicle_id"], v["kind"], v["planned_year"]):
        if kind == "status_quo" or not r.vehicle_allowed(vid, kind):
            continue
        # as in the optimiser: a vehicle services can move into is established when some do; one no service
        # can move into is established on its own (in its planned year)
        if vid in with_placements and vid not in first:
            continue
        if planned is not None:
            vehicles[vid] = min(study.period_index(planned), first.get(vid, len(study.periods)))
    releases = document_release_years(study, option_id)
    plan = Plan(option_id, "document", moves, vehicles, {}, source="option_rules reference rows and vehicles' planned years",
                releases=releases)
    sited = set(study.tables["sites"]["vehicle_id"].dropna())
    must = set(study.tables["sites"].loc[study.tables["sites"]["must_open"].astype(bool), "vehicle_id"].dropna())
    needs = any(m.vehicle_id in sited and m.site_id is None for m in plan.moves.itertuples()) or bool(must & set(plan.vehicles))
    needs = needs or bool(releases)  # the MILP checks that each released building is empty by then
    return plan, needs


def document_plan(study: Study, option_id: str) -> Plan:
    """The document's plan of an option (built once per study and option)."""
    key = ("document_plan", option_id)
    if key not in study.cache:
        plan, needs = document_draft(study, option_id)
        if needs:
            from appraisal.adapters.to_optimise import complete_plan

            plan, _ = complete_plan(study, plan)
        study.cache[key] = plan
    return study.cache[key]
