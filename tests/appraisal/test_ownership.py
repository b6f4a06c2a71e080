"""Benefits owned once (issue 11, item 2) on tests/fixtures/ownership, figures by hand (no discounting):

vehicles a (planned 2026/27) and b (planned 2027/28), standalone; horizon 2025/26-2029/30 (t = 0..4).
* joint_saving £100k a year from a's establishment, realised by a, enabled by b: counts in a year only when
  both exist. Document plan (a t=1, b t=2): t = 2, 3, 4 -> £300k; without b: £0; b at t=3: £200k.
* a_saving £50k a year from a, no money before 2027/28 (timing_rules.csv): document plan t = 2..4 -> £150k;
  a at t=0 (the optimum) still £150k: the rule survives re-optimisation.
* b_saving £40k a year from b; a_setup £120k and b_setup £200k one-offs at establishment.
Document NPSV go = 300 + 150 + 120 - 320 = £250k; a_only = 150 - 120 = £30k.
Optimum go: a and b in 2025/26: joint 500 + a 150 + b 200 - 320 = £530k; a_only £30k.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from appraisal.adapters.optimiser import evaluate_plan
from appraisal.adapters.to_optimise import build_problem, engine_tables
from appraisal.money.ledger import plan_money
from appraisal.money.metrics import appraise_plan
from appraisal.money.plans import Plan
from appraisal.study import StudyError, load_study
from appraisal.workflows.optimise import optimise_option

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ownership"
NO_MOVES = pd.DataFrame(columns=["service_id", "vehicle_id", "site_id", "t"])


@pytest.fixture(scope="module")
def study():
    return load_study(FIXTURE)


def plan(option: str, **vehicles) -> Plan:
    return Plan(option, "file", NO_MOVES.copy(), dict(vehicles))


def line_total(study, p: Plan, line: str) -> float:
    s = plan_money(study, p.option_id, p).streams
    return float(s.loc[s["stream_id"] == line, "amount_gbp"].sum())


@pytest.mark.parametrize("vehicles, joint", [({"a": 1, "b": 2}, 300_000), ({"a": 1}, 0.0), ({"a": 1, "b": 3}, 200_000),
                                             ({"b": 0}, 0.0), ({"a": 0, "b": 0}, 500_000), ({"a": 3, "b": 0}, 200_000)])
def test_a_two_vehicle_benefit_counts_only_while_both_exist(study, vehicles, joint):
    p = plan("go", **vehicles)
    assert line_total(study, p, "joint_saving") == pytest.approx(joint, abs=0.005)
    problem, constant = build_problem(study, "go")  # the MILP's coefficients give the same money
    milp = evaluate_plan(problem, **engine_tables(p, len(study.years))).npv_gbp + constant
    assert milp == pytest.approx(appraise_plan(study, p).metrics["npsv_gbp"], abs=0.005)


def test_document_plans_by_hand(study):
    assert appraise_plan(study, plan("go", a=1, b=2)).metrics["npsv_gbp"] == pytest.approx(250_000, abs=0.005)
    assert appraise_plan(study, plan("a_only", a=1)).metrics["npsv_gbp"] == pytest.approx(30_000, abs=0.005)


def test_the_date_rule_survives_re_optimisation(study):
    r = optimise_option(study, "go", reproduce=False)
    assert r.plan.status == "optimal"
    assert r.optimised.vehicles == {"a": 0, "b": 0}
    assert r.plan.objective_gbp + r.constant_gbp == pytest.approx(530_000, abs=0.005)
    assert r.npsv_gbp == pytest.approx(530_000, abs=0.005)
    s = plan_money(study, "go", r.optimised).streams
    a = s[s["stream_id"] == "a_saving"]
    assert a["amount_gbp"].sum() == pytest.approx(150_000) and set(a["year"]) == {"2027/28", "2028/29", "2029/30"}
    only = optimise_option(study, "a_only", reproduce=False)
    assert only.plan.objective_gbp + only.constant_gbp == pytest.approx(30_000, abs=0.005)


def _copy(tmp_path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(FIXTURE, folder)
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(StudyError) as err:
        load_study(folder)
    return [str(p) for p in err.value.problems]


def test_validate_flags_two_lines_claiming_the_same_saving(tmp_path):
    folder = _copy(tmp_path)
    with open(folder / "benefits.csv", "a") as f:
        f.write("joint_again,joint commissioning,cashable,b,60000,county,b,,test fixture: the same saving booked by b,North\n")
    problems = _problems(folder)
    assert problems == ["benefits.csv, row 5, column 'component': benefit joint_again claims the same saving as "
                        "joint_saving (row 2): recipient county, component 'joint commissioning', place North, in 2027/28 to 2029/30; "
                        "a saving is owned once: merge the lines, give one realiser (realised_by) and the other as an enabler (enabled_by), or, if they are "
                        "different savings, name each one's budget in the baseline column"]


def test_a_named_baseline_is_claimed_once_whatever_the_components(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "benefits.csv").read_text().splitlines()
    text[0] += ",baseline"
    text[1] += ",county commissioning budget"  # joint_saving (from 2027/28 under the document plan)
    text[3] += ",county commissioning budget"  # b_saving, another component, from 2027/28
    text[2] += ","
    (folder / "benefits.csv").write_text("\n".join(text) + "\n")
    assert _problems(folder) == [
        "benefits.csv, row 4, column 'baseline': benefit b_saving claims the same saving as joint_saving (row 2): "
        "recipient county, baseline 'county commissioning budget', in 2027/28 to 2029/30; a saving is owned once: "
        "merge the lines, give one realiser (realised_by) and the other as an enabler (enabled_by), or, if they are "
        "different savings, name each one's budget in the baseline column"]


def test_the_same_component_in_two_places_is_two_savings(tmp_path):
    folder = _copy(tmp_path)
    with open(folder / "benefits.csv", "a") as f:
        f.write("joint_south,joint commissioning,cashable,a,60000,county,a,b,test fixture,South\n")
    assert "joint_south" in set(load_study(folder).tables["benefits"]["benefit_id"])


def test_lines_in_years_that_do_not_overlap_are_no_double_claim(tmp_path):
    folder = _copy(tmp_path)
    with open(folder / "benefits.csv", "a") as f:  # a profile in 2025/26 only: a's line starts in 2026/27
        f.write("early_joint,joint commissioning,cashable,,,county,,,test fixture: a grant in 2025/26,North\n")
    (folder / "benefit_profiles.csv").write_text("stream_id,year,amount_gbp,source\nearly_joint,2025/26,5000,t\n"
                                                 "early_joint,2026/27,0,t\n")
    assert load_study(folder).tables["benefits"]["benefit_id"].tolist()[-1] == "early_joint"


@pytest.mark.parametrize("edit, expected", [
    (("a,b,test fixture: needs a and b", "a,c,test fixture: needs a and b"),
     "benefits.csv, row 2, column 'enabled_by': 'c' is not a vehicle_id (or workstream_id) in vehicles.csv"),
    (("a,b,test fixture: needs a and b", "a,a,test fixture: needs a and b"),
     "benefits.csv, row 2, column 'enabled_by': 'a' realises the benefit; it cannot also be its enabler"),
])
def test_bad_ownership_is_one_clear_problem(tmp_path, edit, expected):
    folder = _copy(tmp_path)
    text = (folder / "benefits.csv").read_text().replace(*edit)
    (folder / "benefits.csv").write_text(text)
    assert expected in _problems(folder)


def test_bad_timing_rules(tmp_path):
    folder = _copy(tmp_path)
    (folder / "timing_rules.csv").write_text(
        "rule_id,selector,not_before_year,not_before_milestone,source\n"
        "r1,benefit:nope,2027/28,,t\nr2,benefits,2040/41,,t\nr3,benefits,,m9,t\nr4,benefits,2027/28,m9,t\n")
    problems = _problems(folder)
    assert "timing_rules.csv, row 2, column 'selector': 'benefit:nope': no benefit 'nope' in the study" in problems
    assert ("timing_rules.csv, row 3, column 'not_before_year': year 2040/41 is outside the horizon 2025/26 to "
            "2029/30") in problems
    assert "timing_rules.csv, row 4, column 'not_before_milestone': 'm9' is not a milestone_id in milestones.csv" in problems
    assert any(p.startswith("timing_rules.csv, row 5") and "exactly one of not_before_year or not_before_milestone" in p
               for p in problems), problems


def test_the_place_based_view_adds_up_to_the_npsv(study):
    """Document plan of go: North = joint 300 - a_setup 120 = £180k; South = a_saving £150k; not placed =
    b_saving 120 - b_setup 200 = -£80k; together the NPSV, £250k."""
    from appraisal.money.places import place_view
    from appraisal.workflows.appraise import financial_case

    case = financial_case(study)
    view = place_view(study, case.options["go"]).set_index("place")
    assert list(view.index) == ["North", "South", "not placed"]
    assert view["npsv_gbp"].to_dict() == pytest.approx({"North": 180_000, "South": 150_000, "not placed": -80_000})
    assert view.loc["North", "pv_costs_gbp"] == pytest.approx(120_000)
    for oid, r in case.options.items():
        v = place_view(study, r)
        assert v["npsv_gbp"].sum() == pytest.approx(r.metrics["npsv_gbp"], abs=1e-6)
        assert v["pv_benefits_gbp"].sum() == pytest.approx(r.metrics["pv_benefits_gbp"], abs=1e-6)
    results = case.results()
    assert [p["place"] for p in results["places"]["a_only"]] == ["North", "South"]  # a_only: North 0 - 120, South 150
    assert [p["npsv_gbp"] for p in results["places"]["a_only"]] == pytest.approx([-120_000, 150_000])
    # the enabler -> realiser map: joint_saving is realised by a and enabled by b
    owned = {(r["enabler"], r["realiser"], r["benefit_id"]): r["pv_gbp"]["go"] for r in results["ownership"]}
    assert owned == pytest.approx({("b", "a", "joint_saving"): 300_000, (None, "a", "a_saving"): 150_000,
                                   (None, "b", "b_saving"): 120_000})


def test_an_enabling_workstream_is_weighed_by_what_it_unlocks():
    """The front desk saving (realised by shared access, enabled by the hub and data sharing) counts, in each
    partner's weighing, toward every vehicle it needs: the county's data-sharing decision sees its share of the
    saving (£18,525 a year on average, as for access) less the data-sharing cost it pays (£10,800)."""
    from appraisal.workflows.buyin import partner_value

    study = load_study(Path(__file__).parents[2] / "studies" / "estate_programme")
    v = partner_value(study, "go").set_index(["partner_id", "vehicle_id"])
    assert v.loc[("county", "access"), "net_benefit_gbp"] == pytest.approx(18_525.0)
    assert v.loc[("county", "data"), "cost_share_gbp"] == pytest.approx(10_800.0)
    assert v.loc[("county", "data"), "net_benefit_gbp"] == pytest.approx(18_525.0 - 10_800.0)
    # a partner that pays nothing for data sharing still sees what it unlocks
    assert v.loc[("district", "data"), "net_benefit_gbp"] == pytest.approx(v.loc[("district", "access"), "net_benefit_gbp"])
