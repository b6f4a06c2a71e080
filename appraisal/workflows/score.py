"""Value-driver scoring of a study's options: the MCDA engine fed from model outputs and judgements.

A `metric` driver takes each option's computed figure (any key of the financial case's metrics, or of
`extra_metrics`, e.g. the buy-in probability) and maps it linearly to 0–100 between the worst and best
option (local scale; `higher_is_better` sets the direction). A `judgement` driver takes the study's
score (0–100) or its RAG (Red 0, Amber 50, Green 100) with the rationale. Weights are swing weights,
normalised; `weight_low`/`weight_high` bound them for the weight swings and SMAA.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from appraisal.mcda.engine import MCDAResult, RAG_VALUES, linear_value, rag_band, score
from appraisal.mcda.robustness import SMAAResult, rank_reversal, smaa, switching_weights, weight_swings
from appraisal.study import Study


def performance(study: Study, metrics: dict[str, dict], extra_metrics: dict[str, dict] | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(values 0–100, RAG labels, natural-unit performance) with options as rows and drivers as columns."""
    drivers, judged = study.tables["value_drivers"], study.tables["driver_scores"]
    if drivers.empty:
        raise ValueError(f"study '{study.name}' has no value drivers (value_drivers.csv)")
    options = study.choice_ids
    values, labels, natural = {}, {}, {}
    for d in drivers.itertuples(index=False):
        if d.kind == "metric":
            figures = []
            for oid in options:
                source = {**metrics.get(oid, {}), **(extra_metrics or {}).get(oid, {})}
                if d.metric not in source or source[d.metric] is None:
                    raise ValueError(f"{study.sources['value_drivers']}: driver '{d.driver_id}' needs metric "
                                     f"'{d.metric}', which option '{oid}' does not have; known metrics: "
                                     f"{', '.join(sorted(source))}")
                figures.append(float(source[d.metric]))
            figures = np.array(figures)
            lo, hi = figures.min(), figures.max()
            worst, best = (lo, hi) if d.higher_is_better else (hi, lo)
            v = np.full(len(options), 100.0) if lo == hi else linear_value(figures, worst, best)
            values[d.driver_id], natural[d.driver_id] = v, figures if d.higher_is_better else -figures
            labels[d.driver_id] = list(rag_band(v))
        else:
            mine = judged[judged["driver_id"] == d.driver_id].set_index("option_id")
            missing = [o for o in options if o not in mine.index]
            if missing:
                raise ValueError(f"{study.sources['driver_scores']}: driver '{d.driver_id}' has no score for "
                                 f"option(s) {', '.join(missing)}")
            v = []
            for oid in options:
                row = mine.loc[oid]
                if row["score"] is not None and not pd.isna(row["score"]):
                    v.append(float(row["score"]))
                elif row["rag"]:
                    v.append(RAG_VALUES[row["rag"]])
                else:
                    raise ValueError(f"{study.sources['driver_scores']}, row {row['source_row']}: give a score or a rag")
            values[d.driver_id], natural[d.driver_id] = np.array(v), np.array(v)
            labels[d.driver_id] = [mine.loc[o, "rag"] or rag_band(val) for o, val in zip(options, v)]
    index = pd.Index(options, name="option_id")
    return (pd.DataFrame(values, index=index), pd.DataFrame(labels, index=index), pd.DataFrame(natural, index=index))


@dataclass
class Scoring:
    result: MCDAResult
    rag: pd.DataFrame
    swings: pd.DataFrame
    switching_weights: pd.DataFrame
    smaa: SMAAResult
    rank_reversal: pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        """Each option's weighted total, rank and ties (the MCDA result's table)."""
        return self.result.table

    def summary(self, study: Study) -> dict:
        drivers = study.tables["value_drivers"]
        t = self.result.table
        return {
            "drivers": [{"driver_id": d.driver_id, "name": d.name, "kind": d.kind,
                         "weight": float(self.result.weights[d.driver_id])} for d in drivers.itertuples(index=False)],
            "scores": {o: {c: float(self.result.values.at[o, c]) for c in self.result.values.columns}
                       for o in self.result.values.index},
            "rag": {o: dict(self.rag.loc[o]) for o in self.rag.index},
            "total": {o: float(t.at[o, "total"]) for o in t.index},
            "rank": {o: int(t.at[o, "rank"]) for o in t.index},
            "preferred": self.result.preferred,
            "tied": bool(t.loc[self.result.preferred, "tied"].any()),
            "acceptability": {o: {str(r): float(p) for r, p in row.items()}
                              for o, row in self.smaa.acceptability.iterrows()},
            "weight_switches": self.switching_weights.to_dict(orient="records"),
            "rank_reversal": self.rank_reversal.to_dict(orient="records"),
            "smaa": {"n": self.smaa.n, "seed": self.smaa.seed},
        }


def score_study(study: Study, metrics: dict[str, dict], extra_metrics: dict[str, dict] | None = None, *,
                smaa_n: int = 10_000, seed: int = 0) -> Scoring:
    values, rag, natural = performance(study, metrics, extra_metrics)
    drivers = study.tables["value_drivers"].set_index("driver_id")
    weights = drivers["weight"].astype(float).to_dict()
    bounds = {d: (float(r.weight_low), float(r.weight_high)) for d, r in drivers.iterrows()
              if r.weight_low is not None and r.weight_high is not None
              and not pd.isna(r.weight_low) and not pd.isna(r.weight_high)}
    result = score(values, weights)
    total = sum(weights.values())
    ranges = {d: (lo / total, hi / total) for d, (lo, hi) in bounds.items()}
    return Scoring(
        result=result, rag=rag,
        swings=weight_swings(values, weights, ranges or None),
        switching_weights=switching_weights(values, weights),
        smaa=smaa(values, weights=weights, weight_bounds=bounds or None, n=smaa_n, seed=seed),
        rank_reversal=rank_reversal(natural, weights),
    )


def score_outputs(s: Study, *, smaa_runs: int, seed: int) -> tuple[dict, dict]:
    """What ``reformkit score`` writes: the summary (with switching values when the study declares
    uncertainties, and provenance) and its tables."""
    from appraisal.money.metrics import preferred_option
    from appraisal.uncertainty.scenario import scenario_model
    from appraisal.workflows.appraise import financial_case
    from appraisal.workflows.provenance import provenance
    from appraisal.workflows.sensitivity import ranges, switching

    case = financial_case(s)
    scoring = score_study(s, {o: r.metrics for o, r in case.options.items()}, smaa_n=smaa_runs, seed=seed)
    summary = scoring.summary(s)
    tables = {"scores": scoring.result.table.reset_index(), "rag": scoring.rag.reset_index(),
              "weight_swings": scoring.swings.astype({"ranking": str, "preferred": str}),
              "acceptability": scoring.smaa.acceptability.rename(columns=str).reset_index()}
    if not s.tables["uncertainties"].empty:
        target = preferred_option(s, {o: r.metrics["npsv_gbp"] for o, r in case.options.items()})
        sv = switching(scenario_model(s), ranges(s), target)
        summary["switching"] = sv.to_dict(orient="records")
        tables["switching_values"] = sv
    summary["provenance"] = provenance(s, command="score", seed=seed, smaa_runs=smaa_runs)
    return summary, tables
