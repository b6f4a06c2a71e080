"""Format 1 → format 2: the old double entry rewritten as one ledger (`reformkit upgrade`, and on loading).

Format 1 let the same money be typed twice: component lines marked `in_placements` counted in the
document's case, and per-service placement money counted when a plan was appraised. Format 2 enters every
pound once. The rewrite, rule by rule (each rule is also said in the study's notes when it applies):

1. A line's trigger is `vehicle` when it names a vehicle, else `option` (format 1's meaning); a vehicle
   line's blank start year is written as the first year (format 1's meaning; format 2 reads a blank start
   year as the year of the line's trigger).
2. A line marked `in_placements` on vehicle v, where placements into v carry money, becomes a vehicle line
   *apportioned* over those services by explicit shares proportional to the placements' own figures
   (benefit lines by benefit run rate plus running-cost saving, cost lines by transition cost plus extra
   running cost); the placements' money into v is then dropped, so the component figure is the one figure.
   A line marked `in_placements` whose vehicle has no placement money stays a plain vehicle line.
3. Placement money into a vehicle with no `in_placements` line becomes service lines (trigger `service`):
   a benefit (run rate and ramp from the transfer, plus any running-cost saving) to the service's current
   provider, a one-off transition cost and any extra running cost paid by it, component `transfer:<vehicle>`.
   Rows of one (service, vehicle) at different sites must carry the same money (else a problem is raised:
   format 1 silently used the first row in the optimiser and the site's row in the money engine).
4. A site's running and opening cost become cost lines with trigger `site`, component `sites`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from appraisal.study.errors import Problem, StudyError
from appraisal.study.schema import TABLE_MODELS

DEPRECATION = ("{name}: study format 1 (in_placements / placement money / site money) is deprecated and was upgraded "
               "on loading; `reformkit upgrade {path} --out DIR` writes it in format 2")
PLACEMENT_MONEY = ["benefit_run_rate_gbp", "transition_cost_gbp", "running_cost_change_gbp_per_year"]


def _num(value) -> float:
    return 0.0 if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _append(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return frame
    new = pd.DataFrame(rows)
    cols = list(frame.columns) + [c for c in new.columns if c not in frame.columns]
    out = pd.concat([frame.astype(object), new.astype(object)], ignore_index=True)[cols]
    return out.astype(object).where(out.notna(), None)


def _placement_money(p: dict) -> tuple[float, float]:
    change = _num(p["running_cost_change_gbp_per_year"])
    return _num(p["benefit_run_rate_gbp"]) + max(-change, 0.0), _num(p["transition_cost_gbp"]) + max(change, 0.0)


def upgrade_in_place(study) -> None:
    """Rewrite a loaded format-1 study's tables in format 2 and add the one-line deprecation note."""
    t, src = study.tables, study.sources
    problems: list[Problem] = []
    notes: list[str] = []
    providers = t["services"].set_index("service_id")["current_provider"].to_dict()
    placements = t["placements"]
    rows = placements.to_dict(orient="records")
    # one money per (service, vehicle): site rows of a pair must agree
    money: dict[tuple, dict] = {}
    for p in rows:
        key = (p["service_id"], p["vehicle_id"])
        figures = tuple([_num(p[c]) for c in PLACEMENT_MONEY] + [tuple(p["ramp"] or [])])
        if key in money and money[key]["figures"] != figures:
            problems.append(Problem(src["placements"], p.get("source_row"), "site_id",
                                    f"conflicting site rows: {key[0]} into {key[1]} carries different money at site "
                                    f"'{p['site_id']}' than at '{money[key]['row']['site_id']}' (row "
                                    f"{money[key]['row'].get('source_row')}); give one figure per service and vehicle"))
            continue
        money.setdefault(key, {"figures": figures, "row": p})
    if problems:
        raise StudyError(problems)
    has_money = {k for k, m in money.items() if any(m["figures"][:3])}
    vehicles_with_money = {v for _, v in has_money}

    apportionments: list[dict] = []
    for table, id_col in (("benefits", "benefit_id"), ("costs", "cost_id")):
        frame = t[table].copy()
        frame["trigger"] = ["vehicle" if v is not None else "option" for v in frame["vehicle_id"]]
        frame["apportion"] = None
        # format 1: a blank start year meant the first year; format 2 reads blank as "from the trigger's year"
        frame["start_year"] = [study.years[0] if (y is None and v is not None) else y
                               for y, v in zip(frame["start_year"], frame["vehicle_id"])]
        for pos, row in enumerate(frame.itertuples(index=False)):
            if not row.in_placements:
                continue
            v = row.vehicle_id
            if v is None or v not in vehicles_with_money:
                notes.append(f"{table} line '{getattr(row, id_col)}' was marked in_placements but no placement into "
                             f"{v} carries money: it stays a vehicle line")
                continue
            pick = 0 if table == "benefits" else 1
            weights = {s: _placement_money(money[(s, vv)]["row"])[pick] for (s, vv) in sorted(has_money) if vv == v}
            if not any(weights.values()):
                weights = {s: sum(_placement_money(money[(s, vv)]["row"])) for (s, vv) in sorted(has_money) if vv == v}
            frame.iat[pos, frame.columns.get_loc("apportion")] = "shares"
            for s, w in weights.items():
                if w > 0:
                    apportionments.append({"line_id": getattr(row, id_col), "service_id": s, "share": w,
                                           "source": "reformkit upgrade: share of the format-1 placement money",
                                           "source_row": row.source_row})
        frame["in_placements"] = False
        t[table] = frame

    new_benefits, new_costs = [], []
    apportioned = {r.vehicle_id for name in ("benefits", "costs") for r in t[name].itertuples() if r.apportion}
    for (s, v), m in sorted(money.items()):
        if v in apportioned:
            continue  # the component lines carry this money (rule 2)
        p = m["row"]
        run, once, change = _num(p["benefit_run_rate_gbp"]), _num(p["transition_cost_gbp"]), \
            _num(p["running_cost_change_gbp_per_year"])
        if not (run or once or change):
            continue
        base = {"component": f"transfer:{v}", "trigger": "service", "vehicle_id": v, "service_id": s,
                "options": [], "tags": [], "source": f"reformkit upgrade of {src['placements']} row {p.get('source_row')}: "
                                                     f"{p.get('source') or ''}".strip(),
                "source_row": p.get("source_row")}
        if run:
            new_benefits.append(base | {"benefit_id": f"{s}-{v}-benefit", "category": "cashable", "run_rate_gbp": run,
                                        "ramp": list(p["ramp"] or []), "recipient": providers.get(s),
                                        "confidence": "medium", "in_placements": False})
        if change < 0:
            new_benefits.append(base | {"benefit_id": f"{s}-{v}-saving", "category": "cashable",
                                        "run_rate_gbp": -change, "ramp": [], "recipient": providers.get(s),
                                        "confidence": "medium", "in_placements": False})
        if once:
            new_costs.append(base | {"cost_id": f"{s}-{v}-transition", "kind": "one_off", "category": "revenue",
                                     "amount_gbp": once, "quantity": 1.0, "payer": providers.get(s),
                                     "in_placements": False})
        if change > 0:
            new_costs.append(base | {"cost_id": f"{s}-{v}-running", "kind": "recurring", "category": "revenue",
                                     "amount_gbp": change, "quantity": 1.0, "payer": providers.get(s),
                                     "in_placements": False})
    sites = t["sites"]
    for r in sites.itertuples(index=False):
        base = {"component": "sites", "trigger": "site", "site_id": r.site_id, "vehicle_id": None, "category": "revenue",
                "quantity": 1.0, "payer": None, "options": [], "tags": [], "in_placements": False,
                "source": f"reformkit upgrade of {src['sites']} row {r.source_row}", "source_row": r.source_row}
        if _num(r.running_cost_gbp_per_year):
            new_costs.append(base | {"cost_id": f"site-{r.site_id}-running", "kind": "recurring",
                                     "amount_gbp": _num(r.running_cost_gbp_per_year)})
        if _num(r.open_cost_gbp):
            new_costs.append(base | {"cost_id": f"site-{r.site_id}-open", "kind": "one_off",
                                     "amount_gbp": _num(r.open_cost_gbp)})
    if len(sites):
        t["sites"] = sites.assign(running_cost_gbp_per_year=None, open_cost_gbp=None)
    t["benefits"] = _defaults(_append(t["benefits"], new_benefits), "benefits")
    t["costs"] = _defaults(_append(t["costs"], new_costs), "costs")
    if len(placements):
        t["placements"] = placements.assign(benefit_run_rate_gbp=None, transition_cost_gbp=None,
                                            running_cost_change_gbp_per_year=None, ramp=[[] for _ in range(len(placements))])
    if apportionments:
        t["apportionments"] = _defaults(_append(t["apportionments"], apportionments), "apportionments")
        src["apportionments"] = src["benefits"]
    study.config = study.config.model_copy(update={"format": 2})
    study.notes.append(DEPRECATION.format(name=study.name, path=study.path))
    study.notes.extend(notes)


