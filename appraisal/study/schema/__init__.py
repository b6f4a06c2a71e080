"""The study schema (a package, one module per table family): `study.yaml` and one pydantic model per table row.

Every field documents its unit. Money is pounds sterling (`_gbp`); years are financial years written
`2017/18`; percentages are 0–100 (`_pct`); fractions are 0–1. Ids are short strings without spaces.
A list in a CSV cell is written with semicolons: `0.1;0.6;1`.

Modules: types (cell types, Row), services (services, vehicles, sites, placements), partners (partners, governance,
interventions, stances, decision dates, elections), money (benefit and cost lines, profiles, apportionments,
allocations, cost curves, transfers), greenbook (risks, price years, deflators, distribution, social values, valued
outcomes), rules (options, option rules, precedence, vehicle dependencies, floors, limits), scoring (value drivers,
scores, positions, targets, uncertainties), cohort, programme (workstreams, milestones, timing rules, places),
tables (TABLE_MODELS) and config (study.yaml). Every name is importable from here, as `from appraisal.study.schema
import X`.
"""
from __future__ import annotations

from appraisal.study.schema.types import (FY_PATTERN, fy_start, fy_label, _financial_year, _blank_to_none, _id_list,
                                          _fraction_list, _safe_id, _bool, FinancialYear, OptFinancialYear,
                                          PERIOD_PATTERN, _time_label, TimeLabel, OptTimeLabel, OptStr, OptFloat,
                                          NonNegative, OptNonNegative, OptInt, IdList, Fractions, Flag, Id, OptId,
                                          Fraction, Row)
from appraisal.study.schema.services import VehicleKind, ServiceRow, VehicleRow, SiteRow, PlacementRow
from appraisal.study.schema.partners import (PartnerType, PartnerRow, GovernanceRow, InterventionRow, YearMonth, Stance,
                                             StanceRow, DecisionDateRow, ElectionRow)
from appraisal.study.schema.money import (TRIGGER, APPORTION, Trigger, Apportion, IN_PLACEMENTS, BenefitCategory,
                                          Confidence, REALISED_BY, ENABLED_BY, BenefitRow, CostRow, ProfileRow,
                                          ApportionmentRow, AllocationRow, CostCurveRow, TransferRow)
from appraisal.study.schema.greenbook import (RiskRow, _price_year, PriceYearRow, DeflatorRow, BenefitDistributionRow,
                                              SocialValueRow, ValuedOutcomeRow)
from appraisal.study.schema.rules import (OptionRow, RuleKind, OptionRuleRow, PrecedenceRow, VehicleDependencyRow,
                                          FloorRow, LimitRow)
from appraisal.study.schema.scoring import (ValueDriverRow, DriverScoreRow, PositionRow, TargetRow, humanise,
                                            UncertaintyRow)
from appraisal.study.schema.cohort import (COHORT_SCENARIO, CohortModelRow, CohortStateRow, CohortTransitionRow,
                                           CohortEntrantRow)
from appraisal.study.schema.config import (OB_PROJECT_TYPES, OptimismBias, Adjustment, Horizon, _schedule_name,
                                           ScheduleName, Discounting, StudyConfig)
from appraisal.study.schema.programme import WorkstreamRow, MilestoneRow, TimingRuleRow, Programme, PROGRAMME_MODELS
from appraisal.study.schema.tables import TABLE_MODELS, REQUIRED_TABLES
