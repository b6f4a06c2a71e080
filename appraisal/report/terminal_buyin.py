"""What `reformkit buyin` and `reformkit calibrate` print after the chance-of-agreement table
(terminal.buyin_table): voting power, money under buy-in, the calibration, the cheapest route to agreement,
intervention packages and the agent-based loop; the posterior and what it was fitted to.

Each function takes the plain results the workflows return (summary mappings and DataFrames) and gives rich
tables or lines of text; the command only prints them.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
from rich import box
from rich.table import Table

from appraisal.report.fmt import money


def power_table(power: pd.DataFrame, vehicle_names: Mapping[str, str], partner_names: Mapping[str, str]) -> Table:
    """Voting power of each partner on each board: weight, veto, whether it funds, Banzhaf and Shapley–Shubik."""
    table = Table(title="Voting power on each board (normalised Banzhaf, Shapley–Shubik)", box=box.SIMPLE_HEAD,
                  title_justify="left")
    for col in ("vehicle", "partner", "weight", "veto", "funds", "Banzhaf", "Shapley–Shubik"):
        table.add_column(col, justify="left" if col in ("vehicle", "partner") else "right",
                         overflow="fold" if col in ("vehicle", "partner") else "ellipsis")
    for r in power.itertuples(index=False):
        table.add_row(vehicle_names.get(r.vehicle_id, r.vehicle_id), partner_names.get(r.partner_id, r.partner_id),
                      f"{r.voting_weight:g}", "yes" if r.veto else "", "yes" if r.funds else "", f"{r.banzhaf:.3f}",
                      f"{r.shapley_shubik:.3f}")
    return table


def money_under_buyin_line(m: Mapping | None) -> str | None:
    """The NPSV as planned and expected under buy-in (None when the summary has no money under buy-in)."""
    if not m or m["expected_npsv_under_buyin_gbp"] is None:
        return None
    unit = "gbp_k" if max(abs(m["npsv_as_planned_gbp"]), abs(m["expected_npsv_under_buyin_gbp"])) < 1e8 else "gbp_m"
    return (f"NPSV: {money(m['npsv_as_planned_gbp'], unit)} as planned, "
            f"{money(m['expected_npsv_under_buyin_gbp'], unit)} expected under buy-in (each run's delays"
            + (" and opt-in membership" if m["opt_in_vehicles"] else "")
            + f" through the ledger; {m['plans_appraised']} distinct plans over {m['runs']} runs"
            + (f"; in {m['runs_with_partial_membership']} runs some board members of "
               f"{', '.join(m['opt_in_vehicles'])} did not join and their services and shares stay out"
               if m["runs_with_partial_membership"] else "") + ")")


def calibration_lines(calibration: Mapping) -> list[str]:
    """The calibration's statement, then each vehicle's P(agreed by the planned year) on the defaults and
    calibrated."""
    lines = [calibration["statement"]]
    for vid, e in calibration.get("effect", {}).items():
        lines.append(f"  {vid}: P(agreed by the planned year) {e['prob_on_time_defaults']:.0%} on the defaults, "
                     f"{e['prob_on_time_calibrated']:.0%} calibrated")
    return lines


def cheapest_table(route: pd.DataFrame, target_prob: float) -> Table:
    """Each vehicle's cheapest package of interventions: before and after, element, level, cost, what it buys."""
    table = Table(title=f"Cheapest route to agreement: P(agreed by the planned year) ≥ {target_prob:.0%}")
    for col in ("vehicle", "before", "after", "element", "level", "cost a year", "buys"):
        table.add_column(col, justify="right")
    for r in route.itertuples(index=False):
        table.add_row(r.vehicle_id, f"{r.baseline_prob:.0%}", f"{r.prob:.0%}" + ("" if r.reached else " (not reached)"),
                      r.element, r.level, money(r.element_cost_gbp, "gbp"),
                      "" if r.buys_prob != r.buys_prob else f"{r.buys_prob:+.0%}")
    return table


