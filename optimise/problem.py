"""Input data of the placement model: ``PlacementProblem`` and ``OptionRules``.

Plain dataclasses holding pandas/numpy data, as agreed in docs/architecture.md. Nothing here knows
about YAML or reports. ``PlacementProblem.normalised()`` returns a copy with every optional table
present (possibly empty) and with typed columns, so the rest of the package never tests for None.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NO_SITE = ""  # site_id used for placements into vehicles that have no sites


@dataclass(frozen=True)
class OptionRules:
    """The rules of one option. Every field is optional; the default allows everything.

    forced_mappings: service_id -> vehicle_id (the service must move there) or None (it must stay).
    forced_sites: service_id -> site_id (if the service moves, it goes to that site).
    forced_years: service_id -> year index (the service must move in exactly that year).
    forced_vehicle_years: vehicle_id -> year index (the vehicle is established in exactly that year).
    locked_sites: sites that must open; closed_sites: sites that must not open.
    status_quo_allowed: False means every service must move ("the council delivers nothing directly").
    must_move: services that must move (to any eligible vehicle).
    kept_buildings: existing buildings (``buildings`` rows) that must not be released under this option.
    forced_releases: building site_id -> year index it must be released in.
    """

    name: str = "default"
    allowed_vehicles: tuple | None = None
    forbidden_vehicles: tuple = ()
    allowed_kinds: tuple | None = None
    forbidden_kinds: tuple = ()
    forced_mappings: dict = field(default_factory=dict)
    forced_sites: dict = field(default_factory=dict)
    forbidden_mappings: tuple = ()  # of (service_id, vehicle_id)
    forced_years: dict = field(default_factory=dict)
    forced_vehicle_years: dict = field(default_factory=dict)
    locked_sites: tuple = ()
    closed_sites: tuple = ()
    status_quo_allowed: bool = True
    must_move: tuple = ()
    kept_buildings: tuple = ()
    forced_releases: dict = field(default_factory=dict)

    def vehicle_allowed(self, vehicle_id: str, kind: str) -> bool:
        if self.allowed_vehicles is not None and vehicle_id not in self.allowed_vehicles:
            return False
        if vehicle_id in self.forbidden_vehicles:
            return False
        if self.allowed_kinds is not None and kind not in self.allowed_kinds:
            return False
        return kind not in self.forbidden_kinds

    def service_must_move(self, service_id: str) -> bool:
        if service_id in self.forced_mappings:
            return self.forced_mappings[service_id] is not None
        return (not self.status_quo_allowed) or service_id in self.must_move or service_id in self.forced_years

    def replace(self, **changes) -> "OptionRules":
        return dataclasses.replace(self, **changes)


_COLUMNS = {
    "services": ["service_id", "fte", "volume", "current_vehicle_id", "current_site_id"],
    "vehicles": ["vehicle_id", "kind", "earliest_year", "latest_year", "max_sites", "is_status_quo"],
    "vehicle_streams": ["vehicle_id", "offset", "benefit_gbp", "cost_gbp", "from_year"],
    "placements": ["service_id", "vehicle_id", "site_id"],
    "placement_streams": ["service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp", "from_year"],
    "sites": ["site_id", "vehicle_id", "capacity_fte", "fixed_cost_gbp_per_year", "open_cost_gbp", "must_open"],
    "precedence": ["before_service_id", "after_service_id", "min_lag_years"],
    "cost_curves": ["vehicle_id", "volume", "running_cost_gbp_per_year"],
    "vehicle_dependencies": ["vehicle_id", "requires_vehicle_id", "min_lag_years"],
    "floors": ["floor_id", "measure", "vehicle_id", "sense", "bound", "year", "cumulative"],
    "buildings": ["site_id", "release_from"],
    "release_streams": ["site_id", "offset", "benefit_gbp", "cost_gbp", "from_year"],
    "floor_streams": ["floor_id", "anchor", "service_id", "vehicle_id", "site_id", "offset", "benefit_gbp", "cost_gbp"],
    "joint_streams": ["joint_id", "vehicle_id", "offset", "benefit_gbp", "cost_gbp", "from_year"],
    "joint_requires": ["joint_id", "requires_vehicle_id"],
}


@dataclass
class PlacementProblem:
    """Everything the placement MILP needs (see docs/optimise.md for the maths)."""

    years: list
    discount_factor: np.ndarray
    services: pd.DataFrame
    vehicles: pd.DataFrame
    placements: pd.DataFrame
    vehicle_streams: pd.DataFrame | None = None
    placement_streams: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    precedence: pd.DataFrame | None = None
    max_transfers_per_year: pd.Series | None = None
    funding_cap_yearly_gbp: pd.Series | None = None
    funding_cap_cumulative_gbp: float | None = None
    cost_curves: pd.DataFrame | None = None
    vehicle_dependencies: pd.DataFrame | None = None  # vehicle_id established only min_lag_years after requires_vehicle_id
    floors: pd.DataFrame | None = None  # at-least / at-most rows on money aggregates and membership (floors.py)
    floor_streams: pd.DataFrame | None = None  # the money of floors that count only some entries
    # money that counts only while other vehicles exist (an AND of establishment decisions, docs/optimise.md):
    # joint_streams offset from the establishment of vehicle_id (None: offset = the year itself), counted in a
    # year only when every joint_requires vehicle of its joint_id is established by that year
    joint_streams: pd.DataFrame | None = None
    joint_requires: pd.DataFrame | None = None
    buildings: pd.DataFrame | None = None  # existing buildings that may be released from year index release_from
    release_streams: pd.DataFrame | None = None  # money of releasing a building, offset from its release year
    rules: OptionRules = field(default_factory=OptionRules)
    name: str = "problem"

    @property
    def T(self) -> int:
        return len(self.years)

    def with_rules(self, rules: OptionRules) -> "PlacementProblem":
        return dataclasses.replace(self, rules=rules)

    def normalised(self) -> "PlacementProblem":
        """Copy with every table present, required columns filled and ids as str (a normalised problem is
        returned as it is: every engine function normalises its input, so this must be cheap the second time)."""
        if self.__dict__.get("_normalised_copy"):
            return self
        T = len(self.years)
        df = np.asarray(self.discount_factor, dtype=float)
        if df.shape != (T,):
            raise ValueError(f"discount_factor has shape {df.shape}, expected ({T},)")
        tables = {}
        for name, cols in _COLUMNS.items():
            t = getattr(self, name)
            t = pd.DataFrame(columns=cols) if t is None else t.copy()
            for c in cols:
                if c not in t.columns:
                    t[c] = _default(name, c, len(t))
            for c in t.columns:
                if c.endswith("_id"):
                    t[c] = pd.Series([None if _missing(v) else str(v) for v in t[c]], index=t.index, dtype=object)
            tables[name] = t.reset_index(drop=True)
        s = tables["services"]
        s["fte"] = s["fte"].astype(float).fillna(0.0)
        s["volume"] = s["volume"].astype(float).fillna(0.0)
        v = tables["vehicles"]
        v["earliest_year"] = v["earliest_year"].fillna(0).astype(int)
        v["latest_year"] = v["latest_year"].astype(float).fillna(T - 1).astype(int)
        v["max_sites"] = v["max_sites"].astype(float)
        v["is_status_quo"] = v["is_status_quo"].fillna(False).astype(bool)
        p = tables["placements"]
        p["site_id"] = [NO_SITE if x is None else x for x in p["site_id"]]
        ps = tables["placement_streams"]
        ps["site_id"] = [NO_SITE if x is None else x for x in ps["site_id"]]  # blank = whichever site
        b = tables["buildings"]
        b["release_from"] = b["release_from"].astype(int)
        for name in ("vehicle_streams", "placement_streams", "floor_streams", "release_streams", "joint_streams"):
            st = tables[name]
            if "from_year" in st:  # money of a stream row counts only from this year index (a timing rule)
                st["from_year"] = st["from_year"].fillna(0).astype(int)
            st["offset"] = st["offset"].astype(int)
            st["benefit_gbp"] = st["benefit_gbp"].astype(float).fillna(0.0)
            st["cost_gbp"] = st["cost_gbp"].astype(float).fillna(0.0)
        si = tables["sites"]
        si["capacity_fte"] = si["capacity_fte"].astype(float).fillna(np.inf)
        si["fixed_cost_gbp_per_year"] = si["fixed_cost_gbp_per_year"].astype(float).fillna(0.0)
        si["open_cost_gbp"] = si["open_cost_gbp"].astype(float).fillna(0.0)
        si["must_open"] = si["must_open"].fillna(False).astype(bool)
        pr = tables["precedence"]
        pr["min_lag_years"] = pr["min_lag_years"].fillna(0).astype(int)
        vd = tables["vehicle_dependencies"]
        vd["min_lag_years"] = vd["min_lag_years"].fillna(0).astype(int)
        fl = tables["floors"]
        fl["bound"] = fl["bound"].astype(float)
        fl["year"] = pd.Series([None if _missing(y) else int(y) for y in fl["year"]], index=fl.index, dtype=object)
        fl["cumulative"] = fl["cumulative"].fillna(False).astype(bool)
        cc = tables["cost_curves"]
        cc["volume"] = cc["volume"].astype(float)
        cc["running_cost_gbp_per_year"] = cc["running_cost_gbp_per_year"].astype(float)
        out = dataclasses.replace(self, discount_factor=df, **tables)
        out.max_transfers_per_year = _series(self.max_transfers_per_year, T)
        out.funding_cap_yearly_gbp = _series(self.funding_cap_yearly_gbp, T)
        out.__dict__["_normalised_copy"] = True  # not a field: dataclasses.replace() makes an unmarked copy
        return out


def _missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _default(table: str, col: str, n: int):
    if col == "site_id" or col.endswith("_id"):
        return [None] * n
    if col in ("is_status_quo", "must_open", "cumulative"):
        return [False] * n
    if col in ("latest_year", "max_sites", "capacity_fte", "year"):
        return [np.nan] * n
    return [0] * n


def _series(s, T: int) -> pd.Series | None:
    """A per-year cap as a float Series indexed 0..T-1 (inf where absent), or None."""
    if s is None:
        return None
    if np.isscalar(s):
        return pd.Series([float(s)] * T, index=range(T))
    s = pd.Series(s, dtype=float)
    return s.reindex(range(T)).fillna(np.inf)
