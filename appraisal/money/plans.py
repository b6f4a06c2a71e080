"""A plan is a plan: which services move into which vehicles (and sites) in which years, which vehicles
are established and which sites open, for one option.

The document's plan, an optimised plan, a near-optimal (MGA) alternative, a buy-in-delayed plan and a plan
a user edited in Excel are all this one object, written and read as one table (`plan.csv`, or a sheet):

| column     | meaning                                                                 |
|------------|-------------------------------------------------------------------------|
| option_id  | the option the plan belongs to                                          |
| item       | `service` (a move), `vehicle` (an establishment), `site` (an opening) or `release` (an existing building released) |
| service_id | the service that moves (item service)                                   |
| vehicle_id | the vehicle it moves into, or the vehicle established                   |
| site_id    | the site it moves to (optional), the site that opens, or the building released |
| year       | the financial year, e.g. 2019/20 (or, in a study by quarters or months,   |
|            | the period, e.g. 2019/20 Q3; a year label there = the year's first period) |

A vehicle a move needs but the table does not establish is established in the year of its first move; a
site a move names but the table does not open opens in that year (the completed plan lists both).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from appraisal.money.estates import release_years
from appraisal.study import Problem, Study, StudyError
from appraisal.study.periods import label_problem

PLAN_COLUMNS = ["option_id", "item", "service_id", "vehicle_id", "site_id", "year"]
PLAN_KINDS = ("document", "optimised", "alternative", "delayed", "file")


@dataclass
class Plan:
    option_id: str
    kind: str  # one of PLAN_KINDS
    moves: pd.DataFrame  # service_id, vehicle_id, site_id (None = any/none), t (period index; = year index by year)
    vehicles: dict[str, int]  # established vehicle -> period index
    sites: dict[str, int] = field(default_factory=dict)  # opened site -> period index
    source: str = ""
    # opt-in vehicle -> partners on its board that did not join (their services stay; see money/membership.py)
    non_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    releases: dict[str, int] = field(default_factory=dict)  # released existing building -> year index

    def __post_init__(self) -> None:
        m = self.moves.reindex(columns=["service_id", "vehicle_id", "site_id", "t"]).copy()
        m["site_id"] = [None if (s is None or s == "" or s != s) else str(s) for s in m["site_id"]]
        m["t"] = m["t"].astype(int)
        self.moves = m.sort_values(["service_id"], kind="stable").reset_index(drop=True)
        for v, t in self.moves.groupby("vehicle_id")["t"].min().items():
            self.vehicles.setdefault(v, int(t))
        sited = self.moves[self.moves["site_id"].notna()]
        for s, t in sited.groupby("site_id")["t"].min().items():
            self.sites.setdefault(s, int(t))
        self.vehicles = {k: int(v) for k, v in sorted(self.vehicles.items())}
        self.sites = {k: int(v) for k, v in sorted(self.sites.items())}
        self.releases = {k: int(v) for k, v in sorted(self.releases.items())}

    def move_years(self) -> dict[tuple[str, str], int]:
        return {(s, v): int(t) for s, v, t in zip(self.moves["service_id"], self.moves["vehicle_id"], self.moves["t"])}

    def delayed(self, years: int) -> "Plan":
        """The plan with every date `years` periods later (callers pass years × periods a year): the one rule for a delay (a delay never brings a date
        earlier; dates pushed past the horizon keep their money's offsets, so what falls outside is dropped)."""
        d = max(int(years), 0)
        if d == 0:
            return self
        return Plan(self.option_id, "delayed", self.moves.assign(t=self.moves["t"] + d),
                    {v: t + d for v, t in self.vehicles.items()}, {s: t + d for s, t in self.sites.items()},
                    source=f"{self.source or self.kind} delayed {d} year(s)", non_members=dict(self.non_members),
                    releases={b: t + d for b, t in self.releases.items()})

    def with_vehicle_delays(self, delays: dict[str, int | None]) -> "Plan":
        """Each vehicle (and its moves and sites) later by its own delay; None = never established."""
        if not delays:
            return self
        never = {v for v, d in delays.items() if d is None}
        shift = {v: int(d) for v, d in delays.items() if d is not None}
        moves = self.moves[~self.moves["vehicle_id"].isin(never)].copy()
        moves["t"] = moves["t"] + moves["vehicle_id"].map(shift).fillna(0).astype(int)
        return dataclasses.replace(self, kind="delayed", moves=moves,
                                   vehicles={v: t + shift.get(v, 0) for v, t in self.vehicles.items() if v not in never},
                                   sites=dict(self.sites))

    def with_non_members(self, study: Study, non_members: dict[str, tuple[str, ...]]) -> "Plan":
        """The plan with opt-in vehicles going ahead without these board partners: their services do not move
        into the vehicle, and the vehicle's lines keep only the members' shares (money/membership.py)."""
        out = {v: tuple(sorted(ps)) for v, ps in non_members.items() if ps}
        if not out:
            return self
        owner = study.tables["services"].set_index("service_id")["current_provider"].to_dict()
        keep = [owner.get(s) not in out.get(v, ()) for s, v in zip(self.moves["service_id"], self.moves["vehicle_id"])]
        return dataclasses.replace(self, moves=self.moves[keep].reset_index(drop=True),
                                   vehicles=dict(self.vehicles), sites=dict(self.sites),
                                   non_members={**self.non_members, **out})

    def table(self, study: Study) -> pd.DataFrame:
        """The plan as its table (periods as labels: years in a yearly study; one past the horizon is written as
        its index)."""
        if self.non_members:
            raise ValueError(f"plan of option {self.option_id}: a plan table has no column for opt-in membership "
                             f"(non-members {self.non_members}); it cannot be written without losing them")
        periods = study.periods
        label = lambda t: periods[t] if 0 <= t < len(periods) else str(t)  # noqa: E731
        rows = [{"option_id": self.option_id, "item": "vehicle", "service_id": None, "vehicle_id": v, "site_id": None,
                 "year": label(t)} for v, t in self.vehicles.items()]
        rows += [{"option_id": self.option_id, "item": "site", "service_id": None, "vehicle_id": None, "site_id": s,
                  "year": label(t)} for s, t in self.sites.items()]
        rows += [{"option_id": self.option_id, "item": "release", "service_id": None, "vehicle_id": None, "site_id": b,
                  "year": label(t)} for b, t in self.releases.items()]
        rows += [{"option_id": self.option_id, "item": "service", "service_id": r.service_id, "vehicle_id": r.vehicle_id,
                  "site_id": r.site_id, "year": label(int(r.t))} for r in self.moves.itertuples(index=False)]
        return pd.DataFrame(rows, columns=PLAN_COLUMNS)

    def write(self, study: Study, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.table(study).to_csv(path, index=False, lineterminator="\n")
        return path


def plans_table(study: Study, plans: dict[str, Plan]) -> pd.DataFrame:
    """Several options' plans as one plan table (`plan.csv`'s columns), the table `read_plans` reads."""
    return pd.concat([p.table(study) for p in plans.values()], ignore_index=True) if plans else \
        pd.DataFrame(columns=PLAN_COLUMNS)


def read_plans(study: Study, path: str | Path) -> dict[str, Plan]:
    """Plans from a plan table (CSV or .xlsx), one per option_id; every problem named by file, row, column."""
    path = Path(path)
    where = path.name
    if not path.exists():
        raise StudyError([Problem(str(path), None, None, "plan file not found")])
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas/openpyxl raise many kinds on a bad file
        raise StudyError([Problem(where, None, None, f"cannot read as a plan table ({exc})")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    problems = [Problem(where, None, c, "required column is missing") for c in PLAN_COLUMNS if c not in frame.columns]
    if problems:
        raise StudyError(problems)
    t = study.tables
    known = {"service_id": set(t["services"]["service_id"]), "vehicle_id": set(t["vehicles"]["vehicle_id"]),
             "site_id": set(t["sites"]["site_id"]), "option_id": set(t["options"]["option_id"])}
    need = {"service": ["service_id", "vehicle_id", "year"], "vehicle": ["vehicle_id", "year"], "site": ["site_id", "year"],
            "release": ["site_id", "year"]}
    eligible = {(s, v) for s, v in zip(t["placements"]["service_id"], t["placements"]["vehicle_id"])}
    site_vehicle = dict(zip(t["sites"]["site_id"], t["sites"]["vehicle_id"]))
    buildings = release_years(study)
    parsed: dict[str, dict] = {}
    seen_service: dict[tuple, int] = {}
    for i, rec in enumerate(frame.to_dict(orient="records")):
        row = i + 2
        rec = {k: str(v).strip() for k, v in rec.items()}
        if not any(rec.values()):
            continue
        item = rec["item"].lower()
        if item not in need:
            problems.append(Problem(where, row, "item", f"expected service, vehicle, site or release, got '{rec['item']}'"))
            continue
        bad = False
        for col in ["option_id", *need[item]]:
            if not rec.get(col):
                problems.append(Problem(where, row, col, f"a '{item}' row needs {col}"))
                bad = True
        for col in ("option_id", "service_id", "vehicle_id", "site_id"):
            if rec.get(col) and rec[col] not in known[col]:
                problems.append(Problem(where, row, col, f"'{rec[col]}' is not a {col} of the study"))
                bad = True
        if rec.get("year") and label_problem(rec["year"], study.years, study.period):
            problems.append(Problem(where, row, "year", label_problem(rec["year"], study.years, study.period)))
            bad = True
        if bad:
            continue
        if item == "service" and (rec["service_id"], rec["vehicle_id"]) not in eligible:
            problems.append(Problem(where, row, "vehicle_id", f"{rec['service_id']} cannot move into {rec['vehicle_id']} "
                                    f"({study.sources['placements']} has no such row)"))
            continue
        if item == "release" and rec["site_id"] not in buildings:
            problems.append(Problem(where, row, "site_id", f"{rec['site_id']} has no lease_break_year in "
                                    f"{study.sources['sites']}, so no plan may release it"))
            continue
        if item == "release" and study.years.index(rec["year"]) < buildings[rec["site_id"]]:
            problems.append(Problem(where, row, "year", f"{rec['site_id']} may be released from its lease break "
                                    f"{study.years[buildings[rec['site_id']]]}, not in {rec['year']}"))
            continue
        if item == "service" and rec.get("site_id") and site_vehicle.get(rec["site_id"]) not in (None, rec["vehicle_id"]):
            problems.append(Problem(where, row, "site_id", f"site {rec['site_id']} is not a site of {rec['vehicle_id']}"))
            continue
        p = parsed.setdefault(rec["option_id"], {"moves": [], "vehicles": {}, "sites": {}, "releases": {}})
        t_idx = study.period_index(rec["year"])
        if item == "service":
            key = (rec["option_id"], rec["service_id"])
            if key in seen_service:
                problems.append(Problem(where, row, "service_id", f"{rec['service_id']} already moves in row "
                                        f"{seen_service[key]} of option {rec['option_id']}"))
                continue
            seen_service[key] = row
            p["moves"].append({"service_id": rec["service_id"], "vehicle_id": rec["vehicle_id"],
                               "site_id": rec.get("site_id") or None, "t": t_idx})
        elif item == "vehicle":
            p["vehicles"][rec["vehicle_id"]] = t_idx
        elif item == "release":
            p["releases"][rec["site_id"]] = t_idx
        else:
            p["sites"][rec["site_id"]] = t_idx
    if problems:
        raise StudyError(problems)
    out = {}
    for oid, p in parsed.items():
        moves = pd.DataFrame(p["moves"], columns=["service_id", "vehicle_id", "site_id", "t"])
        late = [r for r in moves.itertuples(index=False) if r.vehicle_id in p["vehicles"] and r.t < p["vehicles"][r.vehicle_id]]
        if late:
            raise StudyError([Problem(where, None, "year", f"{r.service_id} moves into {r.vehicle_id} in "
                                      f"{study.periods[r.t]}, before the vehicle is established") for r in late])
        out[oid] = Plan(oid, "file", moves, dict(p["vehicles"]), dict(p["sites"]), source=str(path),
                        releases=dict(p["releases"]))
    return out
