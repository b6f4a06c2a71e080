"""The ledger: every benefit and cost line of a study, entered once, and THE function that turns (study,
option, plan, scenario) into yearly money by line: `plan_money`.

A line has an amount (run rate × ramp, one-off, recurring, or an explicit yearly profile), a category, a
component, tags, a payer or recipient and a *trigger* (see docs/money.md):

* `option`  — the programme: counted in every plan of the options it applies to, as entered;
* `vehicle` — counted when the plan establishes vehicle_id, shifted by (established year − the vehicle's
  planned year; the line's start year when the vehicle has none);
* `service` — counted when the plan moves service_id into vehicle_id, shifted by (transfer year − the year
  the document's plan moves it there; else the vehicle's planned or earliest year);
* `site`    — a cost counted from the year the plan opens site_id (one-off at opening, or recurring);
* `release` — counted when the plan releases existing building site_id (one with a lease break: anchor
  `building`, see appraisal.money.estates), else share by share as its services leave (anchor `leave`).

A `service` line naming a site_id counts only when the plan moves the service to that site.

A vehicle line may be *apportioned*: split into fixed shares over the services that may move into its
vehicle, each share a service entry. Lines on a status-quo vehicle are programme money (that vehicle always
exists). A vehicle's cost curve (cost_curves) is one more cost entry, priced at the volume the plan moves in.

Every line is expanded once per option into *entries* (a line, or one share of it) with a profile on an
extended time axis (the horizon padded by 2T years each side), so a plan that moves an anchor earlier or
later shifts the whole profile exactly; what then falls outside the horizon is reported, never silently
dropped. The MILP's coefficients (`adapters.to_optimise`) are read from the same entries.

The time axis is the study's periods (`study.periods`: financial years, or their quarters or months; see
appraisal/study/periods.py and docs/money.md, "Periods"): yearly amounts are pro-rated by period length, a
ramp runs by year of operation, and `plan_money` sums periods into financial years, so every result is by year.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from appraisal.money.adjustments import stream_factors
from appraisal.money.cohort_lines import cohort_entries
from appraisal.money.greenbook import outcome_entries, rebase_profile
from appraisal.money.ownership import apply_gates_and_rules, entry_gates, entry_not_before
from appraisal.money.estates import document_release_years, release_years
from appraisal.money.plans import Plan
from appraisal.study import Study
from appraisal.study.periods import spread, to_years

STREAM_COLUMNS = ["stream_id", "kind", "component", "category", "vehicle_id", "service_id", "phase", "party",
                  "t", "year", "amount_gbp", "low_gbp", "high_gbp", "trigger", "site_id", "tags", "entry",
                  "factor", "adj_amount_gbp", "adj_low_gbp", "adj_high_gbp"]
ENTRY_COLUMNS = ["line_id", "kind", "component", "category", "trigger", "vehicle_id", "service_id", "site_id",
                 "party", "phase", "tags", "share", "anchor", "anchor0"]
CURVE_COMPONENT = "running cost curve"


def ramp_profile(run_rate: float, ramp: list[float], start: int, n_years: int, per_year: int = 1) -> np.ndarray:
    """run_rate × ramp fraction by year; after the ramp ends the last fraction holds (blank ramp = 1). On a
    period axis (per_year periods a year) each period carries run_rate / per_year, and ramp fraction j applies
    to the j-th year of operation: the periods start + j·per_year … start + (j+1)·per_year − 1."""
    out = np.zeros(n_years)
    fractions = ramp or [1.0]
    rate = run_rate / per_year if per_year > 1 else run_rate
    for t in range(max(start, 0), n_years):
        j = (t - start) // per_year
        out[t] = rate * (fractions[j] if j < len(fractions) else fractions[-1])
    return out


def shift(profile: np.ndarray, delta: int) -> np.ndarray:
    """Move a profile `delta` years later (negative = earlier); what leaves the array is dropped."""
    if delta == 0:
        return profile
    out = np.zeros_like(profile)
    if delta > 0:
        out[delta:] = profile[: len(profile) - delta]
    else:
        out[: len(profile) + delta] = profile[-delta:]
    return out


def applies(options: list[str], option_id: str | None) -> bool:
    return option_id is None or not options or option_id in options


def vehicle_planned_years(study: Study) -> dict[str, int | None]:
    """vehicle_id -> the period index the study's own plan establishes it (None where it names none)."""
    vehicles = study.tables["vehicles"]
    return {v: (study.period_index(y) if y else None) for v, y in zip(vehicles["vehicle_id"], vehicles["planned_year"])}


