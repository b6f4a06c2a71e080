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
    assert phased.metrics["benefits_adjusted_total_gbp"] == 4355144            # Table 3 total
    assert phased.metrics["benefits_total_gbp"] == 4355144


def test_table4_profile_cell_by_cell(phased):
    assert component(phased, "benefit", PHASES["P1"]) == [0, 487323, 664531, 664531, 664531, 166133]
    assert component(phased, "benefit", PHASES["P2"]) == [0, 86902, 254347, 254347, 254347, 63587]
    assert component(phased, "benefit", PHASES["P3"]) == [0, 17901, 234691, 240877, 240877, 60219]


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


def test_placements_decompose_the_hub_phases(study):
    p = study.tables["placements"]
    assert p["transition_cost_gbp"].sum() == pytest.approx(1171200 + 398300, abs=0.05)
    assert p["benefit_run_rate_gbp"].sum() == pytest.approx(254347 + 240877, abs=0.05)
