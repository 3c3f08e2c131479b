"""Progress lines for long stages: done/total, rate and time left, at most every few seconds."""

import logging
import time


class Progress:
    def __init__(self, log: logging.Logger, what: str, total: int, unit: str = "", every: float = 5.0):
        self.log, self.what, self.total, self.unit, self.every = log, what, total, unit, every
        self.start = self.last = time.monotonic()
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.last >= self.every and done < self.total:
            self.last = now
            self.log.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.start, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        left_s = f"{left:.0f} s left" if left != float("inf") else "time left unknown"
        return (
            f"{self.what}: {self.done:,}/{self.total:,}{self.unit} "
            f"({rate:,.0f}{self.unit}/s, {left_s})"
        )

    def finish(self) -> float:
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        self.log.info("%s: %s%s in %.1f s (%s/s)", self.what, f"{self.done:,}", self.unit, elapsed, f"{rate:,.0f}")
        return elapsed
