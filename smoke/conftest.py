"""The `stack` fixture: the product as deployed, started once for every smoke check (`make smoke-prod`).

A check that kills part of the stack (Redis, a worker, daphne) starts it again before it ends, so
the checks after it find the stack whole.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    deployed = Stack(tmp_path_factory.mktemp("stack"))
    try:
        deployed.start()
    except BaseException:
        print(deployed.logs())
        deployed.stop()
        raise
    yield deployed
    deployed.stop()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A failing check shows the tail of every process's log (daphne, workers, Redis)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and "stack" in getattr(item, "fixturenames", ()):
        deployed = item.funcargs.get("stack")
        if deployed is not None:
            report.sections.append(("stack logs", deployed.logs()))
