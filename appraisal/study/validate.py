"""Cross-reference checks: duplicate ids, dangling references, years outside the horizon, shares."""
from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING

import pandas as pd

from appraisal.study.errors import Problem
from appraisal.study.periods import GATE_COLUMNS, label_problem, period_problems
from appraisal.study.validate_cohort import cohort_problems
from appraisal.study.validate_more import more_problems

if TYPE_CHECKING:
    from appraisal.study.load import Study

# table -> its key columns (a duplicate key is an error)
KEYS: dict[str, list[str]] = {
    "services": ["service_id"], "vehicles": ["vehicle_id"], "sites": ["site_id"], "partners": ["partner_id"],
    "governance": ["vehicle_id", "partner_id"], "placements": ["service_id", "vehicle_id", "site_id"],
    "benefits": ["benefit_id"], "costs": ["cost_id"], "benefit_profiles": ["stream_id", "year"],
    "cost_profiles": ["stream_id", "year"], "allocations": ["allocation_id", "recipient_id"],
    "options": ["option_id"], "value_drivers": ["driver_id"], "driver_scores": ["driver_id", "option_id"],
    "positions": ["partner_id", "scenario", "line", "year"], "targets": ["target_id"],
    "uncertainties": ["parameter"], "precedence": ["before_service_id", "after_service_id"],
    "cost_curves": ["vehicle_id", "volume"], "limits": ["limit", "year"], "apportionments": ["line_id", "service_id"],
    "interventions": ["package", "kind", "partner_id", "vehicle_id"], "stances": ["partner_id", "vehicle_id"],
    "decision_dates": ["partner_id", "vehicle_id", "date"], "elections": ["partner_id", "date"],
    "vehicle_dependencies": ["vehicle_id", "requires_vehicle_id"], "floors": ["floor_id"],
}
# tables without a key: an exact duplicate row (ignoring source and notes) is harmless, one warning
HARMLESS_DUPLICATES = ("option_rules",)
IGNORED_IN_DUPLICATES = {"source", "notes", "source_row"}

# (table, from column, to column): the links must not form a cycle
LINKS = [("precedence", "before_service_id", "after_service_id"), ("options", "builds_on", "option_id"),
         ("options", "view_of", "option_id")]  # vehicle_dependencies: _dependency_problems
UNCERTAINTY_TARGETS = ("benefits", "costs", "delay_years", "discount_rate_pct")
BENEFIT_CATEGORIES = ("cashable", "non_cashable", "societal")
COST_CATEGORIES = ("capital", "revenue")

