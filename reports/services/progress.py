"""Progress of a report build, step by step, for the progress bar.

The builders (data gathering, rendering) announce how many steps they will take with
``expect`` and tick them off with ``step``; whoever runs the build (a Celery job, the
command line, a test) passes a callback that is told the new state. Without a callback,
nothing is reported.
"""

from __future__ import annotations

from collections.abc import Callable


class Progress:
    def __init__(self, callback: Callable[[int, int, str], None] | None = None):
        self.done = 0
        self.total = 0
        self.label = ""
        self._callback = callback

    def expect(self, steps: int) -> None:
        """More steps are coming (a builder learns its number of steps as it goes)."""
        self.total += steps
        self._report()

    def step(self, label: str = "") -> None:
        """One step is done; ``label`` says what comes next or what was just done."""
        self.done += 1
        self.total = max(self.total, self.done)
        if label:
            self.label = str(label)
        self._report()

    def say(self, label: str) -> None:
        """What is being done now, without a step being finished."""
        self.label = str(label)
        self._report()

    def _report(self) -> None:
        if self._callback is not None:
            self._callback(self.done, max(self.total, 1), self.label)


NO_PROGRESS = Progress()
