"""A study's cohort models (cohort_* tables) as arrays for `appraisal.money.cohort`, and their money lines.

Each model is run twice per option: today's pathway throughout, and the option's target operating model
(today's figures, with the option's restated states, transitions and entrants from its start year). The
yearly cost difference by state, today − option, becomes money lines: a saving is a benefit line, an
extra cost (e.g. more reablement) a cost line. Stream ids are `cohort:<model>:<state>`.

Rates are parameters: `CohortSpec.difference(option, start, values)` takes values keyed by a target of
the uncertainty grammar (see `parse_target`), so a sensitivity sample re-runs the pathway, not a frozen £.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.money.cohort import CohortInputs, run_cohort, yearly_entrants
from appraisal.study import Study

PREFIX = "cohort:"


@dataclass
class Scenario:
    shares: np.ndarray  # (S, S) explicit shares (remainder cells 0)
    remainder: np.ndarray  # (S,) index of the state taking the rest of each row, -1 = none (the rest leaves)
    cost_per_year: np.ndarray  # (S,)
    cost_per_entry: np.ndarray  # (S,)
    entrants: np.ndarray  # (Y, S) a year
    stated: set = field(default_factory=set)  # (from, to) index pairs this scenario states itself


@dataclass
class CohortSpec:
    """One cohort model on arrays: its states, today's scenario and each option's target operating model."""

    model_id: str
    states: list[str]
    periods_per_year: int
    start: int  # year index the options' models start (before a plan moves it)
    vehicle_id: str | None
    component: str
    category: str
    party: str | None
    opening: np.ndarray
    today: Scenario
    options: dict[str, Scenario]

    def index(self, state: str) -> int:
        return self.states.index(state)

    def scenario(self, option_id: str | None) -> Scenario:
        return self.today if option_id in (None, "today") else self.options.get(option_id, self.today)

    def _matrix(self, sc: Scenario, overrides: Mapping[tuple, float], who: str) -> np.ndarray:
        p = sc.shares.copy()
        for (i, j), value in overrides.items():
            p[i, j] = value
        rows = np.flatnonzero(sc.remainder >= 0)
        rest = 1.0 - p[rows].sum(axis=1)
        if (rest < -1e-9).any():
            i = rows[int(np.argmin(rest))]
            raise ValueError(f"cohort model '{self.model_id}', {who}: shares out of '{self.states[i]}' sum to "
                             f"{1 - rest.min():.6g}, more than 1")
        p[rows, sc.remainder[rows]] += np.clip(rest, 0.0, None)
        return p

    def run(self, option_id: str | None, start: int | None = None, values: Mapping[str, float] | None = None):
        """The cohort result of today (option_id None) or of an option whose model starts in year `start`."""
        values = values or {}
        n_years = self.today.entrants.shape[0]
        m = self.periods_per_year
        start = self.start if start is None else start
        today_shares, option_shares, scale, cost_scale = {}, {}, 1.0, np.ones(len(self.states))
        for target, value in values.items():
            if target_model(target) != self.model_id:
                continue
            kind, scope, what = parse_target(target)
            if kind == "share":
                pair = (self.index(what[0]), self.index(what[1]))
                if scope == "today":
                    today_shares[pair] = value
                elif scope is None or scope == option_id:
                    if option_id is not None and pair in self.scenario(option_id).stated:
                        option_shares[pair] = value
            elif kind == "entrants":
                scale *= value
            elif kind == "unit_cost":
                cost_scale[self.index(what)] *= value
        p_today = self._matrix(self.today, today_shares, "today")
        sc = self.scenario(option_id)
        if option_id is None or sc is self.today or start >= n_years:
            p = p_today[None].repeat(n_years * m, axis=0)
            per_year = np.tile(self.today.cost_per_year * cost_scale, (n_years * m, 1))
            per_entry = np.tile(self.today.cost_per_entry * cost_scale, (n_years * m, 1))
            yearly = self.today.entrants
        else:
            start = max(start, 0)
            restated_rows = {i for i, _ in sc.stated}
            inherited = {k: v for k, v in today_shares.items() if k[0] not in restated_rows}
            p_option = self._matrix(sc, {**inherited, **option_shares}, f"option '{option_id}'")
            k0 = start * m
            p = np.concatenate([p_today[None].repeat(k0, axis=0), p_option[None].repeat(n_years * m - k0, axis=0)])
            before = np.arange(n_years * m) < k0
            per_year = np.where(before[:, None], self.today.cost_per_year, sc.cost_per_year) * cost_scale
            per_entry = np.where(before[:, None], self.today.cost_per_entry, sc.cost_per_entry) * cost_scale
            yearly = np.where((np.arange(n_years) < start)[:, None], self.today.entrants, sc.entrants)
        entrants = yearly_entrants(yearly * scale, m)
        return run_cohort(CohortInputs(p, entrants, self.opening, per_year, per_entry, m))

    def difference(self, option_id: str, start: int | None = None,
                   values: Mapping[str, float] | None = None) -> np.ndarray:
        """(Y, S) yearly cost of today minus the option's: positive = a saving."""
        if option_id not in self.options:
            return np.zeros_like(self.today.entrants)
        today = self.run(None, values=values).yearly_cost
        return today - self.run(option_id, start, values).yearly_cost


