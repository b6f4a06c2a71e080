"""The registry of table row models: table name -> row model (`TABLE_MODELS`, the programme tables' included), and the
tables every study must have.
"""
from __future__ import annotations

from appraisal.study.schema.cohort import CohortEntrantRow, CohortModelRow, CohortStateRow, CohortTransitionRow
from appraisal.study.schema.greenbook import (BenefitDistributionRow, DeflatorRow, PriceYearRow, RiskRow,
                                              SocialValueRow, ValuedOutcomeRow)
from appraisal.study.schema.money import (AllocationRow, ApportionmentRow, BenefitRow, CostCurveRow, CostRow,
                                          ProfileRow, TransferRow)
from appraisal.study.schema.partners import (DecisionDateRow, ElectionRow, GovernanceRow, InterventionRow, PartnerRow,
                                             StanceRow)
from appraisal.study.schema.programme import PROGRAMME_MODELS
from appraisal.study.schema.rules import (FloorRow, LimitRow, OptionRow, OptionRuleRow, PrecedenceRow,
                                          VehicleDependencyRow)
from appraisal.study.schema.scoring import DriverScoreRow, PositionRow, TargetRow, UncertaintyRow, ValueDriverRow
from appraisal.study.schema.services import PlacementRow, ServiceRow, SiteRow, VehicleRow
from appraisal.study.schema.types import Row


TABLE_MODELS: dict[str, type[Row]] = {
    "services": ServiceRow,
    "vehicles": VehicleRow,
    "sites": SiteRow,
    "partners": PartnerRow,
    "governance": GovernanceRow,
    "placements": PlacementRow,
    "benefits": BenefitRow,
    "benefit_profiles": ProfileRow,
    "costs": CostRow,
    "cost_profiles": ProfileRow,
    "allocations": AllocationRow,
    "apportionments": ApportionmentRow,
    "options": OptionRow,
    "option_rules": OptionRuleRow,
    "precedence": PrecedenceRow,
    "vehicle_dependencies": VehicleDependencyRow,
    "cost_curves": CostCurveRow,
    "limits": LimitRow,
    "floors": FloorRow,
    "value_drivers": ValueDriverRow,
    "driver_scores": DriverScoreRow,
    "positions": PositionRow,
    "targets": TargetRow,
    "uncertainties": UncertaintyRow,
    "interventions": InterventionRow,
    "cohort_models": CohortModelRow,
    "cohort_states": CohortStateRow,
    "cohort_transitions": CohortTransitionRow,
    "cohort_entrants": CohortEntrantRow,
    "transfers": TransferRow,
    "risks": RiskRow,
    "price_years": PriceYearRow,
    "deflators": DeflatorRow,
    "benefit_distribution": BenefitDistributionRow,
    "valued_outcomes": ValuedOutcomeRow,
    "social_values": SocialValueRow,
    "stances": StanceRow,
    "decision_dates": DecisionDateRow,
    "elections": ElectionRow,
}


TABLE_MODELS.update(PROGRAMME_MODELS)
REQUIRED_TABLES = ("options",)