def document_transfer_years(study: Study, option_id: str) -> dict[tuple[str, str], int]:
    """(service, vehicle) -> the year the document's plan of the option moves the service there: the
    `reference` rule's year, else the vehicle's planned year, else its earliest year, else the first year."""
    rules = study.tables["option_rules"]
    ref = rules[(rules["option_id"] == option_id) & (rules["rule"] == "reference")]
    vehicles = study.tables["vehicles"].set_index("vehicle_id")
    out = {}
    for r in ref.itertuples(index=False):
        label = r.year or vehicles.at[r.vehicle_id, "planned_year"] or vehicles.at[r.vehicle_id, "earliest_year"]
        out[(r.service_id, r.vehicle_id)] = study.period_index(label)
    return out


def line_trigger(row) -> str:
    """A line's trigger; blank = vehicle when it names a vehicle, else option."""
    return row.trigger or ("vehicle" if row.vehicle_id else "option")


def eligible_services(study: Study) -> dict[str, list[str]]:
    """vehicle -> the services that may move into it (placements), in the services table's order."""
    order = {s: i for i, s in enumerate(study.tables["services"]["service_id"])}
    pl = study.tables["placements"]
    out: dict[str, list[str]] = {}
    for v, group in pl.groupby("vehicle_id", sort=True):
        out[v] = sorted(set(group["service_id"]), key=lambda s: order.get(s, 0))
    return out


def occupants(study: Study, site_id: str) -> list[str]:
    """The services at a site today (services.current_site_id), in the services table's order."""
    s = study.tables["services"]
    return [sid for sid, site in zip(s["service_id"], s["current_site_id"]) if site == site_id]


def apportion_weights(study: Study, line_id: str, vehicle_id: str | None, basis: str,
                      services: list[str] | None = None) -> dict[str, float]:
    """service -> its share (summing to 1) of an apportioned line over the services that may move into its
    vehicle (or the given services); {} when there is nothing to apportion to."""
    services = eligible_services(study).get(vehicle_id, []) if services is None else services
    if basis == "shares":
        sh = study.tables["apportionments"]
        sh = sh[sh["line_id"] == line_id]
        raw = {s: float(w) for s, w in zip(sh["service_id"], sh["share"]) if s in set(services)}
    else:
        column = {"baseline_cost": "baseline_cost_gbp", "fte": "fte", "volume": "volume"}[basis]
        values = study.tables["services"].set_index("service_id")[column]
        raw = {s: (0.0 if values.get(s) is None or pd.isna(values.get(s)) else float(values.get(s))) for s in services}
    total = sum(raw.values())
    return {s: w / total for s, w in raw.items() if w > 0} if total > 0 else {}


