"""A programme study's two options, made on loading when options.csv is absent (docs/programmes.md):
`go` (every workstream may be established) and `do_minimum` (no workstream is: option rules forbid each)."""
from __future__ import annotations

import pandas as pd

from appraisal.study.errors import Problem
from appraisal.study.schema.programme import DO_MINIMUM, GO

SOURCE = "made by reformkit from study.yaml `programme:` (docs/programmes.md)"


def programme_options(study, has_options: bool) -> list[Problem]:
    """Fill the options and do-minimum rules of a programme study in place; the problems of a programme
    declared wrongly (no workstreams, or options.csv without go and do_minimum)."""
    cfg = study.config.programme
    t = study.tables
    if cfg is None:
        if len(t["workstreams"]) and not has_options:
            return [Problem("study.yaml", None, "programme", "workstreams.csv is given without options.csv: declare the "
                            "programme in study.yaml (programme: {name: ..., do_minimum_description: ...}) so reformkit "
                            "appraises go against do-minimum")]
        return []
    if t["workstreams"].empty:
        return [Problem("study.yaml", None, "programme", f"a programme needs its workstreams ({study.sources['workstreams']})")]
    if has_options:
        missing = {GO, DO_MINIMUM} - set(t["options"]["option_id"])
        return [Problem(study.sources["options"], None, "option_id", f"a programme's options are '{GO}' and "
                        f"'{DO_MINIMUM}': add {', '.join(sorted(missing))} (or leave options.csv out)")] if missing else []
    options = pd.DataFrame([
        {"source": SOURCE, "option_id": DO_MINIMUM, "name": "Do minimum", "description": cfg.do_minimum_description,
         "builds_on": None, "view_of": None, "source_row": None},
        {"source": SOURCE, "option_id": GO, "name": f"Go: {cfg.name}", "description": cfg.go_description or None,
         "builds_on": None, "view_of": None, "source_row": None}])
    t["options"] = options[[c for c in t["options"].columns if c in options.columns]]
    vehicles = t["vehicles"].set_index("vehicle_id")["kind"].to_dict()
    rules = [{"source": SOURCE, "option_id": DO_MINIMUM, "rule": "forbid_vehicle", "service_id": None, "vehicle_id": w,
              "vehicle_kind": None, "site_id": None, "year": None, "notes": "the do-minimum has no workstream",
              "source_row": None}
             for w in t["workstreams"]["workstream_id"] if vehicles.get(w) not in (None, "status_quo")]
    if rules:
        t["option_rules"] = pd.concat([t["option_rules"], pd.DataFrame(rules)[list(t["option_rules"].columns)]],
                                      ignore_index=True)
    study.sources["options"] = "study.yaml (programme)"
    return []
