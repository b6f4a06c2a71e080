"""From a PlacementProblem to the sparse index sets and coefficient arrays of the MILP.

Only eligible tuples are built (eligibility and option rules are applied here, by filtering), so the
model never carries a variable that must be zero. Money is precomputed as (benefit, cost) matrices with
one column per horizon year: row i of ``xb``/``xc`` is what choosing decision i adds to each year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .estates import prepare_releases, validate_estates
from .floors import floor_coefficients, validate_floors
from .problem import NO_SITE, PlacementProblem


@dataclass
class Prepared:
    problem: PlacementProblem  # normalised
    T: int
    df: np.ndarray
    X: pd.DataFrame  # service_id, vehicle_id, site_id, t   (transfer decisions)
    xb: np.ndarray
    xc: np.ndarray
    Y: pd.DataFrame  # vehicle_id, t   (establishment decisions)
    yb: np.ndarray
    yc: np.ndarray
    W: pd.DataFrame  # site_id, vehicle_id, t   (site opening decisions)
    wc: np.ndarray
    curves: dict  # vehicle_id -> (volumes, costs) breakpoints covering [0, max volume]
    must_move: dict  # service_id -> reason (str) for services that must move
    issues: list = field(default_factory=list)  # plain-words problems found while filtering
    standalone: set = field(default_factory=set)  # vehicles with no placements: established on their own merit
    dependencies: list = field(default_factory=list)  # (vehicle, required vehicle, lag) for vehicles in Y
    blocked: dict = field(default_factory=dict)  # service -> why its forced year leaves it no transfer
    floors: list = field(default_factory=list)  # (floor row, its coefficient matrices) for the floor rows
    # joint money (counts only while other vehicles exist): row k is anchored on establishment decision
    # J["y"][k] (-1 = fixed years), needs every vehicle in J["requires"][k] by each year; jb/jc its money by year
    J: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["joint_id", "y", "requires"]))
    jb: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    jc: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    R: pd.DataFrame | None = None  # site_id, t   (building release decisions: estates.py)
    rb: np.ndarray | None = None
    rc: np.ndarray | None = None
    release_notes: list = field(default_factory=list)  # the issues that only say a building gets no variable

    @property
    def x_coef(self) -> np.ndarray:
        return (self.xb - self.xc) @ self.df

    @property
    def y_coef(self) -> np.ndarray:
        return (self.yb - self.yc) @ self.df

    @property
    def w_coef(self) -> np.ndarray:
        return -self.wc @ self.df

    @property
    def r_coef(self) -> np.ndarray:
        return (self.rb - self.rc) @ self.df


def stream_profiles(streams: pd.DataFrame, keys: list, T: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """Dense (benefit, cost) per key over offsets -(T-1)..T-1 (column k + T - 1)."""
    s = streams[(streams["offset"] > -T) & (streams["offset"] < T)]
    g = s.groupby(keys + ["offset"], sort=True)[["benefit_gbp", "cost_gbp"]].sum().reset_index()
    key_tuples = list(dict.fromkeys(map(tuple, g[keys].to_numpy().tolist())))
    pos = {k: i for i, k in enumerate(key_tuples)}
    b = np.zeros((len(key_tuples) + 1, 2 * T - 1))  # last row: zeros for keys without streams
    c = np.zeros_like(b)
    rows = np.array([pos[tuple(r)] for r in g[keys].to_numpy().tolist()], dtype=int)
    cols = g["offset"].to_numpy(dtype=int) + T - 1
    np.add.at(b, (rows, cols), g["benefit_gbp"].to_numpy())
    np.add.at(c, (rows, cols), g["cost_gbp"].to_numpy())
    return pos, b, c


def shifted(profile: np.ndarray, rows: np.ndarray, t: np.ndarray, T: int) -> np.ndarray:
    """Matrix whose row i is profile[rows[i]] anchored at year t[i], cut to the horizon."""
    cols = np.arange(T)[None, :] - t[:, None] + T - 1
    return profile[rows[:, None], cols]


def anchored_money(streams: pd.DataFrame, keys: list, key_rows: list, t: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray]:
    """(benefit, cost) by decision and year: the streams of each decision's key anchored at its year t, cut to
    the horizon and, row by row, to the stream's ``from_year`` (a timing rule: no money before that year)."""
    b, c = np.zeros((len(key_rows), T)), np.zeros((len(key_rows), T))
    parts = streams.groupby("from_year", sort=True) if "from_year" in streams and len(streams) else [(0, streams)]
    for first, part in parts:
        pos, pb, pc = stream_profiles(part, keys, T)
        r = np.array([pos.get(k, len(pos)) for k in key_rows], dtype=int)
        sb, sc = shifted(pb, r, t, T), shifted(pc, r, t, T)
        if first > 0:
            sb[:, :first], sc[:, :first] = 0.0, 0.0
        b += sb
        c += sc
    return b, c


