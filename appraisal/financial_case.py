"""The financial case of a study: every option through the money engine, as results and tables."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from appraisal.adjustments import adjustment_pct
from appraisal.money import OptionAppraisal, appraise_study, position_summary
from appraisal.outputs import write_json, write_tables
from appraisal.provenance import provenance
from appraisal.study import Study


@dataclass
class FinancialCase:
    study: Study
    options: dict[str, OptionAppraisal]
    positions: pd.DataFrame
    seconds: float

    def results(self) -> dict:
        names = self.study.tables["options"].set_index("option_id")["name"].to_dict()
        cfg = self.study.config
        return {
            "study": cfg.name,
            "years": self.study.years,
            "discounting": cfg.discounting.model_dump(),
            "adjustments": [a.model_dump(exclude_none=True) | {"pct_applied": adjustment_pct(a)} for a in cfg.adjustments],
            "preferred_option": cfg.preferred_option,
            "options": {
                oid: {
                    "name": names.get(oid, oid),
                    "metrics": r.metrics,
                    "yearly": {col: dict(zip(r.yearly["year"], r.yearly[col]))
                               for col in r.yearly.columns if col != "year"},
                    "by_party": {row.partner_id: {"benefits_gbp": row.benefits_gbp, "costs_gbp": row.costs_gbp,
                                                  "net_gbp": row.net_gbp} for row in r.by_party.itertuples()},
                    "by_recipient": {row.recipient_id: {"benefits_gbp": row.benefits_gbp, "costs_gbp": row.costs_gbp,
                                                        "net_gbp": row.net_gbp} for row in r.by_recipient.itertuples()},
                }
                for oid, r in self.options.items()
            },
            "positions": _positions_dict(self.positions),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        frames = {
            "option_metrics": pd.DataFrame([r.metrics for r in self.options.values()]),
            "yearly_profile": pd.concat([r.yearly.assign(option_id=oid) for oid, r in self.options.items()],
                                        ignore_index=True),
            "component_profile": pd.concat([r.by_component.assign(option_id=oid) for oid, r in self.options.items()],
                                           ignore_index=True),
            "who_pays_who_benefits": pd.concat([r.by_party.assign(option_id=oid) for oid, r in self.options.items()],
                                               ignore_index=True),
            "split_by_recipient": pd.concat([r.by_recipient.assign(option_id=oid) for oid, r in self.options.items()],
                                            ignore_index=True),
        }
        if not self.positions.empty:
            frames["budget_positions"] = self.positions
        return frames


def _positions_dict(positions: pd.DataFrame) -> dict:
    out: dict = {}
    for row in positions.itertuples(index=False):
        out.setdefault(row.partner_id, {}).setdefault(row.scenario, {})[row.year] = {
            "in_year_gbp": row.in_year_gbp, "cumulative_gbp": row.cumulative_gbp,
            "reserves_closing_gbp": row.reserves_closing_gbp}
    return out


def financial_case(study: Study) -> FinancialCase:
    started = time.perf_counter()
    options = appraise_study(study)
    return FinancialCase(study, options, position_summary(study), time.perf_counter() - started)


def write_financial_case(case: FinancialCase, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    results = case.results()
    written = write_tables(out, case.tables())
    manifest = provenance(case.study, command="appraise", seconds=round(case.seconds, 4),
                          outputs=["results.json", "results.xlsx", *written])
    results["provenance"] = manifest
    write_json(out / "results.json", results)
    write_json(out / "manifest.json", manifest)
    return results
