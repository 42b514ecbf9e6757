"""A deterministic, made-up set of policies over the sample vocabulary, for scale tests and the
benchmark (2,147 by default, as many as the hall reports): nothing large is kept in the repo.
The generator is :mod:`contracts.policy_synthetic` (the hall's shipped policies use it too)."""

from __future__ import annotations

from contracts.policy_synthetic import SEED, SHIPPED_COUNT, synthetic_documents
from kiosk.policies import PolicySet, compile_policies, load_policies


def synthetic_policies(
    count: int = SHIPPED_COUNT, *, seed: int = SEED, vocabulary: PolicySet | None = None
) -> PolicySet:
    """A deterministic set of made-up policies over the sample vocabulary (same seed, same set)."""
    base = vocabulary or load_policies()
    data = {
        "version": f"synthetic-{seed}-{count}",
        "certifications": {k: list(v) for k, v in base.vocabulary.certifications.items()},
        "districts": {k: list(v) for k, v in base.vocabulary.districts.items()},
        "policies": synthetic_documents(
            count,
            seed=seed,
            certifications=list(base.vocabulary.certifications),
            districts=list(base.vocabulary.districts),
        ),
    }
    return compile_policies(data, source="synthetic")
