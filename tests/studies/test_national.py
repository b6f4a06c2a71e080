"""The synthetic national study generator (studies/national/generate.py) and its committed small instance:
deterministic for a seed, valid against the study schema, and solvable with the MILP objective equal to
the money engine's NPSV of the plan."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from appraisal.workflows.optimise import optimise_option
from appraisal.study import load_study

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "studies" / "national" / "generate.py"
SMALL = ROOT / "studies" / "national" / "small"
SMALL_ARGS = dict(authorities=6, services_per_authority=10, seed=1)  # as studies/national/README.md says


def _load_generator():
    spec = importlib.util.spec_from_file_location("national_generate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in {".csv", ".yaml"}}


def test_same_seed_gives_byte_identical_files(tmp_path):
    for run in ("a", "b"):
        assert gen.main(["--authorities", "5", "--services-per-authority", "14", "--seed", "7",
                         "--out", str(tmp_path / run)]) == 0
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b and "placements.csv" in a and "targets.csv" not in a
    other = gen.generate(5, 14, seed=8)
    assert other["placements.csv"].encode() != a["placements.csv"]


def test_committed_small_instance_is_what_the_generator_makes():
    made = {name: text.encode() for name, text in gen.generate(**SMALL_ARGS).items()}
    assert _files(SMALL) == made


def test_every_source_says_synthetic():
    for name, text in gen.generate(3, 20, seed=2).items():
        if name.endswith(".csv"):
            lines = text.splitlines()
            assert lines[0].endswith(",source")
            assert all('"synthetic: ' in line or ",synthetic: " in line for line in lines[1:]), name


def test_output_validates_and_has_national_structure(tmp_path):
    gen.write_study(gen.generate(12, 40, seed=3), tmp_path)
    study = load_study(tmp_path)  # raises StudyError listing every problem
    t = study.tables
    assert study.years[0] == "2026/27" and len(study.years) == 6
    assert study.config.discounting.schedule == "stpr"
    assert any(a.optimism_bias is not None for a in study.config.adjustments)
    assert len(t["services"]) == 12 * 40
    assert t["services"]["service_id"].str.match(r"^A\d{3}-").all()
    assert set(t["vehicles"]["kind"]) == {"status_quo", "council", "integrated_care", "combined_authority",
                                          "shared_service", "joint_venture", "other", "market"}
    assert t["vehicles"]["max_sites"].notna().any() and len(t["sites"]) > 0
    assert len(t["options"]) == 4 and len(t["precedence"]) > 0 and len(t["limits"]) == 3
    assert t["partners"]["budget_gbp"].notna().all()
    governed = set(t["governance"]["vehicle_id"])
    assert set(t["vehicles"]["vehicle_id"]) <= governed
    # economies of scale: bigger authorities have lower baseline cost per FTE
    s = t["services"].assign(a=t["services"]["service_id"].str[:4])
    per_auth = s.groupby("a").agg(fte=("fte", "sum"), cost=("baseline_cost_gbp", "sum"))
    assert per_auth["fte"].corr(per_auth["cost"] / per_auth["fte"], method="spearman") < 0


def test_help():
    out = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--authorities" in out.stdout and "--services-per-authority" in out.stdout


@pytest.fixture(scope="module")
def small():
    return load_study(SMALL)


@pytest.mark.parametrize("option", ["shared_services", "commissioning_council"])
def test_small_instance_solves_and_objective_equals_appraised_npsv(small, option):
    result = optimise_option(small, option, time_limit=60)
    summary = result.summary()
    assert summary["status"] == "optimal"
    assert abs(summary["milp_objective_gbp"] + summary["constant_gbp"] - summary["npsv_gbp"]) <= 0.01
    moved = result.plan.assignment["transfer_year"].notna().sum()
    if option == "commissioning_council":  # no council delivers directly: everything moves
        assert moved == len(small.tables["services"])
    else:
        assert moved > 0


def test_decompose_on_a_small_coupled_study_solves_it_whole_and_says_so(small):
    """``--decompose`` on the 60-service national study (coupled by its national caps): below the size at
    which the Lagrangian decomposition pays, it is solved whole, to the same optimum, and the user is told."""
    whole = optimise_option(small, "commissioning_council", time_limit=60, reproduce=False)
    asked = optimise_option(small, "commissioning_council", time_limit=60, reproduce=False, decompose=True)
    assert asked.plan.status == "optimal" and asked.plan.objective_gbp == whole.plan.objective_gbp
    assert asked.plan.provenance["decomposition"]["method"] == "whole model"
    assert asked.warnings[0] == ("option commissioning_council: solved as one model, not by region: 60 services, "
                                 "fewer than 12,000 (a model this size is solved whole faster, and to the gap asked)")
    assert not any("not by region" in w for w in whole.warnings)


def test_run_with_decompose_passes_it_to_every_option(small, tmp_path):
    """``reformkit run --decompose``: every option is optimised as ``optimise --decompose`` would (here,
    60 services: whole, and the results say so), with the same plans as without."""
    from appraisal.workflows.run import RunSettings, run_study

    out = run_study(small, tmp_path, RunSettings(runs=10, sensitivity_n=4, pdf=False, time_limit=60, decompose=True))
    said = [w for w in out.results["warnings"] if "solved as one model, not by region: 60 services" in w]
    assert len(said) == len(small.option_ids)
    alone = optimise_option(small, "shared_services", time_limit=60, reproduce=False)
    assert out.results["optimise"]["shared_services"]["milp_objective_gbp"] == alone.plan.objective_gbp
