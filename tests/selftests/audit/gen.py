#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random but valid nft rulesets for 36-audit-oracle.sh.

    gen.py --seed N    print ruleset number N (the same N, the same text)

Tables of families inet/ip/ip6, 1-3 base chains at the forward hook with
random priorities and policies, user chains reached by jump/goto (a DAG:
nft refuses loops) with return, rules combining ct state (plain, set,
vmap), ct status expected, meta l4proto / th / udp / tcp dport (values,
ranges, anonymous and named sets, negation), ip/ip6 daddr (the edge,
another host, sets, concatenations with the port), saddr (the
attacker's or another network), iifname/oifname (a0: the attacker's
side, e0: the edge's, p0, another) and the verdicts accept, drop,
reject, jump, goto, return, vmap. Addresses are the placeholders the
test substitutes (@EDGE4@ ...).
"""
import argparse
import random

PORTS = [5060, 22, 3478, 50000, 50001, 50002, 50003, 59999, 49999, 60000]
RANGES = ["50000-59999", "50000-50100", "1-49999", "55000-65535",
          "40000-49999", "60000-65535", "1024-65535", "50001-50003"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed

    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    # -- ports --------------------------------------------------------
    def port_value(self):
        k = self.r.random()
        if k < 0.35:
            return str(self.pick(PORTS))
        if k < 0.55:
            return str(self.r.randint(50000, 59999))
        if k < 0.85:
            return self.pick(RANGES)
        lo = self.r.randint(49000, 59999)
        return "%d-%d" % (lo, min(65535, lo + self.r.randint(0, 4000)))

    def port_set(self):
        return "{ " + ", ".join(self.disjoint(self.r.randint(1, 4))) + " }"

    def port_expr(self, t):
        """A dport match for table t (named sets allowed)."""
        k = self.r.random()
        neg = "!= " if self.chance(0.15) else ""
        if k < 0.5:
            return neg + self.port_value()
        if k < 0.8 or not t["portsets"]:
            return neg + self.port_set()
        return neg + "@" + self.pick(t["portsets"])

    # -- addresses ----------------------------------------------------
    def daddr(self, l3, t):
        if l3 == "ip":
            vals = ["@EDGE4@", "@PEER4@", "203.0.113.0/24", "10.1.2.3",
                    "{ @EDGE4@, @PEER4@ }"]
            sets = t["addr4"]
        else:
            vals = ["@EDGE6@", "@PEER6@", "2001:db8:2::/64", "2001:db8:99::1",
                    "{ @EDGE6@, @PEER6@ }"]
            sets = t["addr6"]
        neg = "!= " if self.chance(0.15) else ""
        if sets and self.chance(0.25):
            return "%s daddr %s@%s" % (l3, neg, self.pick(sets))
        return "%s daddr %s%s" % (l3, neg, self.pick(vals))

    def saddr(self, l3):
        if l3 == "ip":
            vals = ["@ATK4@", "10.0.0.0/8", "192.0.2.0/24", "@PEER4@"]
        else:
            vals = ["@ATK6@", "fd00::/8", "2001:db8:3::/64", "@PEER6@"]
        neg = "!= " if self.chance(0.3) else ""
        return "%s saddr %s%s" % (l3, neg, self.pick(vals))

    # -- rules --------------------------------------------------------
    def verdict(self, t, chain_idx, base):
        """A verdict for a rule of user chain chain_idx (None: base)."""
        targets = [u for i, u in enumerate(t["users"])
                   if base or i > chain_idx]
        opts = ["accept"] * 4 + ["drop"] * 2 + ["reject", "return", ""]
        if targets:
            opts += ["jump"] * 2 + ["goto"]
        v = self.pick(opts)
        if v in ("jump", "goto"):
            return "%s %s" % (v, self.pick(targets))
        return v

    def vmap_verdict(self, t, chain_idx, base):
        v = self.verdict(t, chain_idx, base)
        return v if v not in ("", "reject") else "accept"

    def rule(self, t, chain_idx, base):
        fam = t["family"]
        l3 = {"ip": "ip", "ip6": "ip6"}.get(fam) or self.pick(
            ["ip", "ip6", None, None])
        l4 = self.pick(["udp", "tcp", "th", "th", None])
        conds = []
        if self.chance(0.3):
            conds.append(self.pick([
                "ct state established,related",
                "ct state new",
                "ct state { new, untracked }",
                "ct state != established",
                "ct status expected",
                "ct state invalid"]))
        if self.chance(0.3):
            conds.append("%s %s" % (self.pick(["iifname", "oifname"]),
                                    self.pick(['"a0"', '"e0"', '"p0"',
                                               '"eth9"', '{ "a0", "p0" }'])))
        if l3 and self.chance(0.25):
            conds.append(self.saddr(l3))
        concat = False
        if l3 and self.chance(0.5):
            if l4 and self.chance(0.3):
                concat = True
                dp = "th" if l4 == "th" else l4
                edge = "@EDGE4@" if l3 == "ip" else "@EDGE6@"
                if l4 == "th":
                    conds.append("meta l4proto %s" % self.pick(
                        ["udp", "tcp", "{ tcp, udp }"]))
                name = None
                key = "cat4" if l3 == "ip" else "cat6"
                if t[key] and self.chance(0.4):
                    name = self.pick(t[key])
                conds.append("%s daddr . %s dport %s" % (
                    l3, dp, "@" + name if name else
                    "{ %s . %s }" % (edge, self.port_value())))
            else:
                conds.append(self.daddr(l3, t))
        vmap = None
        if l4 and not concat:
            if l4 == "th":
                k = self.r.random()
                if k < 0.4:
                    conds.append("meta l4proto %s" % self.pick(
                        ["udp", "tcp", "{ tcp, udp }", "{ udp }"]))
                elif k < 0.55 and t["catp"]:
                    conds.append("meta l4proto . th dport @%s" %
                                 self.pick(t["catp"]))
                    l4 = None
                elif k < 0.7:
                    conds.append("meta l4proto . th dport { udp . %s, tcp . %s }"
                                 % (self.port_value(), self.pick(PORTS)))
                    l4 = None
            if l4:
                if self.chance(0.2):
                    if t["vmaps"] and self.chance(0.5):
                        vmap = "%s dport vmap @%s" % (l4, self.pick(t["vmaps"]))
                    else:
                        elems = self.vmap_elems(
                            lambda: self.vmap_verdict(t, chain_idx, base))
                        vmap = "%s dport vmap { %s }" % (l4, ", ".join(elems))
                else:
                    conds.append("%s dport %s" % (l4, self.port_expr(t)))
        elif not l4 and self.chance(0.15):
            conds.append("meta l4proto %s" % self.pick(["udp", "tcp", "icmp"])
                         if l3 != "ip6" else "meta l4proto udp")
        if vmap is None and self.chance(0.1):
            vmap = "ct state vmap { established : accept, related : accept, " \
                   "invalid : drop%s }" % (
                       ", new : " + self.vmap_verdict(t, chain_idx, base)
                       if self.chance(0.5) else "")
        if vmap:
            conds.append(vmap)
            verdict = ""
        else:
            verdict = self.verdict(t, chain_idx, base)
        if not conds and verdict == "":
            verdict = "counter"
        if self.chance(0.1) and verdict not in ("", "counter"):
            verdict = "counter " + verdict
        return " ".join(conds + ([verdict] if verdict else []))

    def disjoint(self, n, verdict=None):
        """Up to n port values (ports or ranges) that do not overlap
        (interval sets refuse overlaps), as "port : verdict()" elements
        if verdict is given."""
        elems, used = [], []
        for _ in range(n):
            v = self.port_value()
            lo, _, hi = v.partition("-")
            lo, hi = int(lo), int(hi or lo)
            if any(not (hi < a or lo > b) for a, b in used):
                continue
            used.append((lo, hi))
            elems.append("%s : %s" % (v, verdict()) if verdict else v)
        return elems

    def vmap_elems(self, verdict):
        """1-3 "port : verdict" elements of one verdict map."""
        return self.disjoint(self.r.randint(1, 3), verdict)

    # -- tables -------------------------------------------------------
    def named_sets(self, t, out):
        fam = t["family"]
        for i in range(self.r.randint(0, 2)):
            name = "ports%d" % i
            out.append("\tset %s {\n\t\ttype inet_service\n\t\tflags interval\n"
                       "\t\telements = %s\n\t}" % (name, self.port_set()))
            t["portsets"].append(name)
        if fam in ("inet", "ip") and self.chance(0.3):
            out.append("\tset addrs4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
                       "\t\telements = { @EDGE4@, 10.0.0.0/8 }\n\t}")
            t["addr4"].append("addrs4")
        if fam in ("inet", "ip6") and self.chance(0.3):
            out.append("\tset addrs6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n"
                       "\t\telements = { @EDGE6@, fd00::/8 }\n\t}")
            t["addr6"].append("addrs6")
        if fam in ("inet", "ip") and self.chance(0.25):
            out.append("\tset cat4 {\n\t\ttype ipv4_addr . inet_service\n"
                       "\t\tflags interval\n\t\telements = { @EDGE4@ . %s }\n\t}"
                       % self.port_value())
            t["cat4"].append("cat4")
        if fam in ("inet", "ip6") and self.chance(0.25):
            out.append("\tset cat6 {\n\t\ttype ipv6_addr . inet_service\n"
                       "\t\tflags interval\n\t\telements = { @EDGE6@ . %s }\n\t}"
                       % self.port_value())
            t["cat6"].append("cat6")
        if self.chance(0.25):
            out.append("\tset catp {\n\t\ttype inet_proto . inet_service\n"
                       "\t\tflags interval\n\t\telements = { udp . %s, tcp . %s }\n\t}"
                       % (self.port_value(), self.pick(PORTS)))
            t["catp"].append("catp")

    def vmaps(self, t, out):
        if not self.chance(0.3):
            return
        # no jumps: any chain may use the map, a jump back would loop
        elems = self.vmap_elems(
            lambda: self.pick(["accept", "accept", "drop"]))
        out.append("\tmap pv {\n\t\ttype inet_service : verdict\n"
                   "\t\tflags interval\n\t\telements = { %s }\n\t}"
                   % ", ".join(elems))
        t["vmaps"].append("pv")

    def table(self, idx):
        t = {"family": self.pick(["inet", "inet", "ip", "ip6"]),
             "portsets": [], "addr4": [], "addr6": [], "cat4": [],
             "cat6": [], "catp": [], "vmaps": [],
             "users": ["u%d" % i for i in range(self.r.randint(0, 3))]}
        out = ["table %s g%d {" % (t["family"], idx)]
        self.named_sets(t, out)
        self.vmaps(t, out)
        # user chains first: rules of a chain jump only to later ones
        for i, u in enumerate(t["users"]):
            rules = [self.rule(t, i, False)
                     for _ in range(self.r.randint(1, 4))]
            out.append("\tchain %s {\n%s\t}" % (
                u, "".join("\t\t%s\n" % r for r in rules)))
        for b in range(self.r.randint(1, 3)):
            prio = self.pick([0, 0, -10, 10, -5, 5, -150, 100])
            prio = "filter" if prio == 0 else "filter %s %d" % (
                "+" if prio > 0 else "-", abs(prio))
            policy = self.pick(["accept", "drop", "drop"])
            rules = [self.rule(t, -1, True)
                     for _ in range(self.r.randint(0, 5))]
            out.append("\tchain fwd%d {\n\t\ttype filter hook forward "
                       "priority %s; policy %s;\n%s\t}" % (
                           b, prio, policy,
                           "".join("\t\t%s\n" % r for r in rules)))
        out.append("}")
        return "\n".join(out)

    def ruleset(self):
        n = self.pick([1, 1, 2, 2, 3])
        return ("# gen.py --seed %d\n" % self.seed +
                "\n".join(self.table(i) for i in range(n)) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    a = ap.parse_args()
    print(Gen(a.seed).ruleset(), end="")


if __name__ == "__main__":
    main()
