"""Make Python usable under libfaketime (see ``run``): loaded through PYTHONPATH only there.

With libfaketime's monotonic clock faked, timed waits (``Event.wait(t)``, ``queue.get(
timeout=t)``) never end; with it real (FAKETIME_DONT_FAKE_MONOTONIC=1), ``time.sleep`` fails
with EINVAL. So the monotonic clock stays real and ``time.sleep`` waits on an Event, which
times out on that real monotonic clock. Nothing changes when FAKETIME is not set.
"""

from __future__ import annotations

import os
import threading
import time

if os.environ.get("FAKETIME"):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        threading.Event().wait(seconds)

    time.sleep = _sleep
