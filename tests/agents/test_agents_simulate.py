"""Replications, output tables, summaries for appraisal, interventions and their comparison."""

import numpy as np
import pandas as pd
import pytest

from agents import (EarlyEngagement, GovernanceChange, RiskShare, SidePayment, apply_interventions, chosen_option,
                    compare_interventions, delay_summary, establishment_distribution, expected_profile,
                    median_establishment, prob_by_year, run_seeds, simulate)
from agents.examples import lancashire_like, random_inputs
from agents.interventions import intervention_cost_gbp

YEARS = ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"]


@pytest.fixture(scope="module")
def inputs():
    return lancashire_like()


@pytest.fixture(scope="module")
def res(inputs):
    return simulate(inputs, runs=120, seed=2017)


def test_run_seeds_are_spawned_and_reproducible():
    a = run_seeds(5, 4)
    assert a == run_seeds(5, 4) and len(set(a)) == 4
    assert run_seeds(5, 6)[:4] == a          # more runs keep the first runs' seeds
    assert run_seeds(6, 4) != a


def test_outcome_table(res):
    o = res.outcomes
    assert len(o) == 120 * 7 and list(o.columns) == ["run", "run_seed", "vehicle_id", "agreed_month",
                                                     "planned_month", "established_month", "delay_months",
                                                     "withdrawals", "first_agreed_month"]
    ok = o["agreed_month"].notna()
    assert (o.loc[ok, "established_month"] == np.maximum(o.loc[ok, "agreed_month"], o.loc[ok, "planned_month"])).all()
    assert (o.loc[ok, "delay_months"] >= 0).all()
    assert o.loc[~ok, "established_month"].isna().all()
    assert 0 < ok.mean() < 1                   # some runs agree, some do not


def test_same_seed_identical_results_and_chunking_irrelevant(inputs, res):
    again = simulate(inputs, runs=120, seed=2017, chunk_size=17)
    pd.testing.assert_frame_equal(res.outcomes, again.outcomes)
    pd.testing.assert_frame_equal(res.pivotal, again.pivotal)
    pd.testing.assert_frame_equal(res.trajectories, again.trajectories)
    other = simulate(inputs, runs=120, seed=2018)
    assert not res.outcomes["agreed_month"].equals(other.outcomes["agreed_month"])


def test_reference_implementation_gives_the_same_tables(inputs):
    a = simulate(inputs, runs=6, seed=9, record_runs=2, record_every=6)
    b = simulate(inputs, runs=6, seed=9, record_runs=2, record_every=6, impl="reference")
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    pd.testing.assert_frame_equal(a.pivotal, b.pivotal)
    pd.testing.assert_frame_equal(a.trajectories, b.trajectories, atol=1e-12)


def test_trajectories_sampled(res):
    t = res.trajectories
    assert sorted(t["run"].unique()) == [0, 1, 2]
    assert len(t) == 3 * 60 * 60 * 7
    assert t["stance"].between(-1, 1).all()


def test_pivotal_counts(res):
    pv = res.pivotal
    assert (pv["pivotal_runs"] <= res.runs).all()
    assert (pv["pivotal_runs"] == pv["pivotal_when_agreed"] + pv["pivotal_when_blocked"]).all()
    ca = pv[pv["vehicle_id"] == "CA"]
    agreed_ca = res.outcomes.query("vehicle_id == 'CA'")["agreed_month"].notna().sum()
    # under unanimity every member is pivotal in every run that agreed
    assert (ca["pivotal_when_agreed"] == agreed_ca).all() and len(ca) == 15


def test_prob_by_year_is_cumulative_and_matches_outcomes(res):
    p = prob_by_year(res, YEARS)
    assert list(p["year"].unique()) == YEARS
    for _, g in p.groupby("vehicle_id"):
        assert np.all(np.diff(g["prob_established"]) >= 0)
        assert (g["prob_established"] <= g["prob_agreed"] + 1e-12).all()
    ica = res.outcomes.query("vehicle_id == 'ICA'")
    want = (ica["established_month"] <= 12 * 2 + 11).mean()
    assert p.query("vehicle_id == 'ICA' and year_index == 2")["prob_established"].item() == pytest.approx(want)


def test_establishment_distribution_sums_to_one(res):
    d = establishment_distribution(res, 5)
    assert np.allclose(d.groupby("vehicle_id")["prob"].sum(), 1.0)
    # nothing can be established before its planned year (CA month 8 → year 0, WBCs month 24 → year 2)
    assert d.query("vehicle_id == 'WBC_FYL' and year_index in (0, 1)")["prob"].sum() == 0


