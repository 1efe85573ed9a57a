"""The entry points' start-up step: the loaded process's objects leave the collector's walks."""

from __future__ import annotations

import gc

from enterprise_scanner.gc_startup import freeze_after_startup


def test_freeze_after_startup_moves_the_loaded_objects_to_the_permanent_generation() -> None:
    try:
        freeze_after_startup()
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()  # requests' garbage is still collected
    finally:
        gc.unfreeze()
