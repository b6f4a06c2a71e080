"""The documents' evidence in a study (stances, decision dates, elections, vehicle dependencies) and its mapping
to the buy-in model; clear errors naming file, row and column."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from appraisal.workflows.buyin import buyin_inputs, month_index, run_buyin
from appraisal.study import StudyError, load_study

HUBS = Path(__file__).parents[1] / "fixtures" / "hubs"


def _copy(tmp_path, **files):
    folder = tmp_path / "hubs"
    shutil.copytree(HUBS, folder)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def test_evidence_tables_reach_the_model(tmp_path):
    folder = _copy(tmp_path,
                   stances="partner_id,vehicle_id,stance,source\ncity,hub,confirmed,doc 1.2\ntrust,hub,in_principle,doc 3\n",
                   decision_dates="partner_id,vehicle_id,date,body,source\ncity,hub,2020-09,cabinet,doc 6.6\n"
                                  "trust,,2021-01,board,doc 6.6\n",
                   elections="partner_id,date,kind,turnover_prob,source\ncity,2021-05,all-out,0.4,statutory\n"
                             "city,2023-05,all-out,,statutory\n")
    study = load_study(folder)
    inputs = buyin_inputs(study, "hub")
    assert month_index(study, "2020-09") == 5
    assert inputs.evidence.to_dict("records") == [{"partner_id": "city", "vehicle_id": "hub", "stance": "confirmed"},
                                                  {"partner_id": "trust", "vehicle_id": "hub", "stance": "in_principle"}]
    assert inputs.decision_dates["month"].tolist() == [5, 9]
    assert inputs.elections["month"].tolist() == [13, 37] and inputs.elections["turnover_prob"].iloc[0] == 0.4
    # the money the partners weigh is the ledger's, year by year, and its means are partner_value
    prof = inputs.value_profile
    assert set(prof["year_index"]) <= set(range(4)) and (prof["vehicle_id"] == "hub").all()
    means = prof.groupby("partner_id")[["benefit_gbp", "cost_gbp"]].sum() / 4
    pv = inputs.partner_value.set_index("partner_id")
    np.testing.assert_allclose(pv["net_benefit_gbp"], (means["benefit_gbp"] - means["cost_gbp"]).loc[pv.index])
    res = run_buyin(study, "hub", runs=50, seed=1).results.outcomes
    first = res["first_agreed_month"]
    assert first.notna().mean() > 0.5 and first.min() >= 9  # never before the trust's first known decision date


def test_evidence_errors_name_file_row_and_column(tmp_path):
    folder = _copy(tmp_path,
                   stances="partner_id,vehicle_id,stance,source\ncity,hub,keen,doc\n",
                   elections="partner_id,date,kind,turnover_prob,source\ncity,2030-05,,,doc\ncity,2021-13,,,doc\n",
                   vehicle_dependencies="vehicle_id,requires_vehicle_id,min_lag_years,source\nhub,own,0,doc\n"
                                        "own,hub,0,doc\nhub,hub,-1,doc\n")
    with pytest.raises(StudyError) as err:
        load_study(folder)
    text = str(err.value)
    assert "stances.csv, row 2, column 'stance'" in text
    assert "elections.csv, row 2, column 'date': 2030-05 is outside the horizon 2020-04 to 2024-03" in text
    assert "elections.csv, row 3, column 'date'" in text
    assert "vehicle_dependencies.csv, row 4, column 'min_lag_years'" in text
    assert "vehicle dependencies go round in a circle" in text


def test_lead_partner_with_several_voters_must_name_the_deciding_body(tmp_path):
    folder = _copy(tmp_path)
    v = folder / "vehicles.csv"
    v.write_text(v.read_text().replace("hub,Integrated hub,shared_service,2021/22,2021/22,1,unanimity,test",
                                       "hub,Integrated hub,shared_service,2021/22,2021/22,1,lead_partner,test"))
    with pytest.raises(StudyError, match="lead_partner vehicle 'hub' has 2 voting members"):
        load_study(folder)
    v.write_text(v.read_text().replace("governance_rule,source", "governance_rule,lead_partner_id,source")
                 .replace("lead_partner,test", "lead_partner,,test").replace(",1,lead_partner,,test",
                                                                             ",1,lead_partner,city,test"))
    inputs = buyin_inputs(load_study(folder), "hub")
    assert inputs.rules[["rule", "lead_partner_id"]].values.tolist() == [["executive", "city"]]
