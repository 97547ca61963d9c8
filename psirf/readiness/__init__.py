"""Readiness: the strategy's local commitments per organisation, and the ICB's readiness map."""