def cheapest_line(c: Mapping) -> str:
    """The package's cost and the expected NPSV under buy-in without it, with it and net of it."""
    return (f"Package: {money(c['annual_cost_gbp'], 'gbp')} a year (PV {money(c['package_pv_gbp'], 'gbp')}); "
            f"expected NPSV under buy-in {money(c['expected_npsv_without_gbp'])} without, "
            f"{money(c['expected_npsv_with_gbp'])} with, {money(c['expected_npsv_net_of_package_gbp'])} net of the "
            f"package; search {c['search_seconds']:.0f} s. {c['cost_basis']}.")


def interventions_table(compared: pd.DataFrame) -> Table:
    """The study's intervention packages against doing nothing: P(agreed), its change, delay, cost a year."""
    table = Table(title="Intervention packages against doing nothing")
    for col in ("package", "vehicle", "P(agreed)", "change", "expected delay (years)", "cost a year"):
        table.add_column(col, justify="right")
    for r in compared.itertuples(index=False):
        table.add_row(r.scenario, r.vehicle_id, f"{r.prob_agreed:.0%}", f"{r.delta_prob_agreed:+.0%}",
                      f"{r.expected_delay_years:.2f}", money(r.cost_gbp, "gbp"))
    return table


def agent_based_lines(a: Mapping) -> list[str]:
    """The agent-based loop: why it fell back (if it did), its iterations and the NPSV naive vs buy-in-aware."""
    lines = [a["fallback"]] if a.get("fallback") else []
    lines.append(f"Agent-based optimisation: {len(a['iterations'])} iteration(s); NPSV under buy-in "
                 f"{money(a['naive_npsv_under_buyin_gbp'])} naive vs {money(a['aware_npsv_under_buyin_gbp'])} "
                 "buy-in-aware")
    return lines


def buyin_sections(summary: Mapping, power: pd.DataFrame, vehicle_names: Mapping[str, str],
                   partner_names: Mapping[str, str], route: pd.DataFrame | None = None,
                   compared: pd.DataFrame | None = None, target_prob: float = 0.8) -> list[Table | str]:
    """Everything `reformkit buyin` prints after the chance-of-agreement table, in order."""
    parts: list[Table | str] = [power_table(power, vehicle_names, partner_names)]
    line = money_under_buyin_line(summary.get("money_under_buyin"))
    if line is not None:
        parts.append(line)
    parts += calibration_lines(summary["calibration"])
    if route is not None:
        parts += [cheapest_table(route, target_prob), cheapest_line(summary["cheapest"])]
    if compared is not None:
        parts.append(interventions_table(compared))
    if "agent_based" in summary:
        parts += agent_based_lines(summary["agent_based"])
    return parts


def posterior_table(parameters: Mapping[str, Mapping]) -> Table:
    """The calibrated behavioural parameters: prior range, default, posterior mean and 90 % interval."""
    table = Table(title="Calibrated behavioural parameters (posterior)")
    for col in ("parameter", "prior", "default", "mean", "90% interval"):
        table.add_column(col, justify="right")
    for name, p in parameters.items():
        table.add_row(name, f"{p['prior'][0]:g}–{p['prior'][1]:g}", f"{p['default']:g}", f"{p['mean']:.3f}",
                      f"{p['interval_90'][0]:.3f}–{p['interval_90'][1]:.3f}")
    return table


def fitted_targets_table(targets: pd.DataFrame) -> Table:
    """What the calibration was fitted to: each case's counts, the observed share and the model's."""
    table = Table(title="Fitted to")
    for col in ("case", "vehicle", "cases", "agreed", "by month", "observed", "model (posterior)", "source"):
        table.add_column(col)
    for r in targets.itertuples(index=False):
        table.add_row(str(getattr(r, "case", "base rates")), str(r.vehicle_id), str(r.n_cases), str(r.n_agreed),
                      str(r.by_month), f"{r.n_agreed / r.n_cases:.2f}", f"{r.predictive_share:.2f}",
                      str(getattr(r, "source", ""))[:60])
    return table
