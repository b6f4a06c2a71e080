"""The illustrative multi-partner estate programme: a go / do-minimum decision with a risk register."""
from pathlib import Path

import pytest

from appraisal.study import load_study
from appraisal.workflows.appraise import financial_case

STUDY = Path(__file__).parents[2] / "studies" / "estate_programme"


def test_go_against_do_minimum_with_its_register_and_targets():
    study = load_study(STUDY)
    case = financial_case(study)
    results = case.results()
    assert case.targets()["ok"].all()  # the 10% property target and the refit budget
    assert results["options"]["do_minimum"]["metrics"]["npsv_gbp"] == 0
    assert len(results["risks"]["register"]) == 10
    scores = [r["score"] for r in results["risks"]["register"]]
    assert scores == sorted(scores, reverse=True)
    go = results["options"]["go"]["metrics"]
    # two quantified risks (refit overrun, ICT) lower the risk-adjusted NPSV by their PV of expected cost
    assert go["npsv_gbp"] - go["npsv_risk_adjusted_gbp"] == pytest.approx(
        results["risks"]["pv_expected_cost_by_option_gbp"]["go"])
    # service charges to the civic offices' owner are transfers: the district receives, the system nets zero
    party = case.options["go"].by_party.set_index("partner_id")
    assert party.loc["district", "transfers_in_gbp"] == pytest.approx(8 * (30_000 + 24_000 + 36_000))
    assert party["transfers_in_gbp"].sum() == pytest.approx(party["transfers_out_gbp"].sum())
    # the annex sale is one receipt of £400k, not a run rate
    streams = case.options["go"].streams
    assert streams.loc[streams["stream_id"] == "annex_disposal", "amount_gbp"].sum() == pytest.approx(400_000)


def test_optimised_phasing_is_appraised_by_the_money_engine():
    from appraisal.workflows.optimise import optimise_option

    r = optimise_option(load_study(STUDY), "go", reproduce=False)
    assert r.plan.status == "optimal"
    summary = r.summary()
    assert summary["milp_objective_gbp"] + summary["constant_gbp"] == pytest.approx(r.npsv_gbp, abs=0.005)
    assert r.appraisal.metrics["npsv_gbp"] == pytest.approx(r.npsv_gbp, abs=0.005)
    assert r.npsv_gbp >= financial_case(load_study(STUDY)).options["go"].metrics["npsv_gbp"] - 1e-6


def test_a_programme_study_is_a_go_do_minimum_decision():
    """No options.csv: study.yaml declares the programme; reformkit makes go and do_minimum (no workstream)."""
    study = load_study(STUDY)
    assert study.option_ids == ["do_minimum", "go"]
    rules = study.tables["option_rules"]
    assert sorted(rules.loc[rules["option_id"] == "do_minimum", "vehicle_id"]) == ["access", "data", "hub", "workforce"]
    results = financial_case(study).results()
    p = results["programme"]
    assert p["decision"] == "go" and p["decision_basis"] == "risk-adjusted NPSV of go less do-minimum"
    go = results["options"]["go"]["metrics"]
    # do-minimum is £0, so go less do-minimum is go's own figures (£226,517.20 NPSV, as before the conversion)
    assert p["incremental"]["npsv_gbp"] == pytest.approx(go["npsv_gbp"]) == pytest.approx(226_517.20, abs=0.01)
    assert p["incremental"]["npsv_risk_adjusted_gbp"] == pytest.approx(go["npsv_risk_adjusted_gbp"])
    assert [w["workstream_id"] for w in p["workstreams"]] == ["hub", "access", "data", "workforce"]
    assert len(p["milestones"]) == 7
    # one front desk is realised by shared customer access and needs the hub and data sharing
    owned = {(r["enabler"], r["realiser"]) for r in results["ownership"] if r["benefit_id"] == "shared_front_desk"}
    assert owned == {("hub", "access"), ("data", "access")}


