"""Targets on inputs: published input figures the study's own tables must reproduce."""
from pathlib import Path
import shutil

import pytest

from appraisal.study import load_study
from appraisal.workflows.targets import check_targets

MINI = Path(__file__).parents[2] / "tests" / "fixtures" / "mini"
TARGETS = """target_id,option_id,metric,value,tolerance,description,source
front_office,,inputs.costs.by.component.Front office.amount_times_quantity_gbp,1600,0.5,Front-office budget,test
north_share,,inputs.allocations.share.recipient_id.north.weight,0.6,0.0001,North pays 60%,test
north_weight,,inputs.allocations.split:north.weight,60,0,North's weight,test
budget,,inputs.partners.north.budget_gbp,10000000,0,North's budget,test
all_costs,,inputs.costs.total.amount_gbp,1650,0,Every cost line (printed figure),test
typo,,inputs.costs.by.component.Back office.amount_gbp,1,0,A component the study lacks,test
"""


def test_input_figures_are_targets(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "targets.csv").write_text(TARGETS)
    checked = check_targets(load_study(folder)).set_index("target_id")
    # costs: c_setup 1,500 × 1 and c_run 100 × 1 (Front office); allocations: north 60 of 100
    assert checked.loc["front_office", "computed"] == pytest.approx(1600)
    assert checked.loc["north_share", "computed"] == pytest.approx(0.6)
    assert checked.loc["north_weight", "computed"] == 60
    assert checked.loc["budget", "computed"] == 10_000_000
    assert checked.loc[["front_office", "north_share", "north_weight", "budget"], "ok"].all()
    # a published figure the data does not reproduce is shown, not hidden: 1,600 against 1,650
    assert checked.loc["all_costs", "computed"] == 1600 and not checked.loc["all_costs", "ok"]
    assert checked.loc["typo", "problem"] == "'inputs.costs.by.component.Back office.amount_gbp': no row of 'costs' has component = Back office"
