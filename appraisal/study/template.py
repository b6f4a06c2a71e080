"""`reformkit init`: a commented study template, as CSV files or one Excel workbook."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from appraisal.workflows.outputs import write_workbook
from appraisal.study.columns import describe_columns
from appraisal.study.schema import TABLE_MODELS

STUDY_YAML = """\
# A reformkit study. Every table is a CSV file beside this one (or a sheet of `workbook`).
# Money is in pounds (columns ending _gbp); years are financial years written 2017/18.
# Run `reformkit validate .` after editing; every problem is listed with file, row and column.
format: 2                      # every pound entered once: benefit and cost lines with a trigger (docs/money.md)
name: My reform study
description: What is being decided, for whom.
display_unit: gbp_m            # how reports show money: gbp, gbp_k or gbp_m
price_base: 2017/18
horizon:
  start: 2017/18               # first financial year of the appraisal (year 0, undiscounted)
  years: 6
  period: year                 # year | quarter | month: the plan's time step. By quarter, gates (vehicles'
                               # earliest/planned years, lines' start/end years, profiles, option rules' years)
                               # may be quarters like 2018/19 Q3 (Q1 = Apr-Jun) or, by month, 2018/19 M07
                               # (M01 = April); a plain year there = its first period. Run rates stay £ a
                               # year (a quarter carries a quarter of it); money is reported and discounted by year.
discounting:
  schedule: stpr               # none | stpr (Green Book 3.5% to year 30, then 3.0%...) | health (1.5%...) | stpr_sensitivity_test | constant
  sensitivities: [none, health] # other schedules reported alongside
adjustments:                   # multiplicative, applied in this order
  - {name: double counting, applies_to: benefits, pct: 10}
  - {name: optimism bias, applies_to: costs, optimism_bias: {project_type: equipment_development, bound: upper, measure: capex}}
options: []                    # option ids to compare (empty = every row of options.csv)
preferred_option: status_quo
# programme:                   # one programme, no options: go against do-minimum (docs/programmes.md). Give
#   name: My programme         # workstreams.csv (each a vehicle) and leave options.csv out: reformkit makes
#   do_minimum_description: Each partner carries on as today   # the options go and do_minimum
# workbook: study.xlsx         # read every table from one workbook instead of CSV files
notes: |
  Where the source document contradicts itself, say here which figure the study follows and why.
"""

EXAMPLES: dict[str, dict] = {
    "services": {"service_id": "asc_assess", "name": "Adult social care assessment", "service_area": "Adult Social Care",
                 "current_provider": "council", "current_vehicle_id": "council_direct", "baseline_cost_gbp": 12000000,
                 "fte": 240, "source": "Budget book 2017/18 p.12"},
    "vehicles": {"vehicle_id": "council_direct", "name": "Council direct provision", "kind": "status_quo",
                 "earliest_year": "2017/18", "planned_year": "2017/18", "governance_rule": "lead_partner",
                 "source": "current arrangement"},
    "partners": {"partner_id": "council", "name": "The County Council", "type": "county_council",
                 "budget_gbp": 750000000, "financial_pressure": 0.8, "risk_appetite": 0.4,
                 "board_meeting_interval_months": 1, "election_month": "2021-05", "source": "MTFS 2017"},
    "options": {"option_id": "status_quo", "name": "Do nothing", "description": "Services stay where they are",
                "source": "baseline"},
    "benefits": {"benefit_id": "b1", "component": "Integration", "category": "cashable", "trigger": "option",
                 "run_rate_gbp": 1000000, "low_gbp": 500000, "high_gbp": 1500000, "start_year": "2018/19",
                 "ramp": "0.1;0.6;1", "confidence": "medium", "recipient": "council", "source": "Table 6.3"},
    "costs": {"cost_id": "c1", "component": "Integration", "kind": "one_off", "category": "revenue", "amount_gbp": 250000,
              "quantity": 1, "start_year": "2017/18", "payer": "council", "trigger": "option", "source": "Table 6.4"},
    "value_drivers": {"driver_id": "cost", "name": "Ability to reduce costs", "kind": "metric", "metric": "npsv_gbp",
                      "weight": 1, "higher_is_better": "yes", "source": "cabinet brief"},
    "driver_scores": {"driver_id": "cost", "option_id": "status_quo", "rag": "Red", "rationale": "no saving",
                      "source": "workshop 5 Oct"},
}


def write_template(folder: Path, excel: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; choose a new folder for the template")
    frames = {}
    for table, model in TABLE_MODELS.items():
        example = EXAMPLES.get(table)
        columns = list(model.model_fields)
        frames[table] = pd.DataFrame([example], columns=columns) if example else pd.DataFrame(columns=columns)
    keep = {k: v for k, v in frames.items() if k in EXAMPLES}
    yaml_text = STUDY_YAML
    written = []
    if excel:
        yaml_text = yaml_text.replace("# workbook: study.xlsx ", "workbook: study.xlsx   ")
        write_workbook(folder / "study.xlsx", {"README": describe_columns(), **keep})
        written.append(folder / "study.xlsx")
    else:
        for table, frame in keep.items():
            frame.to_csv(folder / f"{table}.csv", index=False)
            written.append(folder / f"{table}.csv")
        describe_columns().to_csv(folder / "COLUMNS.csv", index=False)
        written.append(folder / "COLUMNS.csv")
    (folder / "study.yaml").write_text(yaml_text)
    return [folder / "study.yaml", *written]


def study_to_workbook(study_dir: Path, folder: Path) -> list[Path]:
    """Copy a CSV study into `folder` as study.yaml + one workbook whose sheets are its tables."""
    import yaml

    from appraisal.study.errors import StudyError
    from appraisal.study.load import read_config
    from appraisal.study.read import read_csv_cells

    config = read_config(study_dir)
    if config.workbook:
        raise ValueError(f"{study_dir} is already a workbook study ({config.workbook}); convert turns a CSV study "
                         "into a workbook")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; choose a new folder for the workbook study")
    sheets = {}
    for table in TABLE_MODELS:
        name = config.tables.get(table, f"{table}.csv")
        path = study_dir / name
        if path.is_file():
            header, rows, problems, _ = read_csv_cells(path, name)
            if problems:
                raise StudyError(problems)
            sheets[table] = pd.DataFrame([cells for _, cells in rows], columns=header, dtype=object)
    write_workbook(folder / "study.xlsx", {"README": describe_columns(), **sheets})
    data = yaml.safe_load((study_dir / "study.yaml").read_text())
    data.pop("tables", None)
    data["workbook"] = "study.xlsx"
    (folder / "study.yaml").write_text("# Converted from " + str(study_dir) + " by reformkit convert\n"
                                       + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return [folder / "study.yaml", folder / "study.xlsx"]
