"""LLR Points of Access FBC (May 2016): Tables 3/4 savings, Table 5 costs and the Table 9 cost split,
through the money engine. Figures typed from the document, not read from targets.csv."""
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from appraisal.money.metrics import appraise_study, split_by_party
from appraisal.study import load_study

STUDY = Path(__file__).resolve().parents[2] / "studies" / "llr"
YEARS = ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21", "2021/22"]
PHASES = {"P1": "phase1_standardisation", "P2": "phase2_integration", "P3": "phase3_service_migration"}


def pennies(x: float) -> Decimal:
    return Decimal(str(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


@pytest.fixture(scope="module")
def phased(study):
    return appraise_study(study)["phased"]


def component(result, kind, name):
    bc = result.by_component
    row = bc[(bc["kind"] == kind) & (bc["component"] == name)]
    assert len(row) == 1, f"no {kind} component {name}"
    return [float(row.iloc[0][y]) for y in YEARS]


def test_savings_total_4355144(phased):
    # Table 3 total (phases 2 and 3 reach it through the shares of the services' transfers: float sums)
    assert phased.metrics["benefits_adjusted_total_gbp"] == pytest.approx(4355144, abs=1e-6)
    assert phased.metrics["benefits_total_gbp"] == pytest.approx(4355144, abs=1e-6)


def test_table4_profile_cell_by_cell(phased):
    assert component(phased, "benefit", PHASES["P1"]) == [0, 487323, 664531, 664531, 664531, 166133]
    # phases 2 and 3 reach the option through the services' shares: equal to the cell within float rounding
    assert component(phased, "benefit", PHASES["P2"]) == pytest.approx([0, 86902, 254347, 254347, 254347, 63587], abs=1e-6)
    assert component(phased, "benefit", PHASES["P3"]) == pytest.approx([0, 17901, 234691, 240877, 240877, 60219], abs=1e-6)


def test_phase_savings_match_table3_within_table4_rounding(phased):
    # Table 3: 2,647,050 / 913,528 / 794,566; Table 4 cells sum to -1 / +2 / -1 of those
    for name, printed in zip(PHASES.values(), (2647050, 913528, 794566)):
        assert abs(sum(component(phased, "benefit", name)) - printed) <= 2


def test_costs_2273100_by_phase(phased):
    assert phased.metrics["costs_adjusted_total_gbp"] == pytest.approx(2273100, abs=1e-6)   # Table 5
    for name, printed in zip(PHASES.values(), (703600, 1171200, 398300)):
        assert sum(component(phased, "cost", name)) == pytest.approx(printed, abs=1e-6)


def test_costs_placed_in_years_by_the_stated_assumption(phased):
    y = phased.yearly.set_index("year")["costs_gbp"]
    assert y["2016/17"] == pytest.approx(651850 + 209550)
    assert y["2017/18"] == pytest.approx(51750 + 928800 + 120150)
    assert y["2018/19"] == pytest.approx(32850 + 278150)


TABLE9 = {  # point of access: (phase 1, phase 2, phase 3, total), 7.6.2 Table 9
    "CSC": ("154792.00", "334628.57", None, "489420.57"),
    "SPOC": ("161828.00", "349838.96", None, "511666.96"),
    "FCP": ("56288.00", None, "138539.13", "194827.13"),
    "CHS_SPA": ("189972.00", "410680.52", None, "600652.52"),
    "BED": ("35180.00", None, "86586.96", "121766.96"),
    "RCT": ("35180.00", None, "86586.96", "121766.96"),
    "ICRS": ("35180.00", "76051.95", None, "111231.95"),
    "AMH_SPA": ("35180.00", None, "86586.96", "121766.96"),
}


def test_table9_totals_to_the_penny(phased):
    by_rec = phased.by_recipient.set_index("recipient_id")["costs_gbp"]
    for poa, cells in TABLE9.items():
        assert pennies(by_rec[poa]) == Decimal(cells[3]), poa
    assert pennies(by_rec["CHS_SPA"]) == Decimal("600652.52")                 # LPT SPA


def test_table9_phase_cells_to_the_penny(study, phased):
    s = phased.streams
    for i, phase in enumerate(("P1", "P2", "P3")):
        split = split_by_party(s[(s["kind"] == "cost") & (s["phase"] == phase)], study)
        cells = split.groupby("recipient_id")["share_gbp"].sum()
        for poa, printed in TABLE9.items():
            want = Decimal(printed[i]) if printed[i] else Decimal("0.00")
            assert pennies(cells.get(poa, 0.0)) == want, (phase, poa)


def test_costs_by_organisation(phased):
    by_party = phased.by_party.set_index("partner_id")["costs_gbp"]
    # LPT = SPA + MH Crisis; Leicester City = SPOC + ICRS; County = CSC + FCP (sums of Table 9 totals)
    assert pennies(by_party["lpt"]) == Decimal("722419.48")
    assert pennies(by_party["lcity"]) == Decimal("622898.91")
    assert pennies(by_party["lcounty"]) == Decimal("684247.70")
    assert by_party.sum() == pytest.approx(2273100)


def test_hub_has_at_most_two_sites_and_known_locations(study):
    v = study.tables["vehicles"].set_index("vehicle_id")
    assert v.at["hub", "max_sites"] == 2
    sites = set(study.tables["sites"]["site_id"])
    assert {"county_campus", "neville_centre", "uhl_hospital"} <= sites
    assert len(study.tables["services"]) == 8
    assert len(study.tables["partners"]) == 8


def test_hub_lines_are_apportioned_by_the_table9_shares(study):
    """Phase 2 and 3 money is entered once (the Table 3-5 lines) and apportioned to the services by their
    Table 9 shares, so the optimiser sees per-service money derived from the one figure."""
    from appraisal.money.ledger import apportion_weights

    p2 = apportion_weights(study, "sav_p2", "hub", "shares")
    assert p2 == pytest.approx({"CSC": 22 / 77, "SPOC": 23 / 77, "CHS_SPA": 27 / 77, "ICRS": 5 / 77}, abs=1e-6)
    p3 = apportion_weights(study, "p3_programme", "hub", "shares")
    assert p3 == pytest.approx({"FCP": 8 / 23, "RCT": 5 / 23, "AMH_SPA": 5 / 23, "BED": 5 / 23}, abs=1e-6)
    assert study.tables["placements"]["benefit_run_rate_gbp"].isna().all()  # no money in placements
