"""A small UDP impairment proxy between browsers and coturn (the kernel here has no
netem, so loss, delay, jitter and rate limits happen in user space).

Browsers are handed `turn:<proxy>` as their TURN server; for each client address the
proxy opens its own socket to coturn, so coturn sees one client per browser and relays
its answers back through the proxy. An `Impairment` set for a client's IP applies to
both directions of that client's traffic: each packet is dropped with a seeded
probability, otherwise held for `delay` plus a random share of `jitter` (packets
overtake each other, as on a real path) and paced to `rate` with a bounded queue.
Clients without an impairment pass straight through.

The proxy runs its own event loop in a thread: the tests drive Playwright's sync API.
"""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Impairment:
    loss: float = 0.0  # probability of dropping each packet
    delay_ms: float = 0.0  # one way
    jitter_ms: float = 0.0  # uniform extra delay in [0, jitter); reorders packets
    rate_kbit: float = 0.0  # 0: unlimited
    queue_ms: float = 200.0  # with a rate: packets that would wait longer are dropped


@dataclass
class _Pacer:
    free_at: float = 0.0  # loop time when the "wire" is free again


class _Upstream(asyncio.DatagramProtocol):
    """coturn -> proxy -> the client this socket was opened for."""

    def __init__(self, proxy: ImpairmentProxy, client: tuple[str, int]) -> None:
        self.proxy = proxy
        self.client = client
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.proxy._forward(
            data, self.client[0], "down", lambda d: self.proxy._reply(d, self.client)
        )


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, proxy: ImpairmentProxy) -> None:
        self.proxy = proxy

    def connection_made(self, transport) -> None:
        self.proxy._listener = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.proxy._from_client(data, addr)


class ImpairmentProxy:
    def __init__(self, listen: tuple[str, int], upstream: tuple[str, int], seed: int = 17) -> None:
        self.listen = listen
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.rules: dict[str, Impairment] = {}  # client IP -> impairment
        self.counts = {"passed": 0, "dropped": 0}
        self._loop = asyncio.new_event_loop()
        self._listener: asyncio.DatagramTransport | None = None
        self._uplinks: dict[tuple[str, int], _Upstream] = {}
        self._pacers: dict[tuple[str, str], _Pacer] = {}
        self._pending: dict[tuple[str, int], list[bytes]] = {}
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("impairment proxy did not start")

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(
            self._loop.create_datagram_endpoint(lambda: _Listener(self), local_addr=self.listen)
        )
        ready.set()
        self._loop.run_forever()

    def impair(self, client_ip: str, rule: Impairment | None) -> None:
        """Set (or with None clear) the impairment of one client's traffic."""
        self._loop.call_soon_threadsafe(self._set_rule, client_ip, rule)

    def _set_rule(self, client_ip: str, rule: Impairment | None) -> None:
        if rule is None:
            self.rules.pop(client_ip, None)
        else:
            self.rules[client_ip] = rule

    # --- the data path (all on the proxy's loop) ---------------------------------
    def _from_client(self, data: bytes, addr: tuple[str, int]) -> None:
        up = self._uplinks.get(addr)
        if up is None:
            up = _Upstream(self, addr)
            self._uplinks[addr] = up
            self._pending[addr] = [data]
            self._loop.create_task(self._open(addr, up))
            return
        if up.transport is None:
            self._pending[addr].append(data)
            return
        self._forward(data, addr[0], "up", up.transport.sendto)

    async def _open(self, addr: tuple[str, int], up: _Upstream) -> None:
        await self._loop.create_datagram_endpoint(lambda: up, remote_addr=self.upstream)
        for data in self._pending.pop(addr, []):
            self._forward(data, addr[0], "up", up.transport.sendto)  # type: ignore[union-attr]

    def _reply(self, data: bytes, client: tuple[str, int]) -> None:
        if self._listener is not None:
            self._listener.sendto(data, client)

    def _forward(self, data: bytes, client_ip: str, direction: str, deliver) -> None:
        rule = self.rules.get(client_ip)
        if rule is None:
            self.counts["passed"] += 1
            deliver(data)
            return
        if rule.loss and self.rng.random() < rule.loss:
            self.counts["dropped"] += 1
            return
        now = self._loop.time()
        wait = 0.0
        if rule.rate_kbit:
            pacer = self._pacers.setdefault((client_ip, direction), _Pacer())
            start = max(now, pacer.free_at)
            if start - now > rule.queue_ms / 1000:
                self.counts["dropped"] += 1  # the queue is full: tail drop
                return
            pacer.free_at = start + len(data) * 8 / (rule.rate_kbit * 1000)
            wait = pacer.free_at - now
        wait += (rule.delay_ms + self.rng.random() * rule.jitter_ms) / 1000
        self.counts["passed"] += 1
        if wait <= 0:
            deliver(data)
        else:
            self._loop.call_later(wait, deliver, data)

    def close(self) -> None:
        def stop() -> None:
            for up in self._uplinks.values():
                if up.transport is not None:
                    up.transport.close()
            if self._listener is not None:
                self._listener.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(stop)
        self._thread.join(10)
        self._loop.close()
