"""Behavioural parameters of the buy-in model, with defaults.

Every default and the reason for it is documented in docs/agents.md (ODD "Details: parameters"); change them per
study through `BuyInInputs.params`. They are judgement defaults, not estimates: calibration (agents.calibrate, on
another branch) sets them, and the report must say which figures rest on an uncalibrated default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class BehaviourParams:
    # how fast a stance moves toward its target each month (exponential smoothing rate)
    adjustment_rate: float = 0.15
    # drive per unit of net benefit as a share of the partner's annual budget
    benefit_sensitivity: float = 20.0
    # losses weigh this many times more than gains of the same size (applied year by year)
    loss_aversion: float = 2.0
    # weight of year t+1 of a partner's own money relative to year t (short horizons of public bodies)
    time_discount: float = 0.8
    # extra weight on money for a partner under full financial pressure (pressure 1 → ×(1 + this))
    pressure_sensitivity: float = 1.0
    # drive lost per unit of sovereignty loss (0–1)
    sovereignty_sensitivity: float = 3.0
    # drive lost per unit of uncertainty for a fully risk-averse partner (risk appetite 0)
    uncertainty_sensitivity: float = 1.0
    # uncertainty about a new vehicle halves every this many months of engagement
    uncertainty_halflife_months: float = 12.0
    # perceived uncertainty when a study gives none (0–1)
    default_uncertainty: float = 0.5
    # weight of the network-weighted mean of peers' stances in the drive
    peer_sensitivity: float = 0.8
    # monthly noise on stances (standard deviation, stance units)
    noise_sd: float = 0.05
    # per-run disposition of each partner toward each vehicle (standard deviation, drive units)
    disposition_sd: float = 0.3
    # a board records "yes" only when the stance exceeds this
    vote_threshold: float = 0.1
    # before go-live, a yes is withdrawn (and an executive body refuses) only when the stance falls below this
    withdrawal_threshold: float = -0.5
    # an executive body finds a case unaffordable when one year's net loss exceeds this share of its budget
    affordability_share: float = 0.02
    # the most doubt (uncertainty × (1 − risk appetite), fading with engagement) a body accepts in a formal decision
    risk_tolerance: float = 0.3
    # starting stance for the documents' evidence: confirmed, in principle, opposed (undecided = 0)
    stance_confirmed: float = 1.0
    stance_in_principle: float = 0.5
    stance_opposed: float = -0.5
    # the documents' stance also leans the partner's disposition (its politics) by this × the starting stance, until
    # an election changes the administration
    lean_per_stance: float = 0.6
    # months before an election in which no formal decision is taken (pre-election period, "purdah")
    purdah_months: int = 1
    # chance that an election resets a partner's stance (new administration) when not given per partner
    default_turnover_prob: float = 0.5
    # board meeting calendar when a partner gives none
    default_board_months: str = "quarterly"
    # numerical tolerance in governance thresholds (share of total voting weight)
    rule_tolerance: float = 1e-9

    @classmethod
    def names(cls) -> list[str]:
        """Names of the parameters (for calibration designs)."""
        return [f.name for f in fields(cls)]
