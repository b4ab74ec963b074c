"""Sign-in security tests: a clock that stands still until a test moves it."""

from datetime import UTC, datetime

import pytest
import time_machine

NOW = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
