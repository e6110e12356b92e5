"""The caseload effect: how a team's caseload acts on the hazards of help, in one place.

A caseworker with fewer cases sees each family more often and acts earlier. Caseload acts on the
hazards of each level through power laws against a reference caseload (the caseload at which the
base escalation and resolution shares were read), one elasticity per lever:

    escalation multiplier         = (caseload / reference) ** escalation_elasticity
    resolution multiplier         = (reference / caseload) ** resolution_elasticity
        (early and coordinated help: closing and stepping down)
    placement-ending multiplier   = (reference / caseload) ** placement_length_elasticity
        (placements: ending and stepping down; a legal decision, so 0 by default)

Halving the caseload with an escalation elasticity of 0.3 cuts escalations by 1 - 0.5**0.3 = 19 %.
Every elasticity is an assumption with a range that includes zero (no effect): no causal Danish
estimate exists (docs/sources.md §7). Capacity (case slots) is the other channel of caseload and
is set by the staffing, not here.

A relational team's effect is measured from the classic organisation it replaces and scaled by
`relational.effect_strength` (s): its multiplier is the classic one times (relational / classic)
** (s x elasticity), so at s = 0 a relational team acts as a classic one whatever its caseload. The
pilot teams of 2019 and 2021 are relational teams at their own caseload (`caseload.pilot`) with the
effect as assumed (strength 1): `effect_strength` is the plan's choice, the pilots are a fact of the
world that both arms of a comparison share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assumptions import Assumptions


@dataclass(frozen=True)
class CaseloadEffect:
    """Factors on the hazards of a level for a team working at a given caseload."""

    escalation: float
    resolution: float
    placement: float


def caseload_effect(caseload: float, reference: float, escalation_elasticity: float,
                    resolution_elasticity: float, placement_length_elasticity: float) -> CaseloadEffect:
    """The documented function of caseload (see the module docstring); elementwise where the
    arguments are numpy arrays (the Herning check of many worlds at once, sim.calibrate)."""
    if np.any(np.asarray(caseload) <= 0) or np.any(np.asarray(reference) <= 0):
        raise ValueError(f"caseload and reference must be positive, got {caseload} and {reference}")
    ratio = caseload / reference
    return CaseloadEffect(escalation=ratio ** escalation_elasticity, resolution=ratio ** -resolution_elasticity,
                          placement=ratio ** -placement_length_elasticity)


def effect_at(assumptions: Assumptions, caseload: float) -> CaseloadEffect:
    """The multipliers of a classic team at `caseload`."""
    c = assumptions.caseload
    return caseload_effect(caseload, c.reference.value, c.escalation_elasticity.value, c.resolution_elasticity.value,
                           c.placement_length_elasticity.value)


def relational_effect(assumptions: Assumptions, caseload: float, strength: float) -> CaseloadEffect:
    """The multipliers of a relational team at `caseload` (the plan's caseload.relational, or a
    pilot's caseload.pilot): the classic team's, times the effect of its lower caseload scaled by
    `strength` (relational.effect_strength for the plan's teams, 1 for the pilots)."""
    c = assumptions.caseload
    s = strength
    classic = effect_at(assumptions, c.classic.value)
    change = caseload_effect(caseload, c.classic.value, s * c.escalation_elasticity.value,
                             s * c.resolution_elasticity.value, s * c.placement_length_elasticity.value)
    return CaseloadEffect(classic.escalation * change.escalation, classic.resolution * change.resolution,
                          classic.placement * change.placement)