def test_delay_summary_hook(res):
    ds = delay_summary(res, YEARS)
    assert list(ds.columns[:5]) == ["vehicle_id", "year_index", "year", "prob_established", "expected_delay_years"]
    assert len(ds) == 7 * 5
    one = ds[ds["vehicle_id"] == "ICA"]
    o = res.outcomes.query("vehicle_id == 'ICA'")
    ey = np.where(o["established_month"].isna(), 5, np.floor(o["established_month"] / 12))
    assert one["expected_delay_years"].iloc[0] == pytest.approx(np.mean(np.maximum(ey - 1, 0)))
    assert (ds["expected_delay_years"] >= 0).all()
    med = median_establishment(res)
    assert set(med["vehicle_id"]) == set(res.vehicle_ids)


def test_hand_built_outcomes_give_exact_summary_figures(res):
    """Four runs with known establishment months: check the arithmetic of the summaries exactly."""
    fake = type(res)(outcomes=pd.DataFrame({
        "run": [0, 1, 2, 3], "run_seed": [1, 2, 3, 4], "vehicle_id": ["X"] * 4,
        "agreed_month": [5.0, 20.0, 30.0, np.nan], "planned_month": [12] * 4,
        "established_month": [12.0, 20.0, 30.0, np.nan], "delay_months": [0.0, 8.0, 18.0, np.nan]}),
        pivotal=res.pivotal.iloc[:0], trajectories=res.trajectories.iloc[:0], runs=4, seed=0, horizon_months=36,
        vehicle_ids=["X"], planned_month={"X": 12})
    p = prob_by_year(fake)
    assert p["prob_established"].tolist() == [0.0, 0.5, 0.75]
    assert p["prob_agreed"].tolist() == [0.25, 0.5, 0.75]
    ds = delay_summary(fake)
    # years: 1, 1, 2, never→3; planned year 1 → delays 0, 0, 1, 2 → mean 0.75
    assert ds["expected_delay_years"].iloc[0] == 0.75
    assert ds["earliest_year_index"].iloc[0] == 1.0 and ds["prob_never"].iloc[0] == 0.25
    med = median_establishment(fake)
    assert med["median_established_month"].item() == 25.0 and med["prob_never"].item() == 0.25
    # established in year 1, 1, 2, never → P = ½ at year 1, ¼ at year 2
    streams = pd.DataFrame({"vehicle_id": "X", "offset": [0, 1], "benefit_gbp": [100.0, 200.0],
                            "cost_gbp": [50.0, 0.0]})
    ep = expected_profile(fake, streams)
    assert ep["planned_benefit_gbp"].tolist() == [0.0, 100.0, 200.0]
    assert ep["expected_benefit_gbp"].tolist() == [0.0, 50.0, 0.5 * 200 + 0.25 * 100]
    assert ep["expected_cost_gbp"].tolist() == [0.0, 25.0, 12.5]


def test_chosen_option_takes_the_first_agreed_in_preference_order(res):
    """Alternatives as vehicles (Plymouth's integration levels): per run the choice is the most preferred agreed."""
    o = pd.DataFrame({"run": np.repeat([0, 1, 2, 3], 2), "run_seed": 0, "vehicle_id": ["L4", "L3"] * 4,
                      "agreed_month": [np.nan, 6.0, 20.0, 3.0, np.nan, np.nan, 10.0, np.nan],
                      "planned_month": 0, "established_month": np.nan, "delay_months": np.nan})
    fake = type(res)(outcomes=o, pivotal=res.pivotal.iloc[:0], trajectories=res.trajectories.iloc[:0], runs=4,
                     seed=0, horizon_months=24, vehicle_ids=["L4", "L3"], planned_month={"L4": 0, "L3": 0})
    c = chosen_option(fake, ["L4", "L3"])
    assert c["prob"].tolist() == [0.5, 0.25, 0.25]          # L4 in runs 1 and 3, L3 in run 0, nothing in run 2
    assert c["median_agreed_month"].iloc[0] == 15.0 and c["median_agreed_month"].iloc[1] == 6.0


def test_interventions_transform_inputs():
    inp = random_inputs(4, n_partners=4, n_vehicles=2)
    pv = inp.partner_value.copy()
    pv.loc[(pv["partner_id"] == "p0") & (pv["vehicle_id"] == "v0"), "net_benefit_gbp"] = -5e6
    inp = inp.with_(partner_value=pv)
    out = apply_interventions(inp, [RiskShare("p0", 1e6, "v0"), SidePayment("p1", 2e6, "v1"),
                                    EarlyEngagement(6, vehicle_id="v1"), GovernanceChange("v0", "majority")])
    v = out.partner_value.set_index(["partner_id", "vehicle_id"])
    base = inp.partner_value.set_index(["partner_id", "vehicle_id"])
    assert v.loc[("p0", "v0"), "net_benefit_gbp"] == -1e6
    assert v.loc[("p0", "v0"), "uncertainty"] == pytest.approx(0.25)
    assert v.loc[("p1", "v1"), "net_benefit_gbp"] == pytest.approx(base.loc[("p1", "v1"), "net_benefit_gbp"] + 2e6)
    assert (v.xs("v1", level="vehicle_id")["head_start_months"] == 6).all()
    assert (v.xs("v0", level="vehicle_id")["head_start_months"] == 0).all()
    assert out.rules.set_index("vehicle_id").loc["v0", "rule"] == "majority"
    assert intervention_cost_gbp(inp, [RiskShare("p0", 1e6, "v0"), SidePayment("p1", 2e6, "v1")]) == 4e6 + 2e6