def test_no_cashable_saving_before_the_refit_is_complete_even_when_re_optimised():
    from appraisal.money.ledger import plan_money
    from appraisal.workflows.optimise import optimise_option

    study = load_study(STUDY)
    r = optimise_option(study, "go", reproduce=False)
    streams = plan_money(study, "go", r.optimised).streams
    cash = streams[(streams["kind"] == "benefit") & (streams["category"] == "cashable")]
    assert cash["amount_gbp"].abs().sum() > 0
    assert min(cash["year"]) >= "2027/28"  # refit_complete is due in 2026/27
    # the optimiser establishes the hub in 2026/27, a year before the document: its lines move a year earlier,
    # and the rule holds their 2026/27 money back (the VCS office, £16k a year at once, from 2027/28 only)
    assert r.optimised.vehicles["hub"] == 1
    vcs = streams[streams["stream_id"] == "vacate_vcs_office"].set_index("year")["amount_gbp"]
    assert "2026/27" not in vcs.index and vcs["2027/28"] == pytest.approx(16_000)


def test_the_report_reads_as_a_decision_with_milestones_and_risk_register(tmp_path):
    from appraisal.report import build_html

    study = load_study(STUDY)
    results = financial_case(study).results()
    results["labels"] = {}
    html = build_html(results)
    summary = html[html.index('id="summary"'):html.index('id="strategic"') if 'id="strategic"' in html else None]
    assert "Decision</p><p>Go ahead with Market town public service hub programme: against the do-minimum it has a " \
           "risk-adjusted NPSV of go less do-minimum of £152k" in summary
    economic = html[html.index('id="economic"'):]
    assert "The decision: go against do-minimum" in economic
    management = html[html.index('id="management"'):]
    assert "Programme milestones" in management and "Refit of the civic offices complete" in management
    assert "Risk register" in management and "Released space cannot be let or sold" in management


def test_a_programme_that_does_not_pay_is_do_not_go(tmp_path):
    import shutil

    from appraisal.report.programme import programme_headline

    folder = tmp_path / "study"
    shutil.copytree(STUDY, folder)
    costs = (folder / "costs.csv").read_text().replace("hub_refit,hub refit,one_off,capital,hub,650000",
                                                       "hub_refit,hub refit,one_off,capital,hub,3650000")
    (folder / "costs.csv").write_text(costs)
    results = financial_case(load_study(folder)).results()
    p = results["programme"]
    # £3m more refit (2026/27), with the standard-buildings optimism bias on top
    assert p["incremental"]["npsv_gbp"] < 0 and p["decision"] == "do not go"
    head = programme_headline(results, "gbp_k")
    assert head["recommendation"].startswith("Do not go ahead with Market town public service hub programme")
    assert head["numbers"][0][:2] == ("The answer", "Do not go: keep the do-minimum")


BUILDINGS = Path(__file__).parents[2] / "tests" / "fixtures" / "estate_buildings"  # the programme with its five buildings as estate decisions


def test_the_estate_is_decided_building_by_building():
    """Each partner's building is released (earning its saving) only once its team has co-located into the
    civic offices; the programme's plan releases each at its lease break, which reproduces the 10% target."""
    from appraisal.money.document import document_plan
    from appraisal.money.estates import estate_decisions
    from appraisal.money.ledger import plan_money
    from appraisal.workflows.optimise import optimise_option

    study = load_study(BUILDINGS)
    doc = document_plan(study, "go")
    assert doc.releases == {"library_annex": 2, "police_counter": 2, "clinic_rooms": 2, "vcs_office": 2,
                            "icb_desks": 3}
    table = estate_decisions(study, doc, plan_money(study, "go", doc).streams).set_index("site_id")
    assert table.loc["civic_offices", "decision"] == "co-located into"
    assert (table.drop(index="civic_offices")["decision"] == "released").all()
    r = optimise_option(study, "go", reproduce=False)
    assert r.optimised.releases == doc.releases  # no building can go before its lease break
    # the property savings no longer move with the hub's year (they did as hub lines: £465,474.77)
    assert r.npsv_gbp == pytest.approx(322_185.13, abs=0.01)
