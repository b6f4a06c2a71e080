"""The three source studies' recorded evidence: sources on every row, and what `reformkit calibrate STUDY` fits."""
from pathlib import Path

import pytest

from appraisal.study import load_study
from appraisal.workflows.buyin_calibration import study_evidence_targets

STUDIES = Path(__file__).parents[2] / "studies"


@pytest.mark.parametrize("name", ["lancashire", "plymouth", "llr"])
def test_every_evidence_row_has_a_source(name):
    s = load_study(STUDIES / name)
    assert len(s.tables["stances"]) and len(s.tables["elections"])
    for table in ("stances", "decision_dates", "elections", "vehicle_dependencies"):
        t = s.tables[table]
        assert t.empty or t["source"].fillna("").str.strip().str.len().min() > 10, table


def test_lancashire_evidence_targets_are_lccs_july_2017_cabinet():
    inputs, t = study_evidence_targets(load_study(STUDIES / "lancashire"), "opt3")
    # FO and P&SS: LCC decides alone, in principle, Cabinet July 2017 (month 3); the ICA and WBCs have undecided
    # partners and the CA's councils no recorded date: no target
    assert t[["vehicle_id", "n_cases", "n_agreed", "by_month"]].values.tolist() == [["fo", 1, 1, 3], ["pss", 1, 1, 3]]
    assert t["source"].str.contains("lcc in_principle").all()


def test_plymouth_and_llr_targets():
    # Plymouth level 4: PCC's confirmed CYPS vehicle, decided alone, no recorded date: its first board meeting;
    # the single provider has members with no recorded stance (PCH, PHNT): no target
    _, ply = study_evidence_targets(load_study(STUDIES / "plymouth"), "level4")
    assert ply[["vehicle_id", "n_cases", "n_agreed", "by_month"]].values.tolist() == [["l4_cyps_mutual", 1, 1, 1]]
    _, llr = study_evidence_targets(load_study(STUDIES / "llr"))
    assert llr.empty  # in principle, but the FBC records no decision date
