"""Internal transfers: neither a cost nor a benefit of the system; they show in who pays and in positions.

Mini fixture (4 years from 2020/21, 10% discount, benefits −10%, costs +20%) plus two transfers:
north's HRA pays north's General Fund £164,000 a year (one body, two accounts), and south pays north a
pooled-budget contribution of £50,000 a year from 2021/22 (three years, £150,000).
"""
from pathlib import Path
import shutil

import pytest

from appraisal.money.metrics import appraise_option, position_summary
from appraisal.study import StudyError, load_study

MINI = Path(__file__).parents[2] / "tests" / "fixtures" / "mini"
TRANSFERS = ("transfer_id,from_partner,from_account,to_partner,to_account,kind,amount_gbp,start_year,end_year,options,source\n"
             "hra,north,HRA,north,GF,recurring,164000,,,,test: HRA contribution to the General Fund\n"
             "pool,south,,north,,recurring,50000,2021/22,,merge,test: pooled-budget contribution\n")


@pytest.fixture
def with_transfers(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "transfers.csv").write_text(TRANSFERS)
    (folder / "positions.csv").write_text("partner_id,scenario,line,year,amount_gbp,source\n"
                                          "north,plan,income,2020/21,1000000,test\n"
                                          "north,plan,income,2021/22,1000000,test\n")
    return folder


def test_internal_transfer_nets_to_zero_in_the_system_and_shows_in_who_pays(with_transfers):
    plain, moved = appraise_option(load_study(MINI), "merge"), appraise_option(load_study(with_transfers), "merge")
    for key in ("npsv_gbp", "npv_gbp", "pv_costs_gbp", "benefits_adjusted_total_gbp", "costs_adjusted_total_gbp"):
        assert moved.metrics[key] == pytest.approx(plain.metrics[key])  # not a cost, not a benefit, not adjusted
    assert moved.metrics["transfers_total_gbp"] == pytest.approx(4 * 164_000 + 3 * 50_000)
    rec = moved.by_recipient.set_index("recipient_id")
    assert rec.loc["north:HRA", "transfers_out_gbp"] == pytest.approx(656_000)  # 4 × 164,000, no optimism bias
    assert rec.loc["north:GF", "transfers_in_gbp"] == pytest.approx(656_000)
    assert rec.loc["north:HRA", "net_gbp"] == pytest.approx(-656_000)
    party = moved.by_party.set_index("partner_id")
    before = plain.by_party.set_index("partner_id")
    # north's two accounts cancel; the pooled contribution moves £150,000 from south to north
    assert party.loc["north", "net_gbp"] == pytest.approx(before.loc["north", "net_gbp"] + 150_000)
    assert party.loc["south", "net_gbp"] == pytest.approx(before.loc["south", "net_gbp"] - 150_000)
    assert party["net_gbp"].sum() == pytest.approx(moved.metrics["net_total_gbp"])
    # the do-nothing option carries only the HRA transfer (the pool applies to merge)
    assert appraise_option(load_study(with_transfers), "status_quo").metrics["transfers_total_gbp"] == 656_000


def test_transfers_enter_the_plan_budget_position(with_transfers):
    pos = position_summary(load_study(with_transfers)).set_index(["partner_id", "year"])
    # 2020/21: income 1,000,000, HRA −164,000 and GF +164,000 (net 0); 2021/22 adds the pool's +50,000
    assert pos.loc[("north", "2020/21"), "in_year_gbp"] == pytest.approx(1_000_000)
    assert pos.loc[("north", "2021/22"), "in_year_gbp"] == pytest.approx(1_050_000)
    assert "south" not in pos.index.get_level_values(0)  # south gives no plan position: none is invented


def test_a_transfer_to_itself_is_refused(with_transfers):
    path = with_transfers / "transfers.csv"
    path.write_text(path.read_text().replace("north,HRA,north,GF", "north,HRA,north,HRA"))
    with pytest.raises(StudyError, match="transfers.csv, row 2, column 'to_account': a transfer needs two different"):
        load_study(with_transfers)
