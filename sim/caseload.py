"""The caseload effect: the lever of the whole model, in one place.

A caseworker with fewer cases sees each family more often and acts earlier. We let caseload act on
the hazards of each level through a power law against a reference caseload (the caseload at which
the base escalation and resolution shares were read):

    escalation multiplier = (caseload / reference) ** escalation_elasticity
    resolution multiplier = (reference / caseload) ** resolution_elasticity

Halving the caseload with an escalation elasticity of 0.275 (fitted by `python -m sim calibrate` to
KORA's Herning evaluation) cuts escalations by 1 - 0.5**0.275 = 17 %.
Both elasticities are assumptions with ranges that include zero (no effect): no causal Danish
estimate exists (docs/sources.md §7). Capacity (case slots) is the other channel
of caseload and is set by the staffing, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .assumptions import Assumptions


@dataclass(frozen=True)
class CaseloadEffect:
    """Factors on the hazards of a level for a team working at a given caseload."""

    escalation: float
    resolution: float


def caseload_effect(caseload: float, reference: float, escalation_elasticity: float,
                    resolution_elasticity: float) -> CaseloadEffect:
    """The documented function of caseload (see the module docstring)."""
    if caseload <= 0 or reference <= 0:
        raise ValueError(f"caseload and reference must be positive, got {caseload} and {reference}")
    ratio = caseload / reference
    return CaseloadEffect(escalation=ratio ** escalation_elasticity, resolution=ratio ** -resolution_elasticity)


def effect_at(assumptions: Assumptions, caseload: float) -> CaseloadEffect:
    c = assumptions.caseload
    return caseload_effect(caseload, c.reference.value, c.escalation_elasticity.value, c.resolution_elasticity.value)