@dataclass
class OptionLedger:
    """One option's entries and their profiles in document time on the extended axis t = -pad … T+pad-1, in
    periods (financial years in a yearly study; `per_year` periods make a year)."""

    option_id: str
    years: list[str]  # the period labels (= the financial years in a yearly study)
    pad: int
    entries: pd.DataFrame  # ENTRY_COLUMNS, one row per entry
    central: np.ndarray  # (E, L) unadjusted £ by extended year
    low: np.ndarray
    high: np.ndarray
    finite: np.ndarray  # (E,) the line has no money after the horizon on the document's timetable
    factor: np.ndarray  # (E,) compound adjustment factor (double counting, optimism bias)
    curves: dict = field(default_factory=dict)  # vehicle -> (volumes, costs) breakpoints
    volume: dict = field(default_factory=dict)  # service -> volume
    gates: list = field(default_factory=list)  # (E,) vehicles that must also exist by a year (money.ownership)
    not_before: np.ndarray | None = None  # (E,) first period index money may fall (timing rules; money.ownership)
    per_year: int = 1  # periods a year (appraisal/study/periods.py)

    @property
    def T(self) -> int:
        return len(self.years)

    def anchors(self, plan: Plan) -> np.ndarray:
        """Each entry's anchor year under the plan (NaN = the plan never triggers it)."""
        moves = plan.move_years()
        leaves = {s: int(t) for s, t in zip(plan.moves["service_id"], plan.moves["t"])}
        sited = {(s, v, site): int(t) for s, v, site, t in plan.moves[["service_id", "vehicle_id", "site_id", "t"]]
                 .itertuples(index=False)}
        out = np.full(len(self.entries), np.nan)
        for i, (anchor, a0, v, s, site) in enumerate(zip(self.entries["anchor"], self.entries["anchor0"],
                                                          self.entries["vehicle_id"], self.entries["service_id"],
                                                          self.entries["site_id"])):
            if anchor == "option":
                out[i] = a0
            elif anchor == "vehicle" or anchor == "curve":
                out[i] = plan.vehicles.get(v, np.nan)
            elif anchor == "service":
                out[i] = moves.get((s, v), np.nan) if not isinstance(site, str) else sited.get((s, v, site), np.nan)
            elif anchor == "building":
                out[i] = plan.releases.get(site, np.nan)
            elif anchor == "leave":
                out[i] = leaves.get(s, np.nan)
            elif anchor == "site":
                out[i] = plan.sites.get(site, np.nan)
        return out

    def matrices(self, plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Unadjusted central, low and high money by entry in plan time on the extended axis, and the
        warnings for money the plan moves out of the horizon."""
        E, L, T, pad = len(self.entries), self.central.shape[1] if len(self.entries) else 5 * len(self.years), self.T, self.pad
        anchor = self.anchors(plan)
        on = ~np.isnan(anchor)
        delta = np.where(on, anchor - self.entries["anchor0"].to_numpy(dtype=float), 0).astype(int)
        src = np.arange(L)[None, :] - delta[:, None]
        ok = (src >= 0) & (src < L) & on[:, None]
        src = np.clip(src, 0, L - 1)
        rows = np.arange(E)[:, None]
        central = np.where(ok, self.central[rows, src], 0.0)
        low = np.where(ok, self.low[rows, src], 0.0)
        high = np.where(ok, self.high[rows, src], 0.0)
        warnings = self._outside(delta, on)
        self._curve_money(plan, central, low, high)
        if self.not_before is not None:  # benefits that need other vehicles; timing rules (money.ownership)
            apply_gates_and_rules(self, plan, (central, low, high))
        return central, low, high, warnings

    def _outside(self, delta: np.ndarray, on: np.ndarray) -> list[str]:
        T, pad = self.T, self.pad
        doc = self.central[:, pad:pad + T]
        dest = np.arange(T)[None, :] + delta[:, None]
        before = np.where((dest < 0) & on[:, None], np.abs(doc), 0.0).sum(axis=1)
        after = np.where((dest >= T) & on[:, None] & self.finite[:, None], np.abs(doc), 0.0).sum(axis=1)
        out = []
        by_line: dict[tuple, float] = {}
        for i in np.flatnonzero((before > 0.005) | (after > 0.005)):
            key = (self.entries["line_id"].iat[i], self.entries["kind"].iat[i])
            b, a = by_line.get(key + ("before",), 0.0), by_line.get(key + ("after",), 0.0)
            by_line[key + ("before",)] = b + before[i]
            by_line[key + ("after",)] = a + after[i]
        for (line, kind, side), amount in by_line.items():
            if amount > 0.005:
                where = f"before {self.years[0]}" if side == "before" else f"after {self.years[-1]}"
                out.append(f"option {self.option_id}: £{amount:,.0f} of {kind} line '{line}' falls {where} under this "
                           "plan and is not counted (the plan moves its trigger outside the horizon)")
        return out

    def _curve_money(self, plan: Plan, central, low, high) -> None:
        if not self.curves:
            return
        from appraisal.adapters.optimiser import curve_cost

        T, pad = self.T, self.pad
        moves = plan.moves
        for i in np.flatnonzero((self.entries["anchor"] == "curve").to_numpy()):
            v = self.entries["vehicle_id"].iat[i]
            if v not in plan.vehicles:
                continue
            volumes, costs = self.curves[v]
            mine = moves[moves["vehicle_id"] == v]
            k = self.per_year
            for t in range(max(int(plan.vehicles[v]), 0), T):
                served = float(sum(self.volume.get(s, 0.0) for s in mine.loc[mine["t"] <= t, "service_id"]))
                cost = float(curve_cost(volumes, costs, served))  # £ a year at that volume
                central[i, pad + t] = low[i, pad + t] = high[i, pad + t] = cost / k if k > 1 else cost


def _explicit(profiles: pd.DataFrame, study: Study) -> dict[str, dict[int, float]]:
    """line -> {period: £}: a profile row for a year is spread evenly over its periods; one for a period lands
    in that period (in a yearly study, year = period)."""
    out: dict[str, dict[int, float]] = {}
    k = study.periods_per_year
    for row in profiles.itertuples(index=False):
        cell = out.setdefault(row.stream_id, {})
        if k == 1:
            t = study.year_index(row.year)
            cell[t] = cell.get(t, 0.0) + float(row.amount_gbp)
            continue
        first, last = study.period_index(row.year), study.period_index(row.year, end=True)
        for t in range(first, last + 1):
            cell[t] = cell.get(t, 0.0) + float(row.amount_gbp) / (last - first + 1)
    return out


def _profile(study: Study, row, kind: str, explicit: dict, start: int, L: int, pad: int) -> tuple[np.ndarray, bool]:
    """A line's central profile on the extended axis in document time, and whether it is finite (one-offs,
    and recurring costs with an end year, stop; run rates and recurring costs go on after the horizon).
    In periods: a one-off lands whole in its period; a yearly amount is spread evenly over a year's periods."""
    out = np.zeros(L)
    k = study.periods_per_year
    line = row.benefit_id if kind == "benefit" else row.cost_id
    if line in explicit:
        for t, amount in explicit[line].items():
            out[pad + t] += amount
        if kind == "cost" and row.kind == "one_off":
            return out, True
        # a benefit's or recurring cost's yearly profile holds its last year's value after it (a run rate
        # does not stop at the horizon): a plan that moves it earlier gets that value in the last years
        last = max(explicit[line])
        out[pad + last + 1:] = out[pad + last]
        return out, False
    if kind == "benefit":
        out[pad:] = ramp_profile(row.run_rate_gbp or 0.0, row.ramp, start, L - pad, k)
        return out, False
    if row.kind == "one_off":
        out[pad + start] = row.amount_gbp * row.quantity
        return out, True
    per_period = row.amount_gbp * row.quantity / k if k > 1 else row.amount_gbp * row.quantity
    if row.end_year is not None:
        out[pad + start: pad + study.period_index(row.end_year, end=True) + 1] = per_period
        return out, True
    out[pad + start:] = per_period
    return out, False


