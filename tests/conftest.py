import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def reference():
    """Learning rates recorded from real torch and transformers (tests/fixtures/make_reference_fixtures.py)."""
    return json.loads((FIXTURES / "reference_lrs.json").read_text())
