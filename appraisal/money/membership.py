"""Opt-in membership: a vehicle that goes ahead with only the partners that joined.

A plan may name, per vehicle, the partners on its board that did not join (`Plan.non_members`). Then

1. services of a non-member (its `current_provider`) do not move into the vehicle: they stay where they are
   (`Plan.with_non_members` drops those moves, so their service and leave lines are never triggered);
2. each line of the vehicle (its `vehicle_id`) keeps only the members' share of it: a line paid by or
   accruing to a partner is kept whole for a member and dropped for a non-member; a line split by an
   allocation keeps the weights of the recipients that are members (or whose service's provider is one),
   the non-members' weights drop out; a line of the vehicle tied to a non-member's service drops out;
3. a line with no party, or whose party is no partner of the vehicle's board (the vehicle itself, a national
   body), is kept whole: nobody's membership decides it (assumption, documented in docs/money.md).

`line_scale` is the factor each ledger entry's money is multiplied by; `relevant_partners` says which board
members' membership changes the plan's money at all (the others' choices leave it as it is).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from appraisal.study import Study


def _shares(study: Study, party) -> list[tuple[str, float]]:
    """(partner or recipient, share) of a line's party: an allocation's normalised weights, else the party."""
    if party is None or party != party or party == "":
        return []
    alloc = study.tables["allocations"]
    rows = alloc[alloc["allocation_id"] == party]
    if len(rows):
        total = float(rows["weight"].sum())
        return [(r, float(w) / total) for r, w in zip(rows["recipient_id"], rows["weight"])]
    return [(str(party), 1.0)]


def _owner(study: Study) -> dict[str, str]:
    return study.tables["services"].set_index("service_id")["current_provider"].to_dict()


def line_scale(study: Study, entries: pd.DataFrame, non_members: dict[str, tuple[str, ...]]) -> np.ndarray:
    """(E,) share of each entry's money that stays when `non_members` (vehicle → partners) did not join."""
    scale = np.ones(len(entries))
    if not non_members:
        return scale
    owner = _owner(study)
    partners = set(study.tables["partners"]["partner_id"])
    for i, (v, s, party) in enumerate(zip(entries["vehicle_id"], entries["service_id"], entries["party"])):
        out = set(non_members.get(v, ()))
        if not out:
            continue
        if isinstance(s, str) and s and owner.get(s) in out:
            scale[i] = 0.0
            continue
        lost = 0.0
        for recipient, share in _shares(study, party):
            partner = recipient if recipient in partners else owner.get(recipient, recipient)
            lost += share if partner in out else 0.0
        scale[i] = max(0.0, 1.0 - lost)
    return scale


def relevant_partners(study: Study, plan, vehicle_id: str) -> set[str]:
    """Board members of `vehicle_id` whose joining or not changes the plan's money: they own a service the
    plan moves into it, or pay or receive (directly, through an allocation or a service) one of its lines."""
    from appraisal.money.ledger import option_ledger

    owner = _owner(study)
    partners = set(study.tables["partners"]["partner_id"])
    g = study.tables["governance"]
    board = set(g.loc[g["vehicle_id"] == vehicle_id, "partner_id"])
    out = {owner.get(s) for s in plan.moves.loc[plan.moves["vehicle_id"] == vehicle_id, "service_id"]}
    entries = option_ledger(study, plan.option_id).entries
    mine = entries[entries["vehicle_id"] == vehicle_id]
    for s, party in zip(mine["service_id"], mine["party"]):
        if isinstance(s, str) and s:
            out.add(owner.get(s))
        for recipient, _ in _shares(study, party):
            out.add(recipient if recipient in partners else owner.get(recipient, recipient))
    return out & board
