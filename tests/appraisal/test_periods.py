"""Time is a list of periods (appraisal/study/periods.py; docs/money.md, "Periods").

Hand-computed: a £400k-a-year saving whose service moves in 2025/26 Q3 earns £200k in 2025/26 (two quarters
of £100k) and £400k a year after; a ramp applies by year of operation across quarters; a one-off lands
whole in its quarter; discounting is by financial year (Green Book STPR, D_t = 1.035^-t). Labels are checked
with file, row and column; the optimiser keeps quarter gates and writes quarter labels that `appraise --plan`
reads back to the same NPSV.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from appraisal.money.document import document_plan
from appraisal.money.ledger import plan_money
from appraisal.money.metrics import appraise_plan
from appraisal.money.plans import read_plans
from appraisal.study import StudyError, load_study
from appraisal.study.periods import label_problem, period_index, period_labels
from appraisal.workflows.optimise import optimise_option

ROOT = Path(__file__).resolve().parents[2]
DF = [1.035 ** -t for t in range(4)]  # STPR, years 0-3

TABLES = {
    "services.csv": "service_id,name,current_provider,current_vehicle_id,fte,source\n"
                    "s,Contact centre,council,own,10,test\n",
    "vehicles.csv": "vehicle_id,name,kind,earliest_year,planned_year,governance_rule,source\n"
                    "own,Own provision,status_quo,2025/26,,lead_partner,test\n"
                    "hub,Hub,shared_service,{earliest},{planned},lead_partner,test\n",
    "partners.csv": "partner_id,name,type,budget_gbp,financial_pressure,source\n"
                    "council,Council,unitary_council,10000000,0.5,test\n",
    "options.csv": "option_id,name,source\nhub,Hub,test\n",
    "placements.csv": "service_id,vehicle_id,source\ns,hub,test\n",
    "option_rules.csv": "option_id,rule,service_id,vehicle_id,year,source\nhub,reference,s,hub,{move},test\n",
    "benefits.csv": "benefit_id,component,vehicle_id,service_id,run_rate_gbp,ramp,recipient,trigger,source\n"
                    "saving,Hub,hub,s,400000,{ramp},council,service,test\n",
    "costs.csv": "cost_id,component,kind,vehicle_id,service_id,amount_gbp,payer,trigger,source\n"
                 "move,Hub,one_off,hub,s,100000,council,service,test\n",
}


def write_study(folder: Path, period: str = "quarter", move: str = "2025/26 Q3", ramp: str = "",
                earliest: str = "2025/26", planned: str = "", extra: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yaml").write_text(
        "format: 2\nname: Periods test\n"
        f"horizon: {{start: 2025/26, years: 4, period: {period}}}\ndiscounting: {{schedule: stpr}}\n")
    for name, text in (TABLES | (extra or {})).items():
        (folder / name).write_text(text.format(move=move, ramp=ramp, earliest=earliest, planned=planned))
    return folder


def yearly(study, plan) -> dict[str, float]:
    s = plan_money(study, plan.option_id, plan).streams
    return s.assign(net=np.where(s["kind"] == "benefit", s["amount_gbp"], -s["amount_gbp"])).groupby("year")["net"] \
        .sum().to_dict()


def test_labels_and_indices():
    years = ["2025/26", "2026/27"]
    assert period_labels(years, "quarter")[2] == "2025/26 Q3"
    assert period_labels(years, "month")[6] == "2025/26 M07"  # M01 = April, so M07 = October
    assert period_index("2025/26 Q3", years, "quarter") == 2
    assert period_index("2026/27", years, "quarter") == 4  # a year label: its first quarter
    assert period_index("2026/27", years, "quarter", end=True) == 7  # ... its last, as an end year
    assert period_index("2026/27 M12", years, "month") == 23
    assert period_index("2026/27", years, "year") == 1
    assert "is a quarter, but this study plans by years" in label_problem("2025/26 Q3", years, "year")
    assert "outside the horizon" in label_problem("2027/28 Q1", years, "quarter")


def test_a_transfer_in_the_third_quarter_earns_half_a_year(tmp_path):
    study = load_study(write_study(tmp_path / "q"))
    plan = document_plan(study, "hub")
    assert plan.table(study).query("item == 'service'")["year"].tolist() == ["2025/26 Q3"]
    money = yearly(study, plan)
    # saving: Q3 + Q4 of 2025/26 = 2 × £100k; the one-off £100k move cost lands whole in 2025/26 Q3
    assert money == pytest.approx({"2025/26": 200_000 - 100_000, "2026/27": 400_000, "2027/28": 400_000,
                                   "2028/29": 400_000}, abs=1e-6)
    npsv = appraise_plan(study, plan).metrics["npsv_gbp"]
    assert npsv == pytest.approx(100_000 + 400_000 * (DF[1] + DF[2] + DF[3]), abs=0.005)  # £1,220,654.79
    assert npsv == pytest.approx(1_220_654.79, abs=0.01)

    # the same study by year: a move in 2025/26 earns the whole year
    by_year = load_study(write_study(tmp_path / "y", period="year", move="2025/26"))
    assert yearly(by_year, document_plan(by_year, "hub"))["2025/26"] == pytest.approx(300_000)


def test_a_ramp_runs_by_year_of_operation_across_quarters(tmp_path):
    study = load_study(write_study(tmp_path / "q", ramp="0.5;1"))
    money = yearly(study, document_plan(study, "hub"))
    # first year of operation = 2025/26 Q3 … 2026/27 Q2 at half rate (£50k a quarter), then £100k a quarter
    assert money == pytest.approx({"2025/26": 2 * 50_000 - 100_000, "2026/27": 2 * 50_000 + 2 * 100_000,
                                   "2027/28": 400_000, "2028/29": 400_000}, abs=1e-6)


def test_yearly_profiles_spread_and_period_profiles_land(tmp_path):
    extra = {"benefits.csv": "benefit_id,component,recipient,trigger,source\nprog,Programme,council,option,test\n",
             "benefit_profiles.csv": "stream_id,year,amount_gbp,source\nprog,2025/26,80000,test: spread\n"
                                     "prog,2026/27 Q4,5000,test: one quarter\n",
             "costs.csv": "cost_id,component,kind,amount_gbp,start_year,end_year,payer,trigger,source\n"
                          "run,Programme,recurring,40000,2026/27 Q2,2027/28,council,option,test\n"}
    study = load_study(write_study(tmp_path / "q", extra=extra))
    s = plan_money(study, "hub", document_plan(study, "hub")).streams
    prog = s[s["stream_id"] == "prog"].set_index("year")["amount_gbp"].to_dict()
    # 2025/26: 4 × £20k; 2026/27: nothing in Q1-Q3 (a profile names its periods), £5k in Q4; the last period's
    # value holds after the profile (as a yearly profile's last year does): 4 × £5k a year
    assert prog == pytest.approx({"2025/26": 80_000, "2026/27": 5_000, "2027/28": 20_000, "2028/29": 20_000})
    run = s[s["stream_id"] == "run"].set_index("year")["amount_gbp"].to_dict()
    # £40k a year = £10k a quarter from 2026/27 Q2 to the end of 2027/28 (a year label as end = its last quarter)
    assert run == pytest.approx({"2026/27": 30_000, "2027/28": 40_000})


def test_bad_period_labels_name_file_row_column(tmp_path):
    with pytest.raises(StudyError) as info:
        load_study(write_study(tmp_path / "a", period="year"))  # a quarter in a yearly study
    text = "\n".join(map(str, info.value.problems))
    assert "option_rules.csv, row 2, column 'year'" in text and "plans by years" in text
    with pytest.raises(StudyError) as info:
        load_study(write_study(tmp_path / "b", move="2025/26 Q5"))
    assert "option_rules.csv, row 2, column 'year'" in "\n".join(map(str, info.value.problems))
    with pytest.raises(StudyError) as info:
        load_study(write_study(tmp_path / "c", move="2025/26 M07"))  # a month in a quarterly study
    assert "is a month, but this study plans by quarters" in "\n".join(map(str, info.value.problems))
    limits = {"limits.csv": "limit,year,value,source\nmax_transfers_per_year,,3,test\n"}
    with pytest.raises(StudyError) as info:
        load_study(write_study(tmp_path / "d", extra=limits))
    assert "limits.csv, row 2, column 'limit'" in "\n".join(map(str, info.value.problems))


def test_plan_file_reads_period_labels_and_year_labels(tmp_path):
    study = load_study(write_study(tmp_path / "q"))
    path = tmp_path / "plan.csv"
    path.write_text("option_id,item,service_id,vehicle_id,site_id,year\nhub,service,s,hub,,2026/27\n")
    plan = read_plans(study, path)["hub"]
    assert int(plan.moves["t"].iat[0]) == 4  # 2026/27 = 2026/27 Q1
    path.write_text("option_id,item,service_id,vehicle_id,site_id,year\nhub,service,s,hub,,2026/27 Q9\n")
    with pytest.raises(StudyError) as info:
        read_plans(study, path)
    assert "plan.csv, row 2, column 'year'" in str(info.value.problems[0])


def test_optimiser_keeps_quarter_gates_and_its_plan_reads_back(tmp_path):
    # the hub may exist from 2026/27 Q2 only: the optimiser moves the service then (the saving beats waiting)
    study = load_study(write_study(tmp_path / "q", earliest="2026/27 Q2"))
    result = optimise_option(study, "hub", reproduce=False)
    assert result.plan.status == "optimal"
    table = result.optimised.table(study)
    assert table.query("item == 'service'")["year"].tolist() == ["2026/27 Q2"]
    objective = result.plan.objective_gbp + result.constant_gbp
    # 2026/27: Q2-Q4 saving 3 × £100k less the £100k move; then £400k a year
    assert objective == pytest.approx(200_000 * DF[1] + 400_000 * (DF[2] + DF[3]), abs=0.005)
    path = result.optimised.write(study, tmp_path / "plan.csv")
    again = read_plans(study, path)["hub"]
    assert appraise_plan(study, again).metrics["npsv_gbp"] == pytest.approx(objective, abs=0.005)


def test_quarterly_fixture_gates_respected():
    study = load_study(ROOT / "tests" / "fixtures" / "hubs_quarterly")
    result = optimise_option(study, "hub", reproduce=False)
    table = result.optimised.table(study).set_index(["item", "service_id"])
    assert table.loc[("service", "a"), "year"] == "2021/22 Q3"  # force_year in a quarter
    established = result.optimised.table(study).query("item == 'vehicle'")["year"].iat[0]
    assert study.periods.index(established) >= study.period_index("2021/22 Q2")  # the hub's earliest quarter
    assert result.plan.objective_gbp + result.constant_gbp == pytest.approx(result.npsv_gbp, abs=0.005)


def test_quarterly_optimum_equals_brute_force_and_lags_are_years(tmp_path):
    """Two services, two years by quarter (8 periods), a one-year precedence lag (= 4 quarters): the MILP's
    optimum equals enumeration of every plan on the period axis, and its ledger NPSV equals objective + constant."""
    import sys

    from appraisal.adapters.to_optimise import build_problem, engine_tables, from_engine
    from appraisal.adapters.optimiser import evaluate_plan, solve

    sys.path.insert(0, str(ROOT / "tests" / "optimise"))
    from opt_instances import brute_force

    extra = {
        "services.csv": "service_id,name,current_provider,current_vehicle_id,fte,source\n"
                        "s,Contact centre,council,own,10,test\nt,Duty desk,council,own,5,test\n",
        "placements.csv": "service_id,vehicle_id,source\ns,hub,test\nt,hub,test\n",
        "precedence.csv": "before_service_id,after_service_id,min_lag_years,source\ns,t,1,test: t a year after s\n",
        "benefits.csv": "benefit_id,component,vehicle_id,service_id,run_rate_gbp,ramp,recipient,trigger,source\n"
                        "saving,Hub,hub,s,400000,0.5;1,council,service,test\n"
                        "saving_t,Hub,hub,t,90000,,council,service,test\n",
        "costs.csv": "cost_id,component,kind,vehicle_id,service_id,amount_gbp,start_year,payer,trigger,source\n"
                     "move,Hub,one_off,hub,s,100000,,council,service,test\n"
                     "move_t,Hub,one_off,hub,t,60000,,council,service,test\n"
                     "setup,Hub,one_off,hub,,50000,2025/26 Q2,council,vehicle,test: a quarter before the hub\n",
    }
    folder = write_study(tmp_path / "q", earliest="2025/26 Q2", planned="2025/26 Q3", extra=extra)
    text = (folder / "study.yaml").read_text().replace("years: 4", "years: 2")
    (folder / "study.yaml").write_text(text)
    study = load_study(folder)
    problem, constant = build_problem(study, "hub")
    assert problem.T == 8 and problem.normalised().precedence["min_lag_years"].tolist() == [4]
    best, _ = brute_force(problem)
    plan = solve(problem)
    assert plan.status == "optimal"
    assert plan.objective_gbp == pytest.approx(best, abs=1e-6)
    ours = from_engine("hub", plan, "optimised")
    moves = dict(zip(ours.moves["service_id"], ours.moves["t"]))
    assert moves == {"s": 1, "t": 5}  # s as soon as the hub may exist (2025/26 Q2), t four quarters later
    assert appraise_plan(study, ours).metrics["npsv_gbp"] == pytest.approx(best + constant, abs=0.005)
    assert evaluate_plan(problem, **engine_tables(ours, 8)).npv_gbp == pytest.approx(best, abs=1e-6)


def test_a_transfer_in_october_earns_half_a_year_by_month(tmp_path):
    study = load_study(write_study(tmp_path / "m", period="month", move="2025/26 M07"))
    assert len(study.periods) == 48 and study.periods[6] == "2025/26 M07"
    money = yearly(study, document_plan(study, "hub"))
    assert money["2025/26"] == pytest.approx(6 * 400_000 / 12 - 100_000)  # October to March, less the move
    assert money["2026/27"] == pytest.approx(400_000)