def option_ledger(study: Study, option_id: str) -> OptionLedger:
    """The option's entries, built once per study and option (cached on the study)."""
    key = ("ledger", option_id)
    if key not in study.cache:
        study.cache[key] = _build(study, option_id)
    return study.cache[key]


def _build(study: Study, option_id: str) -> OptionLedger:
    T, k = len(study.periods), study.periods_per_year  # the period axis (years, in a yearly study)
    pad = 2 * T
    L = T + 2 * pad
    planned = vehicle_planned_years(study)
    vehicles = study.tables["vehicles"].set_index("vehicle_id")
    status_quo = set(vehicles.index[vehicles["kind"] == "status_quo"])
    earliest = {v: (study.period_index(y) if y else None) for v, y in vehicles["earliest_year"].items()}
    doc_moves = document_transfer_years(study, option_id)
    doc_leaves: dict[str, int] = {}
    for (s, _), t in doc_moves.items():
        doc_leaves[s] = min(t, doc_leaves.get(s, t))
    site_vehicle = dict(zip(study.tables["sites"]["site_id"], study.tables["sites"]["vehicle_id"]))
    buildings = release_years(study)
    doc_releases = document_release_years(study, option_id)
    entries, central, low, high, finite = [], [], [], [], []

    def service_anchor(s, v):
        for a in (doc_moves.get((s, v)), planned.get(v), earliest.get(v)):
            if a is not None:
                return a
        return 0

    def add(attrs: dict, c: np.ndarray, lo: np.ndarray, hi: np.ndarray, fin: bool) -> None:
        entries.append(attrs)
        central.append(c)
        low.append(lo)
        high.append(hi)
        finite.append(fin)

    for kind, table, id_col, party_col, prof_table in (
            ("benefit", "benefits", "benefit_id", "recipient", "benefit_profiles"),
            ("cost", "costs", "cost_id", "payer", "cost_profiles")):
        explicit = _explicit(study.tables[prof_table], study)
        for row in study.tables[table].itertuples(index=False):
            if not applies(row.options, option_id):
                continue
            trigger = line_trigger(row)
            if trigger == "vehicle" and row.vehicle_id in status_quo:
                trigger = "option"
            line = getattr(row, id_col)
            start = study.period_index(row.start_year)
            anchor0 = 0
            if trigger == "vehicle":
                anchor0 = planned.get(row.vehicle_id)
                anchor0 = start if anchor0 is None else anchor0
                start = anchor0 if row.start_year is None else start  # blank = from the trigger's year
            elif trigger == "service":
                anchor0 = service_anchor(row.service_id, row.vehicle_id)
                start = anchor0 if row.start_year is None else start
            elif trigger == "site":
                start = 0
            elif trigger == "release" and row.site_id in buildings:
                # anchored on the year the document's plan releases the building (its `release` rule, else the
                # lease break); the profile starts there unless the line gives its own start year
                anchor0 = doc_releases.get(row.site_id, buildings[row.site_id])
                start = anchor0 if row.start_year is None else start
            elif trigger == "release":
                anchor0 = start
            c, fin = _profile(study, row, kind, explicit, start, L, pad)
            c = rebase_profile(study, line, c, pad)  # lines entered in other prices (price_years)
            if kind == "benefit":  # low and high are yearly figures, like the run rate (c is by period)
                ref = row.run_rate_gbp if row.run_rate_gbp else ((c.max() * k if k > 1 else c.max()) or 1.0)
                lo = c * (row.low_gbp / ref) if row.low_gbp is not None else c
                hi = c * (row.high_gbp / ref) if row.high_gbp is not None else c
            else:
                lo = hi = c
            base = {"line_id": line, "kind": kind, "component": row.component, "category": row.category,
                    "trigger": trigger, "vehicle_id": row.vehicle_id, "service_id": row.service_id,
                    "site_id": row.site_id, "party": getattr(row, party_col), "phase": row.phase,
                    "tags": ";".join(row.tags or []), "share": 1.0, "anchor": trigger, "anchor0": anchor0}
            if trigger == "site":
                base["vehicle_id"] = row.vehicle_id or site_vehicle.get(row.site_id)
            if trigger == "release" and row.site_id in buildings:  # a building released once, as a decision
                add(base | {"anchor": "building"}, c, lo, hi, fin)
                continue
            if trigger == "release":
                # a building is released as its services move out: each earns its share when it leaves (to any
                # vehicle), anchored on the year the document's plan moves it out (else the line's start year)
                for s, w in apportion_weights(study, line, None, row.apportion or "fte",
                                              occupants(study, row.site_id)).items():
                    a0 = doc_leaves.get(s, anchor0)
                    moved = a0 - start if (row.start_year is None and line not in explicit) else 0
                    add(base | {"service_id": s, "vehicle_id": None, "share": w, "anchor": "leave", "anchor0": a0},
                        shift(c, moved) * w, shift(lo, moved) * w, shift(hi, moved) * w, fin)
                continue
            if trigger == "vehicle" and row.apportion:
                for s, w in apportion_weights(study, line, row.vehicle_id, row.apportion).items():
                    # a share is anchored on its service's transfer in the document's plan, so the document's
                    # plan earns exactly the line as entered and another plan shifts each share by its transfer;
                    # with no start year, each share's profile starts with its service's transfer
                    a0 = service_anchor(s, row.vehicle_id)
                    if row.start_year is None and line not in explicit:
                        moved = a0 - start
                        add(base | {"service_id": s, "share": w, "anchor": "service", "anchor0": a0},
                            shift(c, moved) * w, shift(lo, moved) * w, shift(hi, moved) * w, fin)
                    else:
                        add(base | {"service_id": s, "share": w, "anchor": "service", "anchor0": a0},
                            c * w, lo * w, hi * w, fin)
                continue
            add(base, c, lo, hi, fin)

    for attrs, c, fin in yearly_entries(outcome_entries, study, option_id, L, pad):  # WELLBY, QALY, social values
        add(attrs, c, c, c, fin)
    for attrs, c in cohort_entries(study, option_id, L, pad):  # care pathway models: today − the option
        add(attrs, c, c, c, False)

    curves = {}
    cc = study.tables["cost_curves"]
    for v, group in cc.groupby("vehicle_id", sort=True):
        points = group.groupby("volume", sort=True)["running_cost_gbp_per_year"].mean()
        curves[v] = (points.index.to_numpy(float), points.to_numpy(float))
        payers = [p for p in group["payer"] if p is not None and p == p]
        add({"line_id": f"curve:{v}", "kind": "cost", "component": CURVE_COMPONENT, "category": "revenue",
             "trigger": "vehicle", "vehicle_id": v, "service_id": None, "site_id": None,
             "party": payers[0] if payers else None, "phase": None, "tags": "", "share": 1.0, "anchor": "curve",
             "anchor0": 0}, np.zeros(L), np.zeros(L), np.zeros(L), False)
    frame = pd.DataFrame(entries, columns=ENTRY_COLUMNS)
    stack = (lambda a: np.vstack(a) if a else np.zeros((0, L)))
    factor = stream_factors(frame, study.config.adjustments) if len(frame) else np.ones(0)
    volume = {s: (0.0 if v is None or pd.isna(v) else float(v))
              for s, v in zip(study.tables["services"]["service_id"], study.tables["services"]["volume"])}
    return OptionLedger(option_id, study.periods, pad, frame, stack(central), stack(low), stack(high),
                        np.array(finite, dtype=bool), factor, curves, volume, gates=entry_gates(study, frame),
                        not_before=entry_not_before(study, frame), per_year=k)