def parse_target(target: str) -> tuple[str, str | None, object]:
    """`cohort:<model>[:<scenario>]:<from>><to>` → ('share', scenario or None, (from, to) as given);
    `cohort:<model>:entrants` → ('entrants', None, None) (a multiplier on every scenario's entrants);
    `cohort:<model>:unit_cost:<state>` → ('unit_cost', None, state) (a multiplier on the state's unit cost)."""
    parts = target.split(":")
    if len(parts) == 3 and parts[2] == "entrants":
        return "entrants", None, None
    if len(parts) == 4 and parts[2] == "unit_cost":
        return "unit_cost", None, parts[3]
    if len(parts) in (3, 4) and ">" in parts[-1]:
        frm, _, to = parts[-1].partition(">")
        return "share", parts[2] if len(parts) == 4 else None, (frm, to)
    raise ValueError(f"'{target}' is not cohort:<model>:<from>><to>, cohort:<model>:<scenario>:<from>><to>, "
                     "cohort:<model>:entrants or cohort:<model>:unit_cost:<state>")


def target_model(target: str) -> str:
    return target.split(":")[1]


def check_target(spec: CohortSpec, target: str, high: float | None = None) -> str | None:
    """None if `target` names something this model has (and, for a share, `high` keeps its row at most 1);
    else what is wrong, in words."""
    try:
        kind, scope, what = parse_target(target)
    except ValueError as exc:
        return str(exc)
    if kind == "unit_cost" and what not in spec.states:
        return f"model '{spec.model_id}' has no state '{what}'"
    if kind != "share":
        return None
    frm, to = what
    for state in (frm, to):
        if state not in spec.states:
            return f"model '{spec.model_id}' has no state '{state}'"
    pair = (spec.index(frm), spec.index(to))
    if scope == "today":
        sc = [spec.today]
    elif scope is None:
        sc = [s for s in spec.options.values() if pair in s.stated]
        if not sc:
            return (f"no option of model '{spec.model_id}' states the share {frm}>{to}; restate it in an option's "
                    "cohort_transitions rows, or target cohort:<model>:today:<from>><to>")
    elif scope in spec.options:
        sc = [spec.options[scope]]
        if pair not in sc[0].stated:
            return f"option '{scope}' of model '{spec.model_id}' does not state the share {frm}>{to}"
    else:
        return f"model '{spec.model_id}' has no target operating model for '{scope}'"
    if scope == "today" and pair not in spec.today.stated:
        return f"today's pathway of model '{spec.model_id}' has no share {frm}>{to}"
    for s in sc:
        if s.remainder[pair[0]] == pair[1]:
            return (f"{frm}>{to} takes the rest of '{frm}' (its share is blank) in model '{spec.model_id}'; vary "
                    "another share out of the same state")
        others = float(s.shares[pair[0]].sum() - s.shares[pair[0], pair[1]])
        if high is not None and others + high > 1 + 1e-9:
            return (f"at its high value {high:g} the shares out of '{frm}' would sum to {others + high:.6g}, more "
                    f"than 1 (the other rows out of '{frm}' take {others:.6g})")
        if high is not None and high < 0:
            return f"a share cannot be negative, the range reaches {high:g}"
    return None


