"""The impairment proxy on its own, on loopback (no namespaces, no root): it drops what
its seeded RNG says, delays both ways, and leaves other clients alone."""

from __future__ import annotations

import socket
import threading
import time

from tests.badnet.impair import Impairment, ImpairmentProxy
from tests.signaling.live import free_port


class _Echo:
    """A UDP echo server standing in for coturn, in its own thread."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.addr = self.sock.getsockname()
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                data, peer = self.sock.recvfrom(2048)
            except OSError:
                continue
            self.sock.sendto(data, peer)

    def close(self) -> None:
        self.running = False
        self.thread.join(5)
        self.sock.close()


def _exchange(proxy: ImpairmentProxy, count: int) -> tuple[int, float]:
    """Send `count` numbered datagrams through the proxy; (answers, slowest round trip)."""
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    client.settimeout(0.01)
    sent_at: dict[int, float] = {}
    answered: dict[int, float] = {}
    try:
        for n in range(count):
            sent_at[n] = time.monotonic()
            client.sendto(n.to_bytes(4, "big"), proxy.listen)
            time.sleep(0.001)  # a paced stream, as media is (not one burst into full buffers)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and len(answered) < count:
            try:
                data = client.recv(2048)
            except OSError:
                continue
            n = int.from_bytes(data, "big")
            answered[n] = time.monotonic() - sent_at[n]
    finally:
        client.close()
    return len(answered), max(answered.values(), default=0.0)


def test_proxy_drops_and_delays_only_the_impaired_client():
    echo = _Echo()
    proxy = ImpairmentProxy(("127.0.0.1", free_port()), echo.addr, seed=17)
    try:
        answers, slowest = _exchange(proxy, 200)
        assert answers == 200 and slowest < 0.5  # no rule: everything passes
        proxy.impair("127.0.0.1", Impairment(loss=0.2, delay_ms=60, jitter_ms=20))
        answers, slowest = _exchange(proxy, 400)
        # 20 % each way: about 64 % of round trips survive.
        assert 0.5 * 400 < answers < 0.78 * 400, answers
        assert slowest >= 0.12  # 60 ms each way at least
        proxy.impair("127.0.0.1", None)
        answers, _ = _exchange(proxy, 100)
        assert answers == 100
    finally:
        proxy.close()
        echo.close()