def yearly_entries(build, study: Study, option_id: str, L: int, pad: int) -> list:
    """Entries a yearly model builds (valued outcomes: option money by year) on the period axis: each year's
    amount spread evenly over its periods (a study by year takes them as they are)."""
    k = study.periods_per_year
    if k == 1:
        return build(study, option_id, L, pad)
    return [(attrs | {"anchor0": attrs["anchor0"] * k}, spread(c, k), *rest)
            for attrs, c, *rest in build(study, option_id, L // k, pad // k)]


@dataclass
class Money:
    """A plan's money by line and year (horizon only), adjusted, and the warnings of what fell outside."""

    streams: pd.DataFrame  # STREAM_COLUMNS
    warnings: list[str]


def plan_money(study: Study, option_id: str, plan: Plan, scenario: dict | None = None) -> Money:
    """THE money function: yearly money by line of an option under a plan and (optionally) a scenario of
    the study's uncertainties (multipliers by line selector; a delay moves the plan, see Plan.delayed)."""
    from appraisal.money.scenarios import scenario_effects

    ledger = option_ledger(study, option_id)
    if scenario:  # care pathway rates re-run the pathway (quantified risks are not lines: see risk.py)
        from appraisal.money.cohort_lines import with_cohort_values
        from appraisal.money.scenarios import base_scenario, targets_of

        full = {**base_scenario(study), **scenario}
        values = {t: float(full[p]) for p, t in targets_of(study).items() if t.startswith("cohort:") and p in full}
        ledger = with_cohort_values(study, ledger, values) if values else ledger
    scale, delay = scenario_effects(study, ledger.entries, scenario)
    if plan.non_members:  # opt-in vehicles without some partners: money/membership.py
        from appraisal.money.membership import line_scale

        scale = scale * line_scale(study, ledger.entries, plan.non_members)
    central, low, high, warnings = ledger.matrices(plan.delayed(delay * ledger.per_year))  # a delay is in years
    return Money(_streams(study, ledger, central, low, high, scale), warnings)


def _streams(study: Study, ledger: OptionLedger, central, low, high, scale: np.ndarray) -> pd.DataFrame:
    """Money by entry and financial year: in a study by periods, each year's periods summed."""
    T, pad = ledger.T, ledger.pad
    c, lo, hi = (to_years(m[:, pad:pad + T], ledger.per_year) * scale[:, None] for m in (central, low, high))
    e, t = np.nonzero((c != 0) | (lo != 0) | (hi != 0))
    if not len(e):
        return pd.DataFrame(columns=STREAM_COLUMNS)
    ent = ledger.entries.iloc[e].reset_index(drop=True)
    f = ledger.factor[e]
    out = pd.DataFrame({
        "stream_id": ent["line_id"], "kind": ent["kind"], "component": ent["component"], "category": ent["category"],
        "vehicle_id": ent["vehicle_id"], "service_id": ent["service_id"], "phase": ent["phase"], "party": ent["party"],
        "t": t, "year": [study.years[i] for i in t], "amount_gbp": c[e, t], "low_gbp": lo[e, t], "high_gbp": hi[e, t],
        "trigger": ent["trigger"], "site_id": ent["site_id"], "tags": ent["tags"], "entry": e, "factor": f,
        "adj_amount_gbp": c[e, t] * f, "adj_low_gbp": lo[e, t] * f, "adj_high_gbp": hi[e, t] * f})
    return out.sort_values(["entry", "t"], kind="stable").reset_index(drop=True)