def _scenario_tables(study: Study, model_id: str):
    t = study.tables
    pick = lambda name: t[name][t[name]["model_id"] == model_id]  # noqa: E731
    return pick("cohort_states"), pick("cohort_transitions"), pick("cohort_entrants")


def _scenario(states: list[str], years: list[str], rows_states: pd.DataFrame, rows_trans: pd.DataFrame,
              rows_entr: pd.DataFrame, base: Scenario | None) -> Scenario:
    """A scenario's arrays: `base` (today's) with this scenario's rows replacing what they restate."""
    S, Y = len(states), len(years)
    idx = {s: i for i, s in enumerate(states)}
    yidx = {y: i for i, y in enumerate(years)}
    if base is None:
        sc = Scenario(np.zeros((S, S)), np.full(S, -1), np.zeros(S), np.zeros(S), np.zeros((Y, S)))
    else:
        sc = Scenario(base.shares.copy(), base.remainder.copy(), base.cost_per_year.copy(),
                      base.cost_per_entry.copy(), base.entrants.copy())
    for r in rows_states.itertuples(index=False):
        i = idx[r.state_id]
        sc.cost_per_year[i], sc.cost_per_entry[i] = (r.unit_cost_gbp, 0.0) if r.cost_basis == "per_year" \
            else (0.0, r.unit_cost_gbp)
    for frm, group in rows_trans.groupby("from_state", sort=False):
        i = idx[frm]
        sc.shares[i] = 0.0
        sc.remainder[i] = -1
        for r in group.itertuples(index=False):
            j = idx[r.to_state]
            sc.stated.add((i, j))
            if r.share is None or r.share != r.share:
                sc.remainder[i] = j
            else:
                sc.shares[i, j] = float(r.share)
    for r in rows_entr.itertuples(index=False):
        sc.entrants[yidx[r.year], idx[r.state_id]] = float(r.people)
    return sc


def cohort_specs(study: Study) -> dict[str, CohortSpec]:
    """Every cohort model of a validated study, as arrays (built once per study)."""
    key = ("cohort_specs",)
    if key not in study.cache:
        study.cache[key] = _cohort_specs(study)
    return study.cache[key]


def _cohort_specs(study: Study) -> dict[str, CohortSpec]:
    out: dict[str, CohortSpec] = {}
    for m in study.tables["cohort_models"].itertuples(index=False):
        states_t, trans_t, entr_t = _scenario_tables(study, m.model_id)
        today_states = states_t[states_t["scenario"] == "today"]
        states = list(today_states["state_id"])
        opening = np.array([float(v) if v is not None and v == v else 0.0 for v in today_states["opening_people"]])
        today = _scenario(states, study.years, today_states, trans_t[trans_t["scenario"] == "today"],
                          entr_t[entr_t["scenario"] == "today"], None)
        options = {}
        named = (set(states_t["scenario"]) | set(trans_t["scenario"]) | set(entr_t["scenario"])) - {"today"}
        for oid in sorted(named):
            options[oid] = _scenario(states, study.years, states_t[states_t["scenario"] == oid],
                                     trans_t[trans_t["scenario"] == oid], entr_t[entr_t["scenario"] == oid], today)
        out[m.model_id] = CohortSpec(m.model_id, states, int(m.periods_per_year), study.year_index(m.start_year),
                                     m.vehicle_id, m.component, m.category, m.party, opening, today, options)
    return out


def extended(spec: CohortSpec, years: int) -> CohortSpec:
    """The model run `years` past the horizon, each scenario's entrants holding their last year's figure (a
    reformkit assumption, used only where a plan moves the model earlier and the horizon needs those years)."""
    if years <= 0:
        return spec

    def grow(sc: Scenario) -> Scenario:
        return dataclasses.replace(sc, entrants=np.vstack([sc.entrants, np.repeat(sc.entrants[-1:], years, axis=0)]))

    return dataclasses.replace(spec, today=grow(spec.today), options={o: grow(sc) for o, sc in spec.options.items()})


