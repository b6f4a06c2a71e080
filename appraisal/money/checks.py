"""Money that could vanish, knowable from the study alone (shown by `reformkit validate`, in results.json,
on the terminal and in the report): lines no option can trigger, apportioned lines with nothing to
apportion to, and money nobody pays or receives. What a particular plan moves outside the horizon is
reported by the ledger with that plan's money (`appraisal.money.ledger.OptionLedger.matrices`)."""
from __future__ import annotations

from appraisal.money.ledger import apportion_weights, line_trigger
from appraisal.study import Study


def study_warnings(study: Study) -> list[str]:
    if "warnings" in study.cache:
        return list(study.cache["warnings"])
    from appraisal.adapters.to_optimise import option_rules

    t = study.tables
    rules = {oid: option_rules(study, oid) for oid in study.option_ids}
    forbidden = {oid: set(r.forbidden_mappings) for oid, r in rules.items()}
    kinds = dict(zip(t["vehicles"]["vehicle_id"], t["vehicles"]["kind"]))
    site_vehicle = dict(zip(t["sites"]["site_id"], t["sites"]["vehicle_id"]))
    eligible = set(zip(t["placements"]["service_id"], t["placements"]["vehicle_id"]))
    out: list[str] = []

    def can_trigger(row, oid: str) -> bool:
        r = rules[oid]
        trigger = line_trigger(row)
        v = site_vehicle.get(row.site_id) if trigger == "site" else row.vehicle_id
        if v is not None and kinds.get(v) != "status_quo" and not r.vehicle_allowed(v, kinds.get(v, "other")):
            return False
        if trigger == "service":
            forced = r.forced_mappings.get(row.service_id, row.vehicle_id)
            return (row.service_id, row.vehicle_id) in eligible and forced == row.vehicle_id and \
                (row.service_id, row.vehicle_id) not in forbidden[oid]
        if trigger == "site":
            return row.site_id not in r.closed_sites
        if trigger == "release":  # some service at the site can move somewhere under the option
            here = set(t["services"].loc[t["services"]["current_site_id"] == row.site_id, "service_id"])
            return any(s in here and r.vehicle_allowed(v, kinds.get(v, "other")) and (s, v) not in forbidden[oid]
                       for s, v in eligible)
        return True

    for table, id_col, party in (("benefits", "benefit_id", "recipient"), ("costs", "cost_id", "payer")):
        what = "benefit" if table == "benefits" else "cost"
        for row in t[table].itertuples(index=False):
            line = getattr(row, id_col)
            options = [o for o in study.option_ids if not row.options or o in row.options]
            if not options:
                out.append(f"{what} line '{line}' applies to no option the study compares ({', '.join(row.options)}): "
                           "it is never counted")
            elif not any(can_trigger(row, o) for o in options):
                out.append(f"{what} line '{line}' can never be triggered: under every option it applies to "
                           f"({', '.join(options)}) the option's rules rule out its {line_trigger(row)}")
            if row.apportion and row.vehicle_id and line_trigger(row) == "vehicle" and \
                    not apportion_weights(study, line, row.vehicle_id, row.apportion):
                out.append(f"{what} line '{line}' is apportioned by {row.apportion} over the services that may move "
                           f"into {row.vehicle_id}, but they all have {row.apportion} 0 or blank: nothing to "
                           "apportion to, so the line is never counted")
            if getattr(row, party) is None:
                out.append(f"{what} line '{line}' has no {party}: its money shows as 'unallocated' in who pays and "
                           "who benefits, and no partner weighs it in the buy-in model")
    curves = t["cost_curves"]
    for v in sorted(set(curves["vehicle_id"])):
        if all(p is None or p != p for p in curves.loc[curves["vehicle_id"] == v, "payer"]):
            out.append(f"the running cost curve of {v} has no payer (cost_curves.csv): it shows as 'unallocated'")
    study.cache["warnings"] = out
    return list(out)