# (table, column) -> (table it must name, that table's id column, or several alternatives)
REFERENCES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("services", "current_provider", [("partners", "partner_id")]),
    ("services", "current_vehicle_id", [("vehicles", "vehicle_id")]),
    ("services", "current_site_id", [("sites", "site_id")]),
    ("sites", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("governance", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("governance", "partner_id", [("partners", "partner_id")]),
    ("placements", "service_id", [("services", "service_id")]),
    ("placements", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("placements", "site_id", [("sites", "site_id")]),
    ("benefits", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("benefits", "service_id", [("services", "service_id")]),
    ("benefits", "recipient", [("partners", "partner_id"), ("allocations", "allocation_id")]),
    ("costs", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("costs", "service_id", [("services", "service_id")]),
    ("costs", "payer", [("partners", "partner_id"), ("allocations", "allocation_id")]),
    ("benefits", "site_id", [("sites", "site_id")]),
    ("costs", "site_id", [("sites", "site_id")]),
    ("apportionments", "service_id", [("services", "service_id")]),
    ("cost_curves", "payer", [("partners", "partner_id"), ("allocations", "allocation_id")]),
    ("benefit_profiles", "stream_id", [("benefits", "benefit_id")]),
    ("cost_profiles", "stream_id", [("costs", "cost_id")]),
    ("allocations", "recipient_id", [("partners", "partner_id"), ("services", "service_id")]),
    ("options", "builds_on", [("options", "option_id")]),
    ("options", "view_of", [("options", "option_id")]),
    ("option_rules", "option_id", [("options", "option_id")]),
    ("option_rules", "service_id", [("services", "service_id")]),
    ("option_rules", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("option_rules", "site_id", [("sites", "site_id")]),
    ("precedence", "before_service_id", [("services", "service_id")]),
    ("precedence", "after_service_id", [("services", "service_id")]),
    ("vehicle_dependencies", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("vehicle_dependencies", "requires_vehicle_id", [("vehicles", "vehicle_id")]),
    ("floors", "option_id", [("options", "option_id")]),
    ("floors", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("driver_scores", "driver_id", [("value_drivers", "driver_id")]),
    ("driver_scores", "option_id", [("options", "option_id")]),
    ("positions", "partner_id", [("partners", "partner_id")]),
    ("targets", "option_id", [("options", "option_id")]),
    ("cost_curves", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("interventions", "partner_id", [("partners", "partner_id")]),
    ("interventions", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("vehicles", "lead_partner_id", [("partners", "partner_id")]),
    ("stances", "partner_id", [("partners", "partner_id")]),
    ("stances", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("decision_dates", "partner_id", [("partners", "partner_id")]),
    ("decision_dates", "vehicle_id", [("vehicles", "vehicle_id")]),
    ("elections", "partner_id", [("partners", "partner_id")]),
]

YEAR_COLUMNS = [
    ("vehicles", "earliest_year"), ("vehicles", "planned_year"), ("benefits", "start_year"),
    ("costs", "start_year"), ("costs", "end_year"), ("benefit_profiles", "year"), ("cost_profiles", "year"),
    ("option_rules", "year"), ("limits", "year"), ("floors", "year"),
]


def _row(frame: pd.DataFrame, i: int) -> int | None:
    """The spreadsheet row of a table's row i (None: a whole-table problem, or a row reformkit made itself)."""
    value = frame["source_row"].iloc[i] if "source_row" in frame else None
    return None if value is None or value != value else int(value)


def cross_reference_problems(study: "Study") -> list[Problem]:
    t, src = study.tables, study.sources
    problems: list[Problem] = []

    for name, keys in KEYS.items():
        frame = t.get(name)
        if frame is None or frame.empty or not set(keys) <= set(frame.columns):
            continue
        seen: dict[tuple, int] = {}
        for pos, key in enumerate(frame[keys].astype(str).itertuples(index=False, name=None)):
            if key not in seen:
                seen[key] = pos  # its spreadsheet row is looked up only if the key repeats
                continue
            value = ", ".join(str(frame[k].iloc[pos]) for k in keys if frame[k].iloc[pos] is not None)
            problems.append(Problem(src[name], _row(frame, pos), keys[0],
                                    f"duplicate {'/'.join(keys)} '{value}' (first on row {_row(frame, seen[key])})"))
            study.flawed.add(name)
    for name in HARMLESS_DUPLICATES:
        frame = t.get(name)
        if frame is None or frame.empty:
            continue
        cols = [c for c in frame.columns if c not in IGNORED_IN_DUPLICATES]
        dup = frame.astype(str).duplicated(subset=cols, keep="first")
        if dup.any():
            rows = [str(_row(frame, frame.index.get_loc(i))) for i in frame.index[dup]]
            study.warnings.append(Problem(src[name], None, None, f"row(s) {', '.join(rows)} repeat an earlier rule "
                                                                 "exactly; a rule counts once"))

    for name, column, targets in REFERENCES:
        frame = t.get(name)
        if frame is None or frame.empty or column not in frame:
            continue
        if any(table in study.unreadable for table, _ in targets):
            continue  # the table it refers to has its own problem; do not list every reference to it
        known: set[str] = set()
        for table, key in targets:
            # ids of rows that failed validation still count: their own problem is already reported
            known |= set(t[table][key].dropna()) | study.raw_ids.get(f"{table}.{key}", set())
        wanted = " or ".join(f"a {key} in {src[table]}" for table, key in targets)
        for pos, value in enumerate(frame[column]):
            if value is not None and value == value and value not in known:
                problems.append(Problem(src[name], _row(frame, pos), column, f"'{value}' is not {wanted}"))

    option_ids = set(t["options"]["option_id"]) | study.raw_ids.get("options.option_id", set())
    for name in ("benefits", "costs"):
        frame = t[name]
        if "options" in study.unreadable:
            break
        for pos, ids in enumerate(frame.get("options", [])):
            for oid in ids or []:
                if oid not in option_ids:
                    problems.append(Problem(src[name], _row(frame, pos), "options", f"'{oid}' is not an option_id in {src['options']}"))

    years = set(study.years)
    span = f"{study.years[0]} to {study.years[-1]}"
    for name, column in YEAR_COLUMNS:
        frame = t[name]
        gate = (name, column) in GATE_COLUMNS  # a year, or a period in a study by quarters or months
        for pos, value in enumerate(frame.get(column, [])):
            if value is None or value != value:
                continue
            if gate:
                why = label_problem(value, study.years, study.period)
                if why:
                    problems.append(Problem(src[name], _row(frame, pos), column, why))
            elif value not in years:
                problems.append(Problem(src[name], _row(frame, pos), column, f"year {value} is outside the horizon {span}"))
    problems += period_problems(study)

    alloc = t["allocations"]
    if not alloc.empty and "allocations" not in study.flawed:
        for aid, group in alloc.groupby("allocation_id", sort=True):
            bases = set(group["basis"])
            if len(bases) > 1:
                problems.append(Problem(src["allocations"], _row(group, 0), "basis", f"allocation '{aid}' mixes bases {sorted(bases)}"))
            elif bases == {"pct"} and abs(group["weight"].sum() - 100) > 0.01:
                problems.append(Problem(src["allocations"], _row(group, 0), "weight",
                                        f"shares of allocation '{aid}' sum to {group['weight'].sum():g}%, expected 100%"))
            elif group["weight"].sum() <= 0:
                problems.append(Problem(src["allocations"], _row(group, 0), "weight", f"weights of allocation '{aid}' sum to 0"))

    benefits = t["benefits"]
    profiled = set(t["benefit_profiles"]["stream_id"])
    for pos, row in enumerate(benefits.itertuples(index=False) if "benefit_profiles" not in study.flawed else []):
        if row.run_rate_gbp is None and row.benefit_id not in profiled:
            problems.append(Problem(src["benefits"], _row(benefits, pos), "run_rate_gbp",
                                    f"benefit '{row.benefit_id}' has no run_rate_gbp and no rows in benefit_profiles"))

    for pos, row in enumerate(t["option_rules"].itertuples(index=False)):
        needs = {"force": ["service_id", "vehicle_id"], "forbid": ["service_id", "vehicle_id"],
                 "allow_vehicle": ["vehicle_id"], "forbid_vehicle": ["vehicle_id"], "forbid_kind": ["vehicle_kind"],
                 "force_year": ["service_id", "year"], "lock_site": ["site_id"],
                 "reference": ["service_id", "vehicle_id"], "keep_site": ["site_id"],
                 "release": ["site_id", "year"]}[row.rule]
        for col in needs:
            if getattr(row, col) is None:
                problems.append(Problem(src["option_rules"], _row(t["option_rules"], pos), col, f"rule '{row.rule}' needs {col}"))

    problems += cycle_problems(study)
    problems += adjustment_problems(study)
    problems += uncertainty_problems(study)
    problems += _floor_problems(study)
    problems += buyin_problems(study)
    problems += _dependency_problems(t["vehicle_dependencies"], src["vehicle_dependencies"])

    cfg = study.config
    if "options" in study.unreadable:
        return problems
    for oid in cfg.options:
        if oid not in option_ids:
            problems.append(Problem("study.yaml", None, "options", f"'{oid}' is not an option_id in {src['options']}"))
    if cfg.preferred_option and cfg.preferred_option not in option_ids:
        problems.append(Problem("study.yaml", None, "preferred_option", f"'{cfg.preferred_option}' is not an option_id in {src['options']}"))
    problems.extend(cohort_problems(study))  # the cohort, transfer, risk and Green Book toolkit tables
    problems.extend(more_problems(study))
    views = dict(zip(t["options"]["option_id"], t["options"]["view_of"])) if "view_of" in t["options"] else {}
    base = views.get(cfg.preferred_option)
    if base is not None and base == base:
        problems.append(Problem("study.yaml", None, "preferred_option", f"'{cfg.preferred_option}' is a view of "
                                                                        f"'{base}', not a choice; name '{base}'"))
    if cfg.workbook and cfg.tables:
        problems.append(Problem("study.yaml", None, "tables", f"a workbook study reads every table from "
                                                              f"{cfg.workbook}; remove `tables:` or `workbook:`"))
    repeated = sorted({o for o in cfg.options if cfg.options.count(o) > 1})
    if repeated:
        problems.append(Problem("study.yaml", None, "options", f"option(s) {', '.join(repeated)} listed twice"))
    return problems


def cycle_problems(study: "Study") -> list[Problem]:
    """A link that names its own row, and links that go round in a circle (never satisfiable)."""
    problems = []
    for name, source, target in LINKS:
        frame = study.tables.get(name)
        if frame is None or frame.empty or source not in frame or target not in frame:
            continue
        graph: dict[str, set[str]] = {}
        for pos, (a, b) in enumerate(zip(frame[source], frame[target])):
            if a is None or b is None or a != a or b != b:
                continue
            if a == b:
                problems.append(Problem(study.sources[name], _row(frame, pos), source, f"'{a}' refers to itself"))
                continue
            graph.setdefault(b, set()).add(a)
        try:
            tuple(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            cycle = exc.args[1]
            problems.append(Problem(study.sources[name], None, source,
                                    f"{source} → {target} links form a cycle {' → '.join(reversed(cycle))}: "
                                    "none of them can ever come first"))
    options = study.tables["options"]
    view_of = {o: v for o, v in zip(options["option_id"], options["view_of"]) if v is not None and v == v}
    for pos, (oid, base) in enumerate(zip(options["option_id"], options["view_of"])):
        if base in view_of and base != oid and view_of[base] != base:
            problems.append(Problem(study.sources["options"], _row(options, pos), "view_of",
                                    f"'{base}' is itself a view (of '{view_of[base]}'); name the option it views"))
    return problems


def adjustment_problems(study: "Study") -> list[Problem]:
    """Each adjustment's categories and components must name something in the study's lines."""
    problems = []
    lines = {"benefits": study.tables["benefits"], "costs": study.tables["costs"]}
    for i, adj in enumerate(study.config.adjustments):
        where = f"adjustments.{i}"
        known_categories = BENEFIT_CATEGORIES if adj.applies_to == "benefits" else COST_CATEGORIES
        for c in adj.categories:
            if c not in known_categories:
                problems.append(Problem("study.yaml", None, f"{where}.categories",
                                        f"'{c}' is not a {adj.applies_to[:-1]} category; expected some of: "
                                        f"{', '.join(known_categories)}"))
        frame = lines[adj.applies_to]
        components = set(frame["component"].dropna()) if "component" in frame else set()
        components |= study.raw_ids.get(f"{adj.applies_to}.component", set())
        components |= {f"transfer:{v}" for v in study.tables["placements"]["vehicle_id"].dropna()}
        if adj.applies_to == "costs":
            components |= {"sites"} if not study.tables["sites"].empty else set()
            components |= {"running cost curve"} if not study.tables["cost_curves"].empty else set()
        for c in adj.components:
            if c not in components:
                problems.append(Problem("study.yaml", None, f"{where}.components",
                                        f"'{c}' is not a component of any {adj.applies_to[:-1]} line; known: "
                                        f"{', '.join(sorted(components)) or 'none'}"))
    return problems


def uncertainty_problems(study: "Study") -> list[Problem]:
    """What each uncertainty scales must exist, and its distribution must have the figures it needs."""
    u = study.tables["uncertainties"]
    if u.empty or study.unreadable & {"benefits", "costs"}:
        return []
    t = study.tables
    raw = study.raw_ids
    known = _selector_names(study)
    # a cohort target is checked on the cohort tables only when they are sound (their problems are reported apart)
    cohorts_sound = not any(row.target.startswith("cohort:") for row in u.itertuples(index=False)) \
        or not cohort_problems(study)
    where = study.sources["uncertainties"]
    problems = []
    for pos, row in enumerate(u.itertuples(index=False)):
        problem = _target_problem(study, row, known, cohorts_sound)
        if problem:
            problems.append(Problem(where, _row(u, pos), "target", problem))
        wanted = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
                  "normal": ("mean", "sd")}[row.distribution]
        values = {k: getattr(row, k) for k in ("low", "mode", "high", "mean", "sd")}
        values = {k: (None if v is None or v != v else float(v)) for k, v in values.items()}
        missing = [k for k in wanted if values[k] is None]
        if missing:
            problems.append(Problem(where, _row(u, pos), missing[0],
                                    f"a {row.distribution} distribution needs {', '.join(wanted)}"))
            continue
        lo, mode, hi = values["low"], values["mode"], values["high"]
        if row.distribution == "uniform" and not lo < hi:
            problems.append(Problem(where, _row(u, pos), "high", f"expected low < high, got {lo:g} and {hi:g}"))
        elif row.distribution in ("triangular", "pert") and not (lo <= mode <= hi and lo < hi):
            problems.append(Problem(where, _row(u, pos), "mode",
                                    f"expected low ≤ mode ≤ high with low < high, got {lo:g}, {mode:g}, {hi:g}"))
        elif row.distribution == "normal" and not values["sd"] > 0:
            problems.append(Problem(where, _row(u, pos), "sd", f"expected sd > 0, got {values['sd']:g}"))
    return problems


def _floor_problems(study: "Study") -> list[Problem]:
    """A floor's selector names ledger entries that exist (partner:<id> or an uncertainty target)."""
    from appraisal.money.scenarios import target_problem

    t, src = study.tables, study.sources
    frame, out = t["floors"], []
    partners = set(t["partners"]["partner_id"])
    for pos, sel in enumerate(frame.get("selector", [])):
        if sel is None or sel != sel:
            continue
        prefix, _, name = sel.partition(":")
        if prefix == "partner":
            why = None if name in partners else f"'{sel}': no partner '{name}' in {src['partners']}"
        elif sel in ("benefits", "costs", "delay_years", "discount_rate_pct"):
            why = f"'{sel}' is not a selector: use the measure column for benefits/costs/net"
        else:
            why = target_problem(study, sel)
        if why:
            out.append(Problem(src["floors"], _row(frame, pos), "selector", why))
    return out


def buyin_problems(study: "Study") -> list[Problem]:
    """The buy-in evidence: deciding bodies on their boards, minimum memberships, months inside the horizon."""
    from appraisal.study.schema import fy_start

    t, src = study.tables, study.sources
    problems: list[Problem] = []
    gov = t["governance"]
    seats = {(v, p) for v, p in zip(gov["vehicle_id"], gov["partner_id"])}
    voters: dict[str, set[str]] = {}
    for v, p, w in zip(gov["vehicle_id"], gov["partner_id"], gov["voting_weight"]):
        if w and w > 0:
            voters.setdefault(v, set()).add(p)
    vehicles = t["vehicles"]
    for pos, row in enumerate(vehicles.itertuples(index=False)):
        if row.kind == "status_quo" or row.vehicle_id not in voters:
            continue
        if row.governance_rule == "lead_partner":
            lead = row.lead_partner_id
            if lead is None and len(voters[row.vehicle_id]) != 1:
                problems.append(Problem(src["vehicles"], _row(vehicles, pos), "lead_partner_id",
                                        f"lead_partner vehicle '{row.vehicle_id}' has {len(voters[row.vehicle_id])} "
                                        "voting members in governance: name the deciding body"))
            elif lead is not None and (row.vehicle_id, lead) not in seats:
                problems.append(Problem(src["vehicles"], _row(vehicles, pos), "lead_partner_id",
                                        f"'{lead}' has no governance row for '{row.vehicle_id}'"))
        if row.governance_rule == "opt_in" and row.min_members is not None:
            n = sum(1 for v, _ in seats if v == row.vehicle_id)
            if row.min_members > n:
                problems.append(Problem(src["vehicles"], _row(vehicles, pos), "min_members",
                                        f"{row.min_members} members needed but '{row.vehicle_id}' has {n} in governance"))
    start = fy_start(study.years[0])
    first, last = f"{start}-04", f"{start + len(study.years)}-03"
    for name in ("decision_dates", "elections"):
        frame = t[name]
        for pos, value in enumerate(frame.get("date", [])):
            if value is not None and not first <= value <= last:
                problems.append(Problem(src[name], _row(frame, pos), "date",
                                        f"{value} is outside the horizon {first} to {last}"))
    return problems


def _dependency_problems(deps: pd.DataFrame, file: str) -> list[Problem]:
    """A vehicle cannot require itself, and requirements must not go round in a circle."""
    problems: list[Problem] = []
    if deps.empty:
        return problems
    needs: dict[str, list[str]] = {}
    for pos, (v, r) in enumerate(zip(deps["vehicle_id"], deps["requires_vehicle_id"])):
        if v == r:
            problems.append(Problem(file, _row(deps, pos), "requires_vehicle_id", f"vehicle '{v}' cannot require itself"))
        elif v is not None and r is not None:
            needs.setdefault(v, []).append(r)
    seen: set[tuple] = set()
    for start in sorted(needs):
        stack = [(start, [start])]
        while stack:
            v, path = stack.pop()
            for r in needs.get(v, []):
                if r == start:
                    cycle = path + [start]
                    key = tuple(sorted(cycle[:-1]))
                    if key not in seen:
                        seen.add(key)
                        pos = next(i for i, (a, b) in enumerate(zip(deps["vehicle_id"], deps["requires_vehicle_id"]))
                                   if a == start and b == cycle[1])
                        problems.append(Problem(file, _row(deps, pos), "requires_vehicle_id",
                                                "vehicle dependencies go round in a circle: " + " requires ".join(cycle)))
                elif r not in path and len(path) < 50:
                    stack.append((r, path + [r]))
    return problems


def _selector_names(study: "Study") -> dict[str, set]:
    """What each selector prefix of an uncertainty target may name (appraisal/money/scenarios.py)."""
    t, raw = study.tables, study.raw_ids
    b, c = t["benefits"], t["costs"]
    names = {
        "benefit": set(b["benefit_id"]) | raw.get("benefits.benefit_id", set()),
        "cost": set(c["cost_id"]) | raw.get("costs.cost_id", set()),
        "component": set(b["component"]) | set(c["component"]) | raw.get("benefits.component", set())
                     | raw.get("costs.component", set()),
        "category": set(b["category"]) | set(c["category"]),
        "trigger": {"option", "vehicle", "service", "site", "release"},
        "vehicle": set(t["vehicles"]["vehicle_id"]),
        "tag": {tag for frame in (b, c) if "tags" in frame for tags in frame["tags"] for tag in (tags or [])},
    }
    names["line"] = names["benefit"] | names["cost"]
    return names


def _target_problem(study: "Study", row, known: dict[str, set], cohorts_sound: bool = True) -> str | None:
    """None when an uncertainty's target names something the study has; else what is wrong, in words."""
    target = row.target
    if target in UNCERTAINTY_TARGETS:
        return None
    if target.startswith("cohort:"):
        if not cohorts_sound:
            return None
        from appraisal.uncertainty.cohort_terms import cohort_target_problem

        high = row.high if row.high is not None and row.high == row.high else None
        return cohort_target_problem(study, target, high)
    prefix, _, name = target.partition(":")
    if prefix in known and name in known[prefix]:
        return None
    return (f"'{target}' is not one of {', '.join(UNCERTAINTY_TARGETS)}, or benefit:/cost:/line:<id>, "
            "component:/category:<name>, trigger:<kind>, vehicle:<id>, tag:<tag> or cohort:<model>:… naming "
            "something in the study")
