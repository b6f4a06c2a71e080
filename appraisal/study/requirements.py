"""Which tables each capability needs, and what an absent optional table means.

`appraise` is every study's floor (every command appraises); each other command adds its own tables.
A requirement is a tuple of alternatives: ("benefits", "placements", "cohort_models") is met by either table.
"""
from __future__ import annotations

CAPABILITIES: dict[str, list[tuple[str, ...]]] = {
    "appraise": [("options", "workstreams"), ("costs",), ("benefits", "placements", "cohort_models")],
    "optimise": [("services",), ("vehicles",)],
    "buyin": [("partners",), ("governance",), ("vehicles",)],
    "score": [("value_drivers",)],
    "sensitivity": [("uncertainties",)],
    "run": [],
}

WHY = {
    "options": "the options are what is appraised (a programme study gives workstreams.csv instead)",
    "costs": "without it every option's costs would read as £0",
    "benefits": "without benefit lines, placements' money or a cohort model every option's benefits would read as £0",
    "services": "the optimiser places services",
    "vehicles": "the optimiser and the buy-in model need the delivery vehicles",
    "partners": "the buy-in model simulates the partners",
    "governance": "the buy-in model needs each vehicle's voting partners",
    "value_drivers": "scoring needs the value drivers",
    "uncertainties": "sensitivity samples the declared uncertainties",
}

ABSENT_MEANS = {
    "services": "no services: nothing to place; optimise cannot run",
    "vehicles": "no vehicles: optimise and buy-in cannot run",
    "sites": "no sites: services are placed in vehicles only, with no site capacity or site costs",
    "partners": "no partners: no who-pays/who-benefits by partner and no buy-in",
    "governance": "no governance: buy-in cannot run (no one votes on a vehicle)",
    "placements": "no placements: a plan's transfers carry no money of their own; only benefit and cost lines count",
    "benefits": "no benefit lines: benefits come from placements only",
    "benefit_profiles": "no explicit benefit profiles: every benefit follows run rate × ramp",
    "costs": "no cost lines",
    "cost_profiles": "no explicit cost profiles: every cost follows amount × quantity by year",
    "allocations": "no allocations: each line goes to its one recipient or payer",
    "options": "no options",
    "option_rules": "no option rules: every option may use every vehicle, and there is no document plan to reproduce",
    "precedence": "no precedence: services may move in any order",
    "cost_curves": "no cost curves: running costs do not change with volume",
    "limits": "no limits: no cap on transfers a year or on transition funding",
    "value_drivers": "no value drivers: score cannot run and run skips scoring",
    "driver_scores": "no driver scores: judgement drivers have no scores (metric drivers are computed)",
    "positions": "no budget positions: no do-nothing comparison of partners' budgets",
    "targets": "no targets: no published figures are checked",
    "uncertainties": "no uncertainties: sensitivity cannot run and run skips it",
    "interventions": "no interventions: buy-in compares no intervention packages",
    "workstreams": "no workstreams: the study compares options, it is not one programme (docs/programmes.md)",
    "milestones": "no milestones: the management case shows the plan's transfers only",
    "timing_rules": "no timing rules: money falls when its trigger says, in every plan",
}


def requirement_problems(present: set[str], capabilities: tuple[str, ...]) -> list[tuple[str, str]]:
    """(table, why) for each unmet requirement of the capabilities (always including `appraise`)."""
    missing = []
    for cap in ("appraise", *capabilities):
        for alternatives in CAPABILITIES[cap]:
            if not present & set(alternatives):
                table = alternatives[0]
                why = WHY.get(table, "")
                if len(alternatives) > 1:
                    why = f"give {' or '.join(alternatives)}: {why}"
                need = "every study" if cap == "appraise" else f"'{cap}'"
                missing.append((table, f"{need} needs this table ({why})"))
    return missing
