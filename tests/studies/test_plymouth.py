"""Plymouth / NEW Devon OBC (v2.0): the §6.3 benefits chain and the §6.4 FBC cost through the money engine.

Published figures are typed here from the document (not read from targets.csv), so a changed engine or
study fails this file.
"""
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from appraisal.money.metrics import appraise_study
from appraisal.study import load_study

STUDY = Path(__file__).resolve().parents[2] / "studies" / "plymouth"


def half_up(x: float) -> int:
    """Round to whole pounds, half away from zero, as the document's printed figures are."""
    return int(Decimal(str(float(x))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


@pytest.fixture(scope="module")
def results(study):
    return appraise_study(study)


def test_benefit_lines_and_totals_as_printed(study):
    b = study.tables["benefits"].set_index("benefit_id")
    assert b.loc[["ic", "ip", "t1", "t2"], "run_rate_gbp"].tolist() == [409277, 3973088, 6122539, 3230198]
    assert b["low_gbp"].sum() == 9440072          # §6.3 lower range total (L748)
    assert b["high_gbp"].sum() == 18030132        # §6.3 upper range total (L748)
    assert b["run_rate_gbp"].sum() == 13735102    # §6.3 average total (L748)


def test_shares_split_each_line_exactly(study):
    a = study.tables["allocations"]
    b = study.tables["benefits"].set_index("benefit_id")
    for bid in ("ic", "ip", "t1", "t2"):
        assert a.loc[a["allocation_id"] == f"alloc_{bid}", "weight"].sum() == b.at[bid, "run_rate_gbp"]


def test_average_becomes_11125433_after_compounding(results):
    m = results["level4"].metrics
    assert m["run_rate_benefits_gbp"] == pytest.approx(13735102)
    assert half_up(m["run_rate_benefits_adjusted_gbp"]) == 11125433
    # an additive 20% would give 10,988,082: the compounding must not be additive
    assert half_up(m["run_rate_benefits_adjusted_gbp"]) != 10988082


def test_phasing_10_60_100_totals_41164101(results):
    y = results["level4"].yearly.set_index("year")["benefits_adjusted_gbp"]
    assert [half_up(v) for v in y] == [1112543, 6675260, 11125433, 11125433, 11125433]
    assert half_up(results["level4"].metrics["benefits_adjusted_total_gbp"]) == 41164101


def test_fbc_cost_317188(results):
    m = results["level4"].metrics
    assert m["costs_adjusted_total_gbp"] == pytest.approx(317187.5)   # 32,062.5 + 265,125 + 20,000
    assert half_up(m["costs_adjusted_total_gbp"]) == 317188            # §6.4 (L819)
    by_party = results["level4"].by_party.set_index("partner_id")
    assert half_up(by_party.at["pcc", "costs_gbp"]) == 317188


def test_recipients_get_their_printed_shares(results):
    by_party = results["level4"].by_party.set_index("partner_id")
    # PCC shares 294,926 + 1,463,269 + 1,115,262 + 1,586,811 = 4,460,268 a year, × 0.81 × 3.7 over five years
    assert by_party.at["pcc", "benefits_gbp"] == pytest.approx(4460268 * 0.81 * 3.7, abs=0.01)
    assert by_party.at["ccg", "benefits_gbp"] == pytest.approx((13735102 - 4460268) * 0.81 * 3.7, abs=0.01)


def test_levels_1_to_3_carry_no_quantified_money(results):
    for oid in ("level1", "level2", "level3"):
        assert results[oid].metrics["benefits_total_gbp"] == 0
        assert results[oid].metrics["costs_total_gbp"] == 0
