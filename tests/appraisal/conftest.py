"""Fixtures shared by the appraisal tests."""
import shutil
from pathlib import Path

import pandas as pd
import pytest

from appraisal.study import load_study

HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"


@pytest.fixture(scope="module")
def contested(tmp_path_factory):
    """The hubs fixture with a running levy on the trust (so it hesitates) and no forced transfer year."""
    folder = tmp_path_factory.mktemp("contested") / "hubs"
    shutil.copytree(HUBS, folder)
    costs = folder / "costs.csv"
    table = pd.read_csv(costs, dtype=str, keep_default_na=False)
    levy = {"cost_id": "hub_levy", "component": "Hub", "kind": "recurring", "vehicle_id": "hub", "amount_gbp": "250000",
            "start_year": "2021/22", "payer": "trust", "trigger": "vehicle", "options": "hub", "source": "test levy"}
    pd.concat([table, pd.DataFrame([levy])]).fillna("").to_csv(costs, index=False)
    rules = folder / "option_rules.csv"
    rules.write_text("\n".join(l for l in rules.read_text().splitlines() if ",force_year," not in l) + "\n")
    return load_study(folder)
