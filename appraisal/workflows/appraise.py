"""The financial case of a study: every option's plan (its document plan unless another is given) through
the ledger and the metrics, as results and tables."""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from appraisal.money.adjustments import adjustment_pct
from appraisal.money.checks import study_warnings
from appraisal.money.cohort_lines import cohort_summary
from appraisal.money.metrics import (OptionAppraisal, appraise_study, position_summary, preferred_option,
                                     study_discount_factors)
from appraisal.money.plans import Plan, plans_table
from appraisal.money.risks import risk_register
from appraisal.workflows.outputs import write_json, write_tables
from appraisal.workflows.provenance import provenance
from appraisal.study import Study
from appraisal.workflows.targets import check_targets, results_tree


@dataclass
class FinancialCase:
    study: Study
    options: dict[str, OptionAppraisal]
    positions: pd.DataFrame
    seconds: float

    def __post_init__(self) -> None:
        """With a risk register, each option's metrics gain the risk-adjusted NPSV (NPSV − PV of the expected
        costs of its quantified risks), so the report, targets and value drivers can all name it."""
        if not self.study.tables["risks"].empty:
            for oid, pv in self.risks["pv_expected_cost_by_option_gbp"].items():
                m = self.options[oid].metrics
                m["npsv_risk_adjusted_gbp"] = m["npsv_gbp"] - pv

    def results(self) -> dict:
        """results.json: every headline figure, the yearly profiles and splits, and the document's figures."""
        names = self.study.tables["options"].set_index("option_id")["name"].to_dict()
        cfg = self.study.config
        tree = self.tree
        status_quo = set(self.study.tables["vehicles"].query("kind == 'status_quo'")["vehicle_id"])
        for oid, node in tree["options"].items():
            node["name"] = names.get(oid, oid)
            plan = self.options[oid].plan
            node["plan_changes"] = {"services_moved": int((~plan.moves["vehicle_id"].isin(status_quo)).sum()),
                                    "vehicles_established": [v for v in plan.vehicles if v not in status_quo]}
        targets = self.targets()
        extra = {"risks": self.risks} if not self.study.tables["risks"].empty else {}
        if not self.study.tables["cohort_models"].empty:
            extra["cohorts"] = cohort_summary(self.study)
        return extra | {
            "study": cfg.name,
            "years": self.study.years,
            "display_unit": cfg.display_unit,
            "discounting": cfg.discounting.model_dump(),
            "adjustments": [a.model_dump(exclude_none=True) | {"pct_applied": adjustment_pct(a)} for a in cfg.adjustments],
            "preferred_option": preferred_option(self.study, {o: r.metrics["npsv_gbp"] for o, r in self.options.items()}),
            "preferred_option_declared": bool(cfg.preferred_option),
            "plans": {oid: r.plan.kind for oid, r in self.options.items()},
            "warnings": self.warnings,
            "study_notes": list(self.study.notes),
            "notes": cfg.notes,
            "options": tree["options"],
            "positions": tree["positions"],
            "targets": [{"target_id": r.target_id, "description": r.description, "metric": r.metric,
                         "document": r.published, "ours": r.computed, "difference": r.difference,
                         "tolerance": r.tolerance, "within_tolerance": bool(r.ok), "problem": r.problem,
                         "source": r.source} for r in targets.itertuples(index=False)],
        }

    @cached_property
    def risks(self) -> dict:
        """The risk register with scores and expected costs of risk (results.json `risks`)."""
        return risk_register(self.study, study_discount_factors(self.study), list(self.options))

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """The headline metrics (docs/money.md), one row per option (index option_id), under each option's plan."""
        frame = pd.DataFrame([r.metrics for r in self.options.values()], index=pd.Index(list(self.options), name="option_id"))
        return frame.drop(columns=["option_id"], errors="ignore").assign(plan=[r.plan.kind for r in self.options.values()])

    @cached_property
    def warnings(self) -> list[str]:
        """Money that could vanish: what the study shows (lines no option can trigger, …) and what the
        plans do (money moved outside the horizon)."""
        from appraisal.adapters.to_optimise import plan_violations

        out = study_warnings(self.study)
        for oid, r in self.options.items():
            out += [w for w in r.warnings if w not in out]
            if r.plan.kind == "file":  # a plan written by hand may break the option's rules: say so
                out += [f"option {oid}: the plan breaks the option's rules: {v}" for v in plan_violations(self.study, r.plan)]
        return out

    @cached_property
    def tree(self) -> dict:
        """The results in the results.json layout (plus by_component), built once."""
        return results_tree(self.study, self.options, self.positions)

    def targets(self) -> pd.DataFrame:
        return self._targets

    @cached_property
    def _targets(self) -> pd.DataFrame:
        return check_targets(self.study, self.tree)

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
        frames["plans"] = plans_table(self.study, {oid: r.plan for oid, r in self.options.items()})
        if not self.positions.empty:
            frames["budget_positions"] = self.positions
        if not self.study.tables["targets"].empty:
            frames["document_figures"] = self.targets()
        if not self.study.tables["risks"].empty:
            frames["risk_register"] = pd.DataFrame(self.risks["register"]).assign(
                options=lambda f: f["options"].map(lambda v: ";".join(v or [])))
        return frames


def financial_case(study: Study, plans: dict[str, Plan] | None = None) -> FinancialCase:
    """Every option appraised under its plan in `plans`, else its document plan."""
    started = time.perf_counter()
    options = appraise_study(study, plans)
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