def joint_money(P: PlacementProblem, Y: pd.DataFrame, T: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The joint streams as rows (joint_id, establishment decision or -1, required vehicles) and their money by
    year. A joint stream whose anchor or a required vehicle cannot be established never counts: no row."""
    rows, bs, cs = [], [], []
    in_y = set(Y["vehicle_id"])
    req = P.joint_requires.groupby("joint_id")["requires_vehicle_id"].apply(lambda s: tuple(sorted(set(s)))).to_dict()
    for jid, st in P.joint_streams.groupby("joint_id", sort=True):
        needs = req.get(jid, ())
        anchor = st["vehicle_id"].iloc[0]
        if any(v not in in_y for v in needs) or (anchor is not None and anchor not in in_y):
            continue
        if anchor is None:  # fixed years: offset is the year itself
            b, c = anchored_money(st.assign(vehicle_id="-"), ["vehicle_id"], [("-",)], np.zeros(1, dtype=int), T)
            rows.append((jid, -1, needs))
            bs.append(b[0])
            cs.append(c[0])
            continue
        idx = np.flatnonzero(Y["vehicle_id"].to_numpy() == anchor)
        b, c = anchored_money(st, ["vehicle_id"], [(anchor,)] * len(idx), Y["t"].to_numpy(dtype=int)[idx], T)
        for k, i in enumerate(idx):
            rows.append((jid, int(i), needs))
            bs.append(b[k])
            cs.append(c[k])
    J = pd.DataFrame(rows, columns=["joint_id", "y", "requires"])
    stack = (lambda a: np.vstack(a) if a else np.zeros((0, T)))
    return J, stack(bs), stack(cs)


def curve_cost(volumes: np.ndarray, costs: np.ndarray, v) -> np.ndarray:
    """Piecewise-linear running cost at volume v, extrapolated linearly beyond both ends."""
    v = np.asarray(v, dtype=float)
    if len(volumes) == 1:
        return np.full_like(v, costs[0])
    out = np.interp(v, volumes, costs)
    lo_slope = (costs[1] - costs[0]) / (volumes[1] - volumes[0])
    hi_slope = (costs[-1] - costs[-2]) / (volumes[-1] - volumes[-2])
    out = np.where(v < volumes[0], costs[0] + lo_slope * (v - volumes[0]), out)
    return np.where(v > volumes[-1], costs[-1] + hi_slope * (v - volumes[-1]), out)


def curve_breakpoints(cc: pd.DataFrame, max_volume: float) -> tuple[np.ndarray, np.ndarray]:
    """The study's breakpoints, extended (by curve_cost's extrapolation) to cover [0, max_volume]."""
    cc = cc.groupby("volume", sort=True)["running_cost_gbp_per_year"].mean()
    vol = cc.index.to_numpy(dtype=float)
    cost = cc.to_numpy(dtype=float)
    pts = sorted(set(vol[(vol >= 0) & (vol <= max_volume)]) | {0.0, float(max_volume)})
    pts = np.array(pts, dtype=float)
    return pts, curve_cost(vol, cost, pts)


def prepare(problem: PlacementProblem) -> Prepared:
    P = problem.normalised()
    _validate(P)
    R = P.rules
    T = P.T
    issues: list[str] = []
    veh = P.vehicles.set_index("vehicle_id")
    live = {
        v for v, r in veh.iterrows()
        if not r.is_status_quo and R.vehicle_allowed(v, r.kind) and r.earliest_year <= min(r.latest_year, T - 1)
    }
    first_year = {}
    for v in sorted(live):
        lo, hi = int(veh.at[v, "earliest_year"]), min(int(veh.at[v, "latest_year"]), T - 1)
        if v in R.forced_vehicle_years:
            f = int(R.forced_vehicle_years[v])
            if not lo <= f <= hi:
                issues.append(f"{v} is forced to be established in year index {f}, outside its window "
                              f"{P.years[lo]}..{P.years[hi]}, so nothing can move into it")
                live.discard(v)
                continue
            lo = hi = f
        first_year[v] = (lo, hi)
    # vehicle dependencies: v only lag years after its required vehicle, so never before that one's first year
    deps = [(v, r, int(lag)) for v, r, lag in
            P.vehicle_dependencies[["vehicle_id", "requires_vehicle_id", "min_lag_years"]].itertuples(index=False)]
    changed = True
    while changed:  # chains tighten in turn; a vehicle whose requirement cannot be met is filtered out
        changed = False
        for v, r, lag in deps:
            if v not in first_year:
                continue
            if r not in first_year:
                issues.append(f"{v} requires {r} to be established first, which this option cannot establish, "
                              f"so nothing can move into {v}")
                del first_year[v]
                live.discard(v)
                changed = True
                continue
            lo, hi = first_year[v]
            lo2 = max(lo, first_year[r][0] + lag)
            if lo2 > hi:
                issues.append(f"{v} requires {r} established {lag} year(s) earlier, which leaves no year in "
                              f"{v}'s window, so nothing can move into {v}")
                del first_year[v]
                live.discard(v)
                changed = True
            elif lo2 != lo:
                first_year[v] = (lo2, hi)
                changed = True

    # --- sites -----------------------------------------------------------------------------------
    # a site with no vehicle is shared: any vehicle whose placements name it may use it (estates.py)
    shared = set(P.sites.loc[P.sites["vehicle_id"].isna(), "site_id"]) - set(R.closed_sites)
    sites = P.sites[(P.sites["vehicle_id"].isin(live) | P.sites["site_id"].isin(shared))
                    & ~P.sites["site_id"].isin(R.closed_sites)]
    sites_of = sites.dropna(subset=["vehicle_id"]).groupby("vehicle_id")["site_id"].apply(list).to_dict()
    all_sited = set(P.sites["vehicle_id"].dropna())

    # --- placements: expand missing site to all the vehicle's sites, then filter by rules ---------
    pl = P.placements[["service_id", "vehicle_id", "site_id"]]
    pl = pl[pl["vehicle_id"].isin(live) & pl["service_id"].isin(set(P.services["service_id"]))]
    rows = []
    for s, v, site in pl.itertuples(index=False):
        if site != NO_SITE and site in shared:
            cands = [site]
        elif v in all_sited:
            cands = sites_of.get(v, []) if site == NO_SITE else ([site] if site in set(sites_of.get(v, [])) else [])
        else:
            cands = [NO_SITE]
        rows.extend((s, v, c) for c in cands)
    E = pd.DataFrame(rows, columns=["service_id", "vehicle_id", "site_id"]).drop_duplicates()
    forb = set(map(tuple, R.forbidden_mappings))
    keep = []
    for s, v, site in E.itertuples(index=False):
        ok = (s, v) not in forb
        if s in R.forced_mappings:
            ok = ok and R.forced_mappings[s] == v
        if s in R.forced_sites:
            ok = ok and R.forced_sites[s] == site
        keep.append(ok)
    E = E[np.array(keep, dtype=bool)] if len(E) else E

    # --- years -----------------------------------------------------------------------------------
    xrows = []
    too_early = {}  # service -> {vehicle: its first year} for forced years before every vehicle can exist
    for s, v, site in E.itertuples(index=False):
        lo = first_year[v][0]
        years = range(lo, T)
        if s in R.forced_years:
            f = int(R.forced_years[s])
            years = [f] if f >= lo else []
            if f < lo:
                too_early.setdefault(s, {})[v] = lo
        xrows.extend((s, v, site, t) for t in years)
    X = pd.DataFrame(xrows, columns=["service_id", "vehicle_id", "site_id", "t"])
    X = X.sort_values(["service_id", "vehicle_id", "site_id", "t"]).reset_index(drop=True)

    # --- must move -------------------------------------------------------------------------------
    must_move, blocked = {}, {}
    for s in P.services["service_id"]:
        if R.service_must_move(s):
            if s in R.forced_mappings:
                reason = f"it is forced into {R.forced_mappings[s]}"
            elif s in R.forced_years:
                reason = f"it is forced to move in {P.years[int(R.forced_years[s])]}"
            elif s in R.must_move:
                reason = "the option says it must move"
            else:
                reason = "the option allows no service to stay where it is"
            must_move[s] = reason
            if not (X["service_id"] == s).any():
                if s in too_early:
                    firsts = ", ".join(f"{v} from {P.years[lo]}" for v, lo in sorted(too_early[s].items()))
                    blocked[s] = (f"that year is before any vehicle it may move into can be established ({firsts})")
                    issues.append(f"{s} is forced to move in {P.years[int(R.forced_years[s])]}, before any vehicle it "
                                  f"may move into can be established ({firsts})")
                else:
                    issues.append(f"{s} must move ({reason}) but has no eligible placement under this option's rules")

    # --- money of transfers ----------------------------------------------------------------------
    # a stream with a site counts only for moves to that site; a blank site, whichever site (each with its
    # timing rule's from_year, anchored_money)
    keys, t = ["service_id", "vehicle_id", "site_id"], X["t"].to_numpy(dtype=int)
    xb, xc = anchored_money(P.placement_streams, keys, [(s, v, NO_SITE) for s, v in zip(X["service_id"], X["vehicle_id"])],
                            t, T)
    sited = [(s, v, site) if site != NO_SITE else (None, None, None)
             for s, v, site in zip(X["service_id"], X["vehicle_id"], X["site_id"])]
    if any(k[0] is not None for k in sited):
        sb, sc = anchored_money(P.placement_streams, keys, sited, t, T)
        xb, xc = xb + sb, xc + sc

    # --- vehicles --------------------------------------------------------------------------------
    # a vehicle with no placements at all (component-level money only) may be established on its own
    standalone = {v for v in live if v not in set(P.placements["vehicle_id"])}
    used = set(X["vehicle_id"]) | standalone
    Y = pd.DataFrame(
        [(v, t) for v in sorted(used) for t in range(first_year[v][0], first_year[v][1] + 1)],
        columns=["vehicle_id", "t"],
    )
    yb, yc = anchored_money(P.vehicle_streams, ["vehicle_id"], [(v,) for v in Y["vehicle_id"]],
                            Y["t"].to_numpy(dtype=int), T)

    # --- sites: opening year from the vehicle's earliest year ------------------------------------
    wrows = []
    users = X.groupby("site_id")["vehicle_id"].apply(set).to_dict() if len(X) else {}
    for site, v, fixed, opening in sites[["site_id", "vehicle_id", "fixed_cost_gbp_per_year", "open_cost_gbp"]].itertuples(index=False):
        if v is None and not users.get(site):  # a shared site no move can use
            continue
        lo = first_year[v][0] if v is not None else min(first_year[u][0] for u in users[site])
        for t in range(lo, T):
            wrows.append((site, v, t, fixed, opening))
    W = pd.DataFrame(wrows, columns=["site_id", "vehicle_id", "t", "fixed", "opening"])
    W = W.sort_values(["site_id", "t"]).reset_index(drop=True)
    u = np.arange(T)[None, :]
    tw = W["t"].to_numpy(dtype=int)[:, None]
    wc = (u == tw) * W["opening"].to_numpy()[:, None] + (u >= tw) * W["fixed"].to_numpy()[:, None]
    wc = wc.astype(float).reshape(len(W), T)
    W = W[["site_id", "vehicle_id", "t"]]

    # --- economies of scale ----------------------------------------------------------------------
    curves = {}
    vol = P.services.set_index("service_id")["volume"]
    for v, cc in P.cost_curves.groupby("vehicle_id", sort=True):
        if v in used:
            maxvol = float(vol.reindex(X.loc[X["vehicle_id"] == v, "service_id"].unique()).sum())
            curves[v] = curve_breakpoints(cc, max(maxvol, 1e-9))

    in_y = set(Y["vehicle_id"])
    dependencies = [(v, r, lag) for v, r, lag in deps if v in in_y]
    prep = Prepared(P, T, P.discount_factor, X, xb, xc, Y, yb, yc, W, wc, curves, must_move, issues, standalone,
                    dependencies, blocked)
    prep.J, prep.jb, prep.jc = joint_money(P, Y, T)
    prepare_releases(prep)
    prep.floors = [(r, floor_coefficients(prep, r)) for r in P.floors.itertuples(index=False)]
    return prep


def _validate(P: PlacementProblem) -> None:
    """Malformed input is a ValueError naming the table and row; impossible rules are diagnosed later."""
    vehicles, services = set(P.vehicles["vehicle_id"]), set(P.services["service_id"])
    site_vehicle = dict(zip(P.sites["site_id"], P.sites["vehicle_id"]))
    problems = []
    for i, (s, v, site) in enumerate(P.placements[["service_id", "vehicle_id", "site_id"]].itertuples(index=False)):
        if s not in services:
            problems.append(f"placements row {i}: unknown service {s}")
        if v not in vehicles:
            problems.append(f"placements row {i}: unknown vehicle {v}")
        if site != NO_SITE and (site not in site_vehicle or site_vehicle[site] not in (v, None)):
            problems.append(f"placements row {i}: site {site} is not a site of {v}")
    for i, v in enumerate(P.sites["vehicle_id"]):
        if v is not None and v not in vehicles:
            problems.append(f"sites row {i}: unknown vehicle {v}")
    T, R = P.T, P.rules
    for what, table in (("service", R.forced_years), ("vehicle", R.forced_vehicle_years)):
        for key, f in table.items():
            if not (isinstance(f, (int, float, np.integer, np.floating)) and float(f).is_integer() and 0 <= f < T):
                problems.append(f"option '{R.name}': the forced year of {what} {key} is year index {f!r}, outside the "
                                f"horizon 0..{T - 1} ({P.years[0]}..{P.years[-1]})")
    for i, (v, r, lag) in enumerate(P.vehicle_dependencies[["vehicle_id", "requires_vehicle_id", "min_lag_years"]]
                                    .itertuples(index=False)):
        for col, x in (("vehicle_id", v), ("requires_vehicle_id", r)):
            if x not in vehicles:
                problems.append(f"vehicle_dependencies row {i}: unknown vehicle {x} in {col}")
        if v == r:
            problems.append(f"vehicle_dependencies row {i}: {v} cannot require itself")
        if lag < 0:
            problems.append(f"vehicle_dependencies row {i}: min_lag_years must be >= 0, got {lag}")
    problems += validate_floors(P)
    problems += validate_estates(P)
    if P.services["service_id"].duplicated().any():
        problems.append("services: duplicate service_id " + ", ".join(sorted(set(P.services["service_id"][P.services["service_id"].duplicated()]))))
    if problems:
        raise ValueError("PlacementProblem is malformed:\n" + "\n".join(problems[:20]))


def transfer_codes(X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each transfer row's service and option (service, vehicle, site) as integer codes: the groups of the
    guided start and of the guided repair (``rcfix.guided_keep``)."""
    service = pd.factorize(X["service_id"])[0]
    option = X.groupby(["service_id", "vehicle_id", "site_id"], sort=False, dropna=False).ngroup().to_numpy()
    return service, option
