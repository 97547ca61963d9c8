from __future__ import annotations

import pytest

from tests.support.nearmiss import pharmacies as build_pharmacies


@pytest.fixture
def pharmacies(world):
    """The world's ICB with two pharmacies and their staff (tests/support/nearmiss.py)."""
    return build_pharmacies(world)
