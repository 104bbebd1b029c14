"""Fault injection: make the next calls of a method fail or answer slowly."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import GENERIC_DESCRIPTIONS, ApiError, too_many_requests
from .models import FaultRecord


@dataclass
class Fault:
    """A pending fault for ``method`` (lower-cased; ``"*"`` matches every method)."""

    method: str
    error_code: int | None
    retry_after: int
    times: int
    delay: float
    description: str | None

    def error(self) -> ApiError | None:
        """The error this fault answers with, ``None`` for a pure delay."""
        if self.error_code is None:
            return None
        if self.error_code == 429:
            error = too_many_requests(self.retry_after)
            if self.description:
                error.description = self.description
            return error
        description = self.description or GENERIC_DESCRIPTIONS.get(self.error_code, "Error")
        return ApiError(self.error_code, description)


class FaultInjector:
    """Holds pending faults and the record of applied ones."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.applied: list[FaultRecord] = []

    def add(
        self,
        method: str,
        *,
        error_code: int | None = 429,
        retry_after: int = 1,
        times: int = 1,
        delay: float = 0.0,
        description: str | None = None,
    ) -> Fault:
        """Queue a fault for the next ``times`` calls of ``method``."""
        if times < 1:
            raise ValueError("times must be at least 1")
        if error_code is None and delay <= 0:
            raise ValueError("a fault needs an error_code or a delay")
        fault = Fault(method.lower(), error_code, retry_after, times, delay, description)
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Drop all pending faults."""
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults not yet used up."""
        return list(self._faults)

    def take(self, method: str) -> Fault | None:
        """Consume one use of the first fault matching ``method`` and record it."""
        key = method.lower()
        for fault in self._faults:
            if fault.method in (key, "*"):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                error = fault.error()
                self.applied.append(
                    FaultRecord(
                        method=method,
                        error_code=fault.error_code,
                        description=error.description if error else None,
                        delay=fault.delay,
                        time=time.time(),
                    )
                )
                return fault
        return None
