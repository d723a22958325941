"""`trawl interfaces` against `ip -j link` and `ip -j addr` inside a
namespace the test builds (so the set of interfaces is known), and its
reasons for not being able to capture."""
import json
import os

import pytest

from netns import Net

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="namespaces need root")


@pytest.fixture
def net():
    n = Net(pairs=2)
    try:
        n.up()
        # One interface down, one with an IPv6-less second address.
        n.run(n.a, "ip", "link", "set", n.a_if[1], "down")
        n.run(n.a, "ip", "addr", "add", "10.78.0.1/16", "dev", n.a_if[0])
        n.run(n.a, "ip", "link", "set", n.a_if[0], "mtu", "1400")
        yield n
    finally:
        n.down()


def ip_json(net, *args):
    return json.loads(net.run(net.a, "ip", "-j", *args).stdout)


def trawl_json(net, trawl_bin, *prefix):
    r = net.run(net.a, *prefix, trawl_bin, "interfaces", "--json")
    return {i["name"]: i for i in json.loads(r.stdout)}


def test_matches_ip_link_and_addr(net, trawl_bin):
    got = trawl_json(net, trawl_bin)
    links = ip_json(net, "link")
    addrs = {a["ifname"]: a["addr_info"] for a in ip_json(net, "addr")}
    assert set(got) == {link["ifname"] for link in links} | {"any"}
    for link in links:
        t = got[link["ifname"]]
        assert t["index"] == link["ifindex"]
        assert t["mtu"] == link["mtu"]
        assert t["mac"] == link.get("address")
        flags = set(t["flags"])
        assert ("up" in flags) == ("UP" in link["flags"])
        assert ("loopback" in flags) == ("LOOPBACK" in link["flags"])
        # RUNNING is what the kernel reports for operational state up (or
        # unknown, as loopback's).
        assert ("running" in flags) == (link["operstate"] in ("UP", "UNKNOWN"))
        want = sorted((a["local"], a["prefixlen"]) for a in addrs[link["ifname"]]
                      if a["family"] in ("inet", "inet6"))
        assert sorted((a["address"], a["prefix"]) for a in t["addresses"]) == want
    lo = got["lo"]
    assert lo["iftype"] == 24 and lo["iftype_name"] == "softwareLoopback"
    veth = got[net.a_if[0]]
    assert veth["iftype"] == 6 and veth["linktype"] == 1
    assert veth["description"] == "veth"
    assert veth["speed_mbps"] == 10000
    assert veth["can_capture"] and veth["why_not"] is None
    down = got[net.a_if[1]]
    assert not down["can_capture"] and down["why_not"] == "interface is down"
    assert got["any"]["linktype"] == 113 and got["any"]["index"] == 0
    # The pseudo-device comes last, the others in index order.
    order = list(got)
    assert order[-1] == "any"
    assert [got[n]["index"] for n in order[:-1]] == sorted(
        got[n]["index"] for n in order[:-1])


def test_without_privileges(net, trawl_bin):
    got = trawl_json(net, trawl_bin, "setpriv", "--reuid=65534", "--regid=65534",
                     "--clear-groups", "--inh-caps=-all", "--bounding-set=-all")
    for i in got.values():
        assert not i["can_capture"]
        assert i["why_not"] == "needs CAP_NET_RAW (run as root)"


def test_text_listing(net, trawl_bin):
    r = net.run(net.a, trawl_bin, "interfaces")
    text = r.stdout
    assert f"{net.a_if[0]} (veth)" in text
    assert "inet 10.78.0.1/16" in text and "mtu 1400" in text
    assert "cannot capture: interface is down" in text
    assert "any (Pseudo-device that captures on all interfaces)" in text
    bad = net.run(net.a, trawl_bin, "interfaces", "extra", check=False)
    assert bad.returncode == 2


def test_follows_changes_ip_makes(net, trawl_bin):
    """What `ip link set` changes, trawl interfaces reports as ip -j link
    does: a MAC address, an MTU, promiscuous mode set by hand, and a link
    taken down; for every interface, not only the changed ones."""
    net.run(net.a, "ip", "link", "set", net.a_if[0], "promisc", "on")
    net.run(net.a, "ip", "link", "set", net.a_if[1], "address",
            "02:11:22:33:44:55", "mtu", "9000")
    net.run(net.a, "ip", "link", "set", "lo", "down")
    got = trawl_json(net, trawl_bin)
    links = ip_json(net, "link")
    for link in links:
        t = got[link["ifname"]]
        assert t["mtu"] == link["mtu"], link["ifname"]
        assert t["mac"] == link.get("address"), link["ifname"]
        flags = set(t["flags"])
        for ours, theirs in (("up", "UP"), ("loopback", "LOOPBACK"),
                             ("promisc", "PROMISC")):
            assert (ours in flags) == (theirs in link["flags"]), (
                link["ifname"], ours, link["flags"])
    assert "promisc" in got[net.a_if[0]]["flags"]
    assert got[net.a_if[1]]["mac"] == "02:11:22:33:44:55"
    assert got[net.a_if[1]]["mtu"] == 9000
    assert "up" not in got["lo"]["flags"]
    assert got["lo"]["why_not"] == "interface is down"
    r = net.run(net.a, trawl_bin, "interfaces")
    assert "02:11:22:33:44:55" in r.stdout and "mtu 9000" in r.stdout
