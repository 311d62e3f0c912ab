"""Network namespaces for the bad-network tests: one per browser, each joined by a veth
pair to a bridge in the root namespace where Daphne and coturn listen.

What these machines' kernels offer decides the tools: `tc` has `tbf` (bandwidth) but no
`netem` and there is no iptables, so links are cut with `ip link set down`, bandwidth is
shaped with `tbf`, and loss, delay and jitter happen in user space (impair.py).

Names are unique per run (a short random id), and `Lab.close()` removes everything it
made even when a test failed half-way: deleting a namespace deletes the veth ends in it
(and so both ends of each pair), then the bridge goes.
"""

from __future__ import annotations

import secrets
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def ip(*args: str) -> str:
    """Run `ip ...`; a failure raises with iproute2's own message (never a skip)."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def tc(*args: str, netns: str | None = None) -> None:
    cmd = ["ip", "netns", "exec", netns, "tc", *args] if netns else ["tc", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()}")


def _free_subnet() -> int:
    """A /24 inside 10.77.0.0/16 that no interface on this machine uses yet."""
    used = ip("-4", "-o", "addr", "show")
    for _ in range(50):
        third = secrets.randbelow(250) + 2
        if f" 10.77.{third}." not in used:
            return third
    raise RuntimeError("no free /24 left in 10.77.0.0/16")


@dataclass
class Host:
    """One person's machine: a namespace, its veth pair, its address."""

    lab: Lab
    name: str  # short role name, e.g. "sam"
    netns: str
    outer: str  # veth end on the bridge (root namespace)
    inner: str  # veth end inside the namespace
    address: str
    wrapper: Path = field(init=False)

    def link(self, up: bool) -> None:
        """Plug or unplug the cable: the bridge side of the pair goes down or up."""
        ip("link", "set", self.outer, "up" if up else "down")

    def readdress(self, address: str) -> None:
        """The machine moves to another address (a new Wi-Fi, a DHCP renewal)."""
        # Old one out first: deleting a primary address takes its secondaries with it.
        ip("-n", self.netns, "addr", "del", f"{self.address}/24", "dev", self.inner)
        ip("-n", self.netns, "addr", "add", f"{address}/24", "dev", self.inner)
        self.address = address

    def shape(self, rate_kbit: int | None) -> None:
        """Cap both directions to `rate_kbit` with tbf (None removes the cap).

        Egress of the outer end is what this host downloads, egress of the inner end
        what it uploads; a 50 ms queue is what a home router's buffer would hold.
        """
        for dev, ns in ((self.outer, None), (self.inner, self.netns)):
            if rate_kbit is None:
                tc("qdisc", "replace", "dev", dev, "root", "pfifo", netns=ns)
            else:
                tc(
                    "qdisc",
                    "replace",
                    "dev",
                    dev,
                    "root",
                    "tbf",
                    "rate",
                    f"{rate_kbit}kbit",
                    "burst",
                    "6kb",
                    "latency",
                    "50ms",
                    netns=ns,
                )


class Lab:
    """A bridge with an address in 10.77.0.0/16 and hosts hanging off it."""

    def __init__(self, workdir: Path) -> None:
        self.id = secrets.token_hex(2)
        self.workdir = workdir
        self.bridge = f"bnbr{self.id}"
        self.third = _free_subnet()
        self.address = f"10.77.{self.third}.1"
        self.hosts: list[Host] = []
        self._made_bridge = False
        ip("link", "add", self.bridge, "type", "bridge")
        self._made_bridge = True
        ip("addr", "add", f"{self.address}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")

    def spare_address(self, index: int) -> str:
        return f"10.77.{self.third}.{index}"

    def add_host(self, name: str) -> Host:
        n = len(self.hosts)
        host = Host(
            lab=self,
            name=name,
            netns=f"duet-bn{self.id}-{name}",
            outer=f"bn{self.id}h{n}",
            inner=f"bn{self.id}n{n}",
            address=self.spare_address(10 + n),
        )
        ip("netns", "add", host.netns)
        self.hosts.append(host)
        ip("link", "add", host.outer, "type", "veth", "peer", "name", host.inner)
        ip("link", "set", host.inner, "netns", host.netns)
        ip("link", "set", host.outer, "master", self.bridge)
        ip("link", "set", host.outer, "up")
        ip("-n", host.netns, "addr", "add", f"{host.address}/24", "dev", host.inner)
        ip("-n", host.netns, "link", "set", host.inner, "up")
        ip("-n", host.netns, "link", "set", "lo", "up")
        host.wrapper = self._wrapper(host)
        return host

    def _wrapper(self, host: Host) -> Path:
        """Playwright's `executable_path`: Debian's Chromium inside the namespace."""
        path = self.workdir / f"chromium-{host.netns}"
        path.write_text(f'#!/bin/sh\nexec ip netns exec {host.netns} {CHROMIUM} "$@"\n')
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def close(self) -> None:
        errors = []
        for host in self.hosts:
            for args in (("netns", "del", host.netns), ("link", "del", host.outer)):
                try:
                    ip(*args)
                except RuntimeError as exc:
                    if "Cannot find" not in str(exc) and "No such" not in str(exc):
                        errors.append(str(exc))
        if self._made_bridge:
            try:
                ip("link", "del", self.bridge)
            except RuntimeError as exc:
                errors.append(str(exc))
        if errors:
            raise RuntimeError("; ".join(errors))
