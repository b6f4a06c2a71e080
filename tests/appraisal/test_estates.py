"""Estates through the ledger: a building released as a decision (its release lines earned once, from the
release year), a shared building, site-dependent money, the plan table's release rows, the report's estate
table, and validate's estate errors (file, row, column)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from appraisal.adapters.to_optimise import plan_violations
from appraisal.money.document import document_plan
from appraisal.money.estates import estate_decisions
from appraisal.money.ledger import plan_money
from appraisal.money.metrics import appraise_plan
from appraisal.money.plans import Plan, read_plans
from appraisal.study import StudyError, load_study

ESTATES = Path(__file__).parents[1] / "fixtures" / "estates"


@pytest.fixture(scope="module")
def study():
    return load_study(ESTATES)


def _moves(*rows):
    return pd.DataFrame(rows, columns=["service_id", "vehicle_id", "site_id", "t"])


def _by_line(money):
    return money.streams.groupby(["stream_id", "year"])["amount_gbp"].sum()


def test_document_plan_releases_the_annex_at_its_lease_break(study):
    doc = document_plan(study, "estate")
    assert doc.releases == {"annex": 2}
    s = _by_line(plan_money(study, "estate", doc))
    assert s[("annex_receipt", "2022/23")] == 250_000
    assert s[("annex_dilapidations", "2022/23")] == 60_000
    assert [s[("annex_running", y)] for y in ("2022/23", "2023/24", "2024/25", "2025/26")] == [90_000] * 4
    assert ("annex_running", "2021/22") not in s.index


def test_a_later_release_moves_every_release_line(study):
    doc = document_plan(study, "estate")
    later = Plan("estate", "file", doc.moves, dict(doc.vehicles), dict(doc.sites), releases={"annex": 3})
    s = _by_line(plan_money(study, "estate", later))
    assert s[("annex_receipt", "2023/24")] == 250_000 and ("annex_receipt", "2022/23") not in s.index
    assert s[("annex_dilapidations", "2023/24")] == 60_000
    assert s.xs("annex_running", level=0).sum() == 3 * 90_000
    kept = Plan("estate", "file", doc.moves, dict(doc.vehicles), dict(doc.sites))
    assert "annex_running" not in set(plan_money(study, "estate", kept).streams["stream_id"])


def test_site_dependent_money_counts_only_at_its_site(study):
    at_civic = Plan("estate", "file", _moves(("c", "hub", "civic", 2)), {"hub": 1})
    elsewhere = Plan("estate", "file", _moves(("c", "hub", "newhub", 2)), {"hub": 1})
    a, b = (set(plan_money(study, "estate", p).streams["stream_id"]) for p in (at_civic, elsewhere))
    assert "c_hub_civic" in a and "c_hub_civic" not in b
    assert "c_hub" in a and "c_hub" in b  # the line with no site counts wherever c goes


def test_a_release_of_an_occupied_building_breaks_the_rules(study):
    occupied = Plan("estate", "file", _moves(("a", "hub", "civic", 1)), {"hub": 1}, releases={"annex": 2})
    problems = plan_violations(study, occupied)
    assert any("annex is released in 2022/23 but c is still there" in p for p in problems), problems
    kept = Plan("estate", "file", _moves(("c", "hub", "civic", 1)), {"hub": 1}, releases={"annex": 2})
    assert plan_violations(study, kept) == []
    keep_all = Plan("keep_all", "file", _moves(("c", "hub", "civic", 1)), {"hub": 1}, releases={"annex": 2})
    assert any("keeps it" in p for p in plan_violations(study, keep_all))


def test_shared_building_capacity_counts_todays_occupants(study):
    # a and b (40 FTE) are at civic today; c (15) fits, d (10) would take it to 65 > 60 while a and b stay
    full = Plan("estate", "file", _moves(("c", "hub", "civic", 1), ("d", "desk", "civic", 2)), {"hub": 1, "desk": 2})
    assert any("over its capacity of 60" in p for p in plan_violations(study, full))


def test_plan_table_round_trip_and_appraise_plan_file(study, tmp_path):
    doc = document_plan(study, "estate")
    path = doc.write(study, tmp_path / "plan.csv")
    assert "estate,release,,,annex,2022/23" in path.read_text()
    back = read_plans(study, path)["estate"]
    assert back.releases == doc.releases and back.sites == doc.sites
    assert appraise_plan(study, back).metrics["npsv_gbp"] == pytest.approx(appraise_plan(study, doc).metrics["npsv_gbp"], abs=0.005)
    from typer.testing import CliRunner

    from appraisal.cli import app

    out = CliRunner().invoke(app, ["appraise", str(ESTATES), "--plan", str(path), "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "out" / "results.json").exists()


def test_plan_file_release_rows_are_checked(study, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("option_id,item,service_id,vehicle_id,site_id,year\n"
                    "estate,release,,,civic,2022/23\nestate,release,,,annex,2021/22\n")
    with pytest.raises(StudyError) as info:
        read_plans(study, path)
    lines = [str(p) for p in info.value.problems]
    assert any(line.startswith("plan.csv, row 2, column 'site_id'") and "no lease_break_year" in line for line in lines), lines
    assert any(line.startswith("plan.csv, row 3, column 'year'") and "from its lease break 2022/23" in line
               for line in lines), lines


def test_estate_decisions_table(study):
    doc = document_plan(study, "estate")
    table = estate_decisions(study, doc, plan_money(study, "estate", doc).streams).set_index("site_id")
    assert table.loc["annex", "decision"] == "released" and table.loc["annex", "year"] == "2022/23"
    # 4 years × £90k + £250k receipt − £60k dilapidations × 1.1 optimism bias
    assert table.loc["annex", "saving_gbp"] == pytest.approx(4 * 90_000 + 250_000 - 66_000)
    assert table.loc["civic", "decision"] == "co-located into"
    assert table.loc["depot", "decision"] == "kept" and table.loc["depot", "saving_gbp"] == 0


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def test_validate_names_bad_estate_inputs(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(ESTATES, folder)
    _edit(folder, "sites.csv", "annex,Annex,,30,yes,2022/23", "annex,Annex,,30,yes,2031/32")  # outside the horizon
    _edit(folder, "sites.csv", "depot,Depot,,20,yes,2021/22", "depot,Depot,,5,yes,2021/22")   # d (10 FTE) > 5
    _edit(folder, "sites.csv", "newhub,New hub building,hub,40,no,", "newhub,New hub building,hub,40,no,2021/22")
    _edit(folder, "placements.csv", "d,hub,newhub,test\nd,desk,civic,test\n", "")             # d may go nowhere
    _edit(folder, "option_rules.csv", "keep_all,keep_site,,,depot", "keep_all,keep_site,,,civic")
    with pytest.raises(StudyError) as info:
        load_study(folder)
    lines = [str(p) for p in info.value.problems]
    expected = [
        ("sites.csv, row 3, column 'lease_break_year'", "year 2031/32 is outside the horizon 2020/21 to 2025/26"),
        ("sites.csv, row 4, column 'capacity_fte'", "hold 10 FTE, over its capacity of 5 FTE"),
        ("sites.csv, row 4, column 'lease_break_year'", "no plan can empty depot: d may move nowhere else"),
        ("sites.csv, row 5, column 'lease_break_year'", "no service of services.csv is at newhub today"),
        ("option_rules.csv, row 7, column 'site_id'", "rule 'keep_site' needs a building with a lease_break_year"),
    ]
    for where, what in expected:
        assert any(line.startswith(where) and what in line for line in lines), (where, what, lines)


def test_convert_round_trips_the_estate(tmp_path):
    from typer.testing import CliRunner

    from appraisal.cli import app
    from appraisal.workflows.appraise import appraise_study

    folder = tmp_path / "estates_xlsx"
    assert CliRunner().invoke(app, ["convert", str(ESTATES), str(folder)]).exit_code == 0
    book = load_study(folder)
    assert list(book.tables["sites"]["lease_break_year"]) == [None, "2022/23", "2021/22", None]
    csv_case, xlsx_case = appraise_study(load_study(ESTATES)), appraise_study(book)
    for oid in csv_case:
        assert csv_case[oid].metrics == pytest.approx(xlsx_case[oid].metrics)
        assert csv_case[oid].plan.releases == xlsx_case[oid].plan.releases
