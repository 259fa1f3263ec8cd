"""The drill's hosts: Linux network namespaces on one switch, in 10.77.0.0/24.

Every host is a namespace ``blh-NAME`` with its loopback up and one interface, ``eth0``,
holding its own address; the other end of its veth pair is a port of a bridge that
lives in a namespace of its own (``blh-switch``), so that the machine's own namespace
gains no bridge and forwards nothing. The drill itself (its clients and its set-up)
reaches the hosts through one more veth pair, ``blh-root``, with the switch's first
address and a few more to sign people in from. Nothing is routed anywhere else: the
hosts have no default route, and IPv6 is off on every interface the drill makes.

Everything the drill makes is named with the prefix ``blh-``, so that ``cleanup()``
finds and removes it even after the drill itself was killed: the processes in each
namespace, the namespaces (which takes their interfaces with them), ``blh-root``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

PREFIX = "blh-"
SWITCH = f"{PREFIX}switch"
ROOT_LINK = f"{PREFIX}root"
SUBNET = ipaddress.ip_network("10.77.0.0/24")
DRILL_ADDRESS = "10.77.0.1"  # the machine's own namespace, on the switch
# Where browsers sign in from: allauth allows 30 sign-ins a minute from one address.
SIGN_IN_ADDRESSES = [f"10.77.0.{100 + n}" for n in range(30)]


@dataclass(frozen=True)
class Host:
    name: str  # web1, engine2, ...
    address: str

    @property
    def namespace(self) -> str:
        return f"{PREFIX}{self.name}"

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside this host."""
        return ["ip", "netns", "exec", self.namespace, *argv]


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, stdout=subprocess.DEVNULL)


def _disable_ipv6(namespace: str | None, interface: str = "all") -> None:
    """IPv6 off, so that no interface of the drill so much as solicits a router."""
    names = ["all", "default"] if interface == "all" else [interface]
    for name in names:
        setting = f"net.ipv6.conf.{name}.disable_ipv6=1"
        command = ["sysctl", "-q", "-w", setting]
        if namespace:
            command = ["ip", "netns", "exec", namespace, *command]
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def in_use() -> str | None:
    """What of the machine already holds the drill's subnet or names, if anything."""
    routes = subprocess.run(
        ["ip", "-o", "-4", "route", "show", "table", "all"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for line in routes.splitlines():
        words = line.split()
        destination = words[1] if words[0] in {"local", "broadcast", "unicast"} else words[0]
        with contextlib.suppress(ValueError):  # "default" is no network
            if ipaddress.ip_network(destination, strict=False).overlaps(SUBNET):
                return f"a route to {destination} ({line.strip()})"
    if namespaces() or links():
        return f"leftovers named {PREFIX}* (run with --cleanup)"
    return None


def create(hosts: Sequence[Host]) -> None:
    """The switch, each host on it, and the drill's own port."""
    ip("netns", "add", SWITCH)
    _disable_ipv6(SWITCH)
    ip("-n", SWITCH, "link", "set", "lo", "up")
    ip("-n", SWITCH, "link", "add", "br0", "type", "bridge")
    ip("-n", SWITCH, "link", "set", "br0", "up")
    for host in hosts:
        ip("netns", "add", host.namespace)
        _disable_ipv6(host.namespace)
        ip("-n", host.namespace, "link", "set", "lo", "up")
        # both ends are made where they belong: none ever shows in the machine's namespace
        ip(
            "link", "add", "eth0", "netns", host.namespace, "type", "veth",
            "peer", "name", host.name, "netns", SWITCH,
        )  # fmt: skip
        ip("-n", host.namespace, "addr", "add", f"{host.address}/{SUBNET.prefixlen}", "dev", "eth0")
        ip("-n", host.namespace, "link", "set", "eth0", "up")
        _plug(host.name)
    ip("link", "add", ROOT_LINK, "type", "veth", "peer", "name", "root", "netns", SWITCH)
    _disable_ipv6(None, ROOT_LINK)
    for address in [DRILL_ADDRESS, *SIGN_IN_ADDRESSES]:
        ip("addr", "add", f"{address}/{SUBNET.prefixlen}", "dev", ROOT_LINK)
    ip("link", "set", ROOT_LINK, "up")
    _plug("root")


def _plug(port: str) -> None:
    ip("-n", SWITCH, "link", "set", port, "master", "br0")
    ip("-n", SWITCH, "link", "set", port, "up")


def set_link(host: Host, up: bool) -> None:
    """The host's own interface down (its cable pulled) or up again."""
    ip("-n", host.namespace, "link", "set", "eth0", "up" if up else "down")


def pids(namespace: str) -> list[int]:
    listed = subprocess.run(
        ["ip", "netns", "pids", namespace], capture_output=True, text=True, check=False
    ).stdout
    return [int(pid) for pid in listed.split()]


def kill_all(namespace: str, sig: int = signal.SIGKILL, wait: float = 10.0) -> int:
    """Sends ``sig`` to every process in the namespace; returns how many there were.
    With SIGKILL, waits (up to ``wait`` seconds) until they are gone."""
    found = pids(namespace)
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while sig == signal.SIGKILL and pids(namespace) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(found)


def namespaces() -> list[str]:
    listed = subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, check=False
    ).stdout
    return [line.split()[0] for line in listed.splitlines() if line.startswith(PREFIX)]


def links() -> list[str]:
    """The drill's interfaces left in the machine's own namespace."""
    listed = subprocess.run(
        ["ip", "-o", "link", "show"], capture_output=True, text=True, check=False
    ).stdout
    names = [line.split(":")[1].strip().split("@")[0] for line in listed.splitlines()]
    return [name for name in names if name.startswith(PREFIX)]


def cleanup() -> list[str]:
    """Removes every process, namespace and interface named with the prefix; returns
    what it removed."""
    removed = []
    for namespace in namespaces():
        count = kill_all(namespace)
        ip("netns", "delete", namespace)
        removed.append(f"namespace {namespace} ({count} processes)")
    for link in links():
        ip("link", "delete", link)
        removed.append(f"interface {link}")
    return removed
