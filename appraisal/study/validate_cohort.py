"""Checks of the cohort (care pathway) tables: ids, references, scenarios, shares and entrant years."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from appraisal.study.errors import Problem

if TYPE_CHECKING:
    from appraisal.study.load import Study

COHORT_KEYS = {
    "cohort_models": ["model_id"],
    "cohort_states": ["model_id", "state_id", "scenario"],
    "cohort_transitions": ["model_id", "scenario", "from_state", "to_state"],
    "cohort_entrants": ["model_id", "scenario", "state_id", "year"],
}


def _row(frame: pd.DataFrame, pos: int) -> int | None:
    return int(frame["source_row"].iloc[pos]) if "source_row" in frame else None


def cohort_problems(study: "Study") -> list[Problem]:
    t, src = study.tables, study.sources
    models, states = t["cohort_models"], t["cohort_states"]
    transitions, entrants = t["cohort_transitions"], t["cohort_entrants"]
    if models.empty and states.empty and transitions.empty and entrants.empty:
        return []
    out: list[Problem] = []
    for name, keys in COHORT_KEYS.items():
        frame = t[name]
        for pos in [frame.index.get_loc(i) for i in frame.index[frame.duplicated(subset=keys, keep="first")]]:
            value = ", ".join(str(frame[k].iloc[pos]) for k in keys)
            out.append(Problem(src[name], _row(frame, pos), keys[0], f"duplicate {'/'.join(keys)} '{value}'"))
    model_ids = set(models["model_id"]) | study.raw_ids.get("cohort_models.model_id", set())
    scenarios = {"today"} | set(t["options"]["option_id"])
    partners = set(t["partners"]["partner_id"]) | set(t["allocations"]["allocation_id"])
    vehicles = set(t["vehicles"]["vehicle_id"])
    years = set(study.years)
    for pos, m in enumerate(models.itertuples(index=False)):
        if m.vehicle_id is not None and m.vehicle_id not in vehicles:
            out.append(Problem(src["cohort_models"], _row(models, pos), "vehicle_id",
                               f"'{m.vehicle_id}' is not a vehicle_id in {src['vehicles']}"))
        if m.party is not None and m.party not in partners:
            out.append(Problem(src["cohort_models"], _row(models, pos), "party",
                               f"'{m.party}' is not a partner_id in {src['partners']} or an allocation_id in {src['allocations']}"))
        if m.start_year is not None and m.start_year not in years:
            out.append(Problem(src["cohort_models"], _row(models, pos), "start_year",
                               f"year {m.start_year} is outside the horizon {study.years[0]} to {study.years[-1]}"))
        if not ((states["model_id"] == m.model_id) & (states["scenario"] == "today")).any():
            out.append(Problem(src["cohort_models"], _row(models, pos), "model_id",
                               f"model '{m.model_id}' has no states for scenario 'today' in {src['cohort_states']}"))
    known_states = {(r.model_id, r.state_id) for r in states.itertuples(index=False) if r.scenario == "today"}
    for name, columns in (("cohort_states", ["state_id"]), ("cohort_transitions", ["from_state", "to_state"]),
                          ("cohort_entrants", ["state_id"])):
        frame = t[name]
        for pos, r in enumerate(frame.itertuples(index=False)):
            if r.model_id not in model_ids:
                out.append(Problem(src[name], _row(frame, pos), "model_id",
                                   f"'{r.model_id}' is not a model_id in {src['cohort_models']}"))
                continue
            if r.scenario not in scenarios:
                out.append(Problem(src[name], _row(frame, pos), "scenario",
                                   f"'{r.scenario}' is not 'today' or an option_id in {src['options']}"))
            for col in columns:
                value = getattr(r, col)
                if name != "cohort_states" and (r.model_id, value) not in known_states:
                    out.append(Problem(src[name], _row(frame, pos), col,
                                       f"'{value}' is not a state of model '{r.model_id}' (scenario 'today') in "
                                       f"{src['cohort_states']}"))
                if name == "cohort_states" and r.scenario != "today" and (r.model_id, value) not in known_states:
                    out.append(Problem(src[name], _row(frame, pos), col,
                                       f"option '{r.scenario}' restates state '{value}', which model '{r.model_id}' "
                                       "does not have today; give its 'today' row first"))
            if name == "cohort_states" and r.scenario != "today" and r.opening_people is not None:
                out.append(Problem(src[name], _row(frame, pos), "opening_people",
                                   "the opening caseload is today's; leave opening_people blank on an option's row"))
            if name == "cohort_entrants" and r.year not in years:
                out.append(Problem(src[name], _row(frame, pos), "year",
                                   f"year {r.year} is outside the horizon {study.years[0]} to {study.years[-1]}"))
    for (model, scenario, from_state), group in transitions.groupby(["model_id", "scenario", "from_state"], sort=True):
        given = [s for s in group["share"] if s is not None and s == s]
        blanks = len(group) - len(given)
        first = _row(group, 0)
        if blanks > 1:
            out.append(Problem(src["cohort_transitions"], first, "share",
                               f"model '{model}', scenario '{scenario}': {blanks} rows out of '{from_state}' leave share "
                               "blank; at most one row can take the rest"))
        if sum(given) > 1 + 1e-9:
            out.append(Problem(src["cohort_transitions"], first, "share",
                               f"model '{model}', scenario '{scenario}': shares out of '{from_state}' sum to "
                               f"{sum(given):.6g}, more than 1"))
    today = entrants[entrants["scenario"] == "today"]
    for (model, state), group in today.groupby(["model_id", "state_id"], sort=True):
        missing = [y for y in study.years if y not in set(group["year"])]
        if missing:
            out.append(Problem(src["cohort_entrants"], _row(group, 0), "year",
                               f"model '{model}', state '{state}': today's entrants have no row for "
                               f"{', '.join(missing)}; give every year of the horizon (0 where none)"))
    return out
