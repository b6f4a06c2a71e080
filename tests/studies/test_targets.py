"""Every published figure in a study's targets.csv matches the money engine within its tolerance."""
from pathlib import Path

import pytest

from appraisal.study import load_study
from appraisal.workflows.targets import TargetPathError, check_targets, resolve, results_tree

STUDIES = Path(__file__).resolve().parents[2] / "studies"
SEED_STUDIES = ["plymouth", "llr", "lancashire"]


@pytest.mark.parametrize("name", SEED_STUDIES)
def test_every_target_is_met(name):
    path = STUDIES / name
    if not (path / "targets.csv").exists():
        pytest.skip(f"studies/{name} has no targets.csv yet")
    study = load_study(path)
    assert len(study.tables["targets"]) > 0
    table = check_targets(study)
    bad = table[~table["ok"]]
    assert bad.empty, "\n" + bad[["target_id", "metric", "published", "computed", "difference", "problem"]].to_string()


def test_resolve_walks_paths_and_names_the_missing_step():
    tree = {"options": {"a": {"metrics": {"x_gbp": 3.0}, "yearly": {"net_gbp": {"2019/20": -1.5}}}}}
    assert resolve(tree, "options.a.metrics.x_gbp") == 3.0
    assert resolve(tree, "options.a.yearly.net_gbp.2019/20") == -1.5
    with pytest.raises(TargetPathError, match="no 'b' after 'options'"):
        resolve(tree, "options.b.metrics.x_gbp")
    with pytest.raises(TargetPathError, match="table, not a number"):
        resolve(tree, "options.a.metrics")


def test_results_tree_has_results_json_layout():
    study = load_study(STUDIES / "plymouth")
    tree = results_tree(study)
    option = tree["options"]["level4"]
    assert {"metrics", "yearly", "by_party", "by_recipient", "by_component"} <= set(option)
    assert set(option["yearly"]["net_gbp"]) == set(study.years)