def test_side_payment_to_the_blockers_raises_agreement(inputs):
    acutes = ["Blackpool Teaching Hospitals", "Univ. Hospitals of Morecambe Bay", "Lancashire Teaching Hospitals",
              "East Lancashire Hospitals", "Airedale", "Southport & Ormskirk"]
    wbcs = [v for v in inputs.vehicle_ids if v.startswith("WBC")]
    df = compare_interventions(inputs, {
        "acute side payment": [SidePayment(acutes, 4e6, wbcs)],
        "acute risk share": [RiskShare(acutes, 0.0, wbcs)],
        "engage 12 months earlier": [EarlyEngagement(12)],
        "ICA by simple majority": [GovernanceChange("ICA", "majority", require_all_funders=False)],
    }, runs=80, seed=3, years=YEARS)
    assert set(df["scenario"]) == {"baseline", "acute side payment", "acute risk share", "engage 12 months earlier",
                                   "ICA by simple majority"}
    w = df[df["vehicle_id"].str.startswith("WBC")].groupby("scenario")["prob_agreed"].mean()
    assert w["acute side payment"] > w["baseline"] + 0.1
    assert w["acute risk share"] > w["baseline"]
    # paid only where a trust has a seat: six acute seats (one per footprint, two in Pennine), not 6 trusts × 5 WBCs
    assert df.query("scenario == 'acute side payment'")["cost_gbp"].iloc[0] == 4e6 * 6
    ica = df[df["vehicle_id"] == "ICA"].set_index("scenario")
    assert ica.loc["ICA by simple majority", "prob_agreed"] > ica.loc["baseline", "prob_agreed"]
    assert ica.loc["engage 12 months earlier", "expected_delay_years"] <= ica.loc["baseline", "expected_delay_years"]
    assert (df.query("scenario == 'baseline'")[["delta_prob_agreed", "delta_delay_years"]] == 0).all().all()


def test_interventions_on_one_vehicle_leave_the_others_exactly_unchanged(inputs):
    """Vehicles interact only through partners' separate stances, and every scenario uses the same random
    numbers, so a package aimed at the WBCs must not move the ICA or CA outcomes at all."""
    wbcs = [v for v in inputs.vehicle_ids if v.startswith("WBC")]
    base = simulate(inputs, runs=30, seed=8).outcomes
    for pkg in ([SidePayment("Airedale", 5e6, wbcs)], [RiskShare("Airedale", 0.0, wbcs)],
                [EarlyEngagement(6, vehicle_id=wbcs)]):
        out = simulate(inputs.with_(interventions=pkg), runs=30, seed=8).outcomes
        keep = base["vehicle_id"].isin(["ICA", "CA"])
        pd.testing.assert_frame_equal(base[keep], out[keep])
        assert not base[~keep]["agreed_month"].equals(out[~keep]["agreed_month"]) or pkg[0].__class__ is RiskShare


def test_lancashire_like_figures(res):
    """Regression figures for the illustrative Lancashire-like set, seed 2017, 120 runs (deterministic; update
    deliberately when a rule or default changes, and say so in the commit)."""
    p = prob_by_year(res).query("year_index == 4").set_index("vehicle_id")["prob_established"]
    # batch engine: one noise shock per partner per month (shared across its vehicles), 1-month pre-election period
    assert p.round(4).to_dict() == {"ICA": 0.4667, "WBC_FYL": 0.325, "WBC_MBY": 0.2167, "WBC_CEN": 0.35,
                                    "WBC_PEN": 0.1083, "WBC_WLA": 0.3083, "CA": 0.6583}
    med = median_establishment(res).set_index("vehicle_id")
    assert med.loc["CA", "median_established_month"] == 47.5 and np.isnan(med.loc["WBC_PEN",
                                                                                   "median_established_month"])
    # the acute trust (a funder whose own money is negative) is the most pivotal partner of each one-trust WBC
    top = res.pivotal.sort_values("pivotal_runs", ascending=False).groupby("vehicle_id").head(1)
    top = top.set_index("vehicle_id")["partner_id"]
    assert top["WBC_FYL"] == "Blackpool Teaching Hospitals" and top["WBC_MBY"] == "Univ. Hospitals of Morecambe Bay"
    assert top["WBC_WLA"] == "Southport & Ormskirk" and top["WBC_CEN"] == "Lancashire Teaching Hospitals"