def _defaults(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Fill the model's defaults into columns a rewrite left blank (lists stay lists)."""
    model = TABLE_MODELS[table]
    for name, f in model.model_fields.items():
        if name not in frame.columns:
            frame[name] = None
        default = f.get_default(call_default_factory=True)
        if default is not None:
            frame[name] = [default if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in frame[name]]
    for col in frame.columns:
        values = frame[col].tolist()
        if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            frame[col] = pd.Series(values, dtype="float64" if any(isinstance(v, float) for v in values) else "int64",
                                   index=frame.index)
    return frame


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ";".join(repr(v) if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


FORMAT_1_ONLY = {"placements": PLACEMENT_MONEY + ["ramp"], "sites": ["running_cost_gbp_per_year", "open_cost_gbp"],
                 "benefits": ["in_placements"], "costs": ["in_placements"]}


def write_study(study, out: Path) -> list[Path]:
    """Write a loaded (format-2) study as CSV tables and a study.yaml with `format: 2`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in TABLE_MODELS.items():
        frame = study.tables[name]
        if frame.empty:
            continue
        cols = [c for c in model.model_fields if c not in FORMAT_1_ONLY.get(name, [])]
        # keep a column only where some row says something other than the default
        keep = []
        for c in cols:
            f = model.model_fields[c]
            default = f.get_default(call_default_factory=True)
            if f.is_required() or c == "source" or any(v != default and _cell(v) != _cell(default) for v in frame[c]):
                keep.append(c)
        keep = [c for c in keep if c != "source"] + ["source"]
        text = pd.DataFrame({c: [_cell(v) for v in frame[c]] for c in keep})
        path = out / f"{name}.csv"
        text.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    text = (study.path / "study.yaml").read_text()
    data = yaml.safe_load(text) or {}
    if "workbook" in data or "tables" in data:  # the tables are now CSV files of the default names
        data.pop("workbook", None)
        data.pop("tables", None)
        data = {"format": 2, **{k: v for k, v in data.items() if k != "format"}}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    else:  # keep the author's layout and comments
        lines = [ln for ln in text.splitlines() if not ln.startswith("format:")]
        text = "format: 2  # the one-ledger format: every pound entered once (docs/money.md)\n" + "\n".join(lines) + "\n"
    (out / "study.yaml").write_text(text)
    written.append(out / "study.yaml")
    return written