def model_anchor(study: Study, spec: CohortSpec) -> tuple[str, int]:
    """(trigger, anchor year in the document's plan): a model tied to a (non status-quo) vehicle is triggered
    by it and anchored on its planned year (else the model's start year); any other model is the option's."""
    if spec.vehicle_id is None:
        return "option", 0
    vehicles = study.tables["vehicles"].set_index("vehicle_id")
    if vehicles.at[spec.vehicle_id, "kind"] == "status_quo":
        return "option", 0
    planned = vehicles.at[spec.vehicle_id, "planned_year"]
    return "vehicle", (spec.start if planned is None else study.year_index(planned))


def line_frame(spec: CohortSpec, trigger: str) -> pd.DataFrame:
    """The model's lines in the ledger's entry columns: each state's benefit line (a saving), then its cost
    line (an extra cost, category revenue); both carry the line id `cohort:<model>:<state>`."""
    S = len(spec.states)
    return pd.DataFrame({
        "line_id": [f"{PREFIX}{spec.model_id}:{s}" for s in spec.states] * 2,
        "kind": ["benefit"] * S + ["cost"] * S, "component": spec.component,
        "category": [spec.category] * S + ["revenue"] * S, "trigger": trigger, "vehicle_id": spec.vehicle_id,
        "service_id": None, "site_id": None, "party": spec.party, "phase": None, "tags": "", "share": 1.0,
        "anchor": trigger})


def cohort_entries(study: Study, option_id: str, L: int, pad: int,
                   values: Mapping[str, float] | None = None) -> list[tuple[dict, np.ndarray]]:
    """The option's cohort lines as ledger entries: (attributes, profile on the extended axis in document
    time), with `values` of cohort targets when given. The pathway is run to the end of the extended axis so
    a plan that moves a vehicle-tied model earlier finds its later years. Every state gets both lines (zero
    where it has no money) so the entries do not depend on the values."""
    if study.tables["cohort_models"].empty:
        return []
    out = []
    T = len(study.years)
    for spec in cohort_specs(study).values():
        if option_id not in spec.options:
            continue
        trigger, anchor0 = model_anchor(study, spec)
        diff = extended(spec, L - pad - T).difference(option_id, spec.start, values)
        frame = line_frame(spec, trigger)
        S = len(spec.states)
        for k, attrs in enumerate(frame.to_dict(orient="records")):
            profile = np.zeros(L)
            profile[pad:] = np.clip(diff[:, k] if k < S else -diff[:, k - S], 0, None)
            out.append((attrs | {"anchor0": anchor0}, profile))
    return out


def with_cohort_values(study: Study, ledger, values: Mapping[str, float]):
    """A copy of an option's ledger (appraisal.money.ledger.OptionLedger) with its cohort entries re-run
    under `values` of cohort targets (a sensitivity scenario)."""
    rows = np.flatnonzero(ledger.entries["line_id"].astype(str).str.startswith(PREFIX).to_numpy())
    if not len(rows):
        return ledger
    fresh = cohort_entries(study, ledger.option_id, ledger.central.shape[1], ledger.pad, values)
    central, low, high = ledger.central.copy(), ledger.low.copy(), ledger.high.copy()
    for i, (_, profile) in zip(rows, fresh):  # the ledger added them in this same order
        central[i] = low[i] = high[i] = profile
    return dataclasses.replace(ledger, central=central, low=low, high=high)


def cohort_summary(study: Study) -> dict:
    """results.json `cohorts`: per model, its states and, for today and each option that restates something,
    person-years, entries and cost by state and year (the option's model from its planned start)."""
    out = {}
    for spec in cohort_specs(study).values():
        scenarios = {"today": spec.run(None)} | {oid: spec.run(oid) for oid in spec.options if oid in study.option_ids}
        out[spec.model_id] = {
            "states": spec.states, "start_year": study.years[spec.start], "vehicle_id": spec.vehicle_id,
            "scenarios": {name: {
                "person_years": {s: dict(zip(study.years, map(float, r.yearly_person_years[:, i])))
                                 for i, s in enumerate(spec.states)},
                "entries": {s: dict(zip(study.years, map(float, r.yearly_arrivals[:, i])))
                            for i, s in enumerate(spec.states)},
                "cost_gbp": {s: dict(zip(study.years, map(float, r.yearly_cost[:, i])))
                             for i, s in enumerate(spec.states)},
            } for name, r in scenarios.items()},
        }
    return out
