"""results.json sections of programmes and benefit ownership (issue 11): `places` (the place-based view),
`ownership` (the enabler -> realiser map) and `programme` (workstreams, milestones, the go / do-minimum
decision). See docs/programmes.md."""
from __future__ import annotations

from appraisal.money.ownership import ownership_map
from appraisal.money.places import has_places, place_view


def programme_results(study, options: dict) -> dict:
    out: dict = {}
    if has_places(study):
        out["places"] = {oid: place_view(study, r).to_dict(orient="records") for oid, r in options.items()}
    rows = ownership_map(study, options)
    if rows:
        out["ownership"] = rows
    if study.config.programme is not None:
        out["programme"] = programme_decision(study, options)
    return out


def programme_decision(study, options: dict) -> dict:
    """go against do-minimum: the NPSV, PV benefits and PV costs of go net of do-minimum, the verdict, and the
    programme's workstreams and milestones."""
    cfg = study.config.programme
    go, dm = options.get(cfg.go), options.get(cfg.do_minimum)
    keys = ("npsv_gbp", "pv_benefits_gbp", "pv_costs_gbp")
    diff = {k: (go.metrics[k] - dm.metrics[k]) if go is not None and dm is not None else None for k in keys}
    quantified = bool(study.tables["risks"]["probability"].notna().any())  # a risk with a cost of its own
    if quantified and "npsv_risk_adjusted_gbp" in (go.metrics if go is not None else {}):
        diff["npsv_risk_adjusted_gbp"] = go.metrics["npsv_risk_adjusted_gbp"] - dm.metrics.get(
            "npsv_risk_adjusted_gbp", dm.metrics["npsv_gbp"])
    npsv = diff.get("npsv_risk_adjusted_gbp", diff["npsv_gbp"])
    t = study.tables
    return {"name": cfg.name, "go": cfg.go, "do_minimum": cfg.do_minimum,
            "incremental": diff, "decision": "go" if npsv is not None and npsv > 0 else "do not go",
            "decision_basis": "risk-adjusted NPSV of go less do-minimum" if "npsv_risk_adjusted_gbp" in diff
            else "NPSV of go less do-minimum",
            "workstreams": [{k: (v if not isinstance(v, float) or v == v else None) for k, v in r.items() if k != "source_row"}
                            for r in t["workstreams"].to_dict(orient="records")],
            "milestones": [{k: (v if not isinstance(v, float) or v == v else None) for k, v in r.items() if k != "source_row"}
                           for r in t["milestones"].to_dict(orient="records")]}
