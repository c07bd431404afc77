"""Uvicorn's h11-protocol met een tijdslimiet op de kopteksten van een verzoek (tegen slowloris).

Uvicorn closes a connection that stays idle after a response (``timeout_keep_alive``), but not one
that connects and says nothing, or sends its request line and headers a byte at a time: such
connections were held for as long as the client liked. Here a connection must complete the headers
of each request within ``kop_seconden`` of its first byte (or of connecting); the body has its own
limit in the app (``Limieten.body_seconden``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def begrensd_protocol(kop_seconden: float) -> type[H11Protocol]:
    class BegrensdH11Protocol(H11Protocol):
        _kop_timer: asyncio.TimerHandle | None = None

        def _wacht_op_kop(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _start_kop_timer(self) -> None:
            if self._kop_timer is None and self._wacht_op_kop():
                self._kop_timer = self.loop.call_later(kop_seconden, self._kop_verlopen)

        def _stop_kop_timer(self) -> None:
            if self._kop_timer is not None:
                self._kop_timer.cancel()
                self._kop_timer = None

        def _kop_verlopen(self) -> None:
            self._kop_timer = None
            if self._wacht_op_kop() and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._start_kop_timer()

        def data_received(self, data: bytes) -> None:
            self._start_kop_timer()
            super().data_received(data)
            if not self._wacht_op_kop():
                self._stop_kop_timer()  # headers complete: the request is being handled

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_kop_timer()
            super().connection_lost(exc)

    return BegrensdH11Protocol
