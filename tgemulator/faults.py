"""Fault injection: make the next calls of a method fail or answer slowly, or let calls fail
at random (``Chaos``: 429, 5xx, stalls, connection resets, each before the call is processed,
so a failed call never took effect)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

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
    reset: bool = False  # close the connection without an answer

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


@dataclass
class Chaos:
    """Random faults: each call of a method not in ``spared`` fails with probability ``rate``,
    as a 429 (``retry_after`` 1), a 500/502/503, a stall of ``stall`` seconds ending in a 504
    (longer than a client's read timeout: a timeout), or a connection reset."""

    rate: float
    seed: int = 0
    stall: float = 3.0
    spared: frozenset[str] = frozenset()
    kinds: tuple[str, ...] = ("429", "500", "502", "503", "stall", "reset")
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - test faults, not secrets

    def draw(self, method: str) -> Fault | None:
        if method.lower() in self.spared or self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        if kind == "stall":
            return Fault(method, 504, 1, 1, self.stall, "Gateway Timeout")
        if kind == "reset":
            return Fault(method, None, 1, 1, 0.0, None, reset=True)
        return Fault(method, int(kind), 1, 1, 0.0, None)


class FaultInjector:
    """Holds pending faults, random faults (``chaos``) and the record of applied ones."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.applied: list[FaultRecord] = []
        self.chaos: Chaos | None = None

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
        """Consume one use of the first fault matching ``method`` (else draw a random one)
        and record it."""
        key = method.lower()
        chosen = None
        for fault in self._faults:
            if fault.method in (key, "*"):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                chosen = fault
                break
        if chosen is None and self.chaos is not None:
            chosen = self.chaos.draw(method)
        if chosen is None:
            return None
        error = chosen.error()
        described = error.description if error else None
        self.applied.append(
            FaultRecord(
                method=method,
                error_code=chosen.error_code,
                description="connection reset" if chosen.reset else described,
                delay=chosen.delay,
                time=time.time(),
            )
        )
        return chosen
