#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tool's one print layer against attacker-controlled bytes (a Call-ID
# is whatever the wire carried): for every single byte, UTF-8 edge cases
# and 3000 pseudo-random strings (build/ctl/print_test), each JSON line
# parses as strict UTF-8 JSON and gives back the input (valid UTF-8 kept,
# any other byte as U+00XX), and each text line is printable ASCII with
# no spaces that unescapes (\xNN) to the input.
. ./lib.sh
need python3
bin=../../build/ctl/print_test
[ -x "$bin" ] || fail "$bin not built (make ctl)"

"$bin" | python3 -c '
import json
import re
import sys


def expected(b):
    # Valid UTF-8 sequences stay, any other byte is U+00XX.
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                c = b[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(c) == 1:
                out.append(c)
                i += n
                break
        else:
            out.append(chr(b[i]))
            i += 1
    return "".join(out)


n_json = n_text = bad = 0
for raw in sys.stdin.buffer:
    line = raw.rstrip(b"\n")
    if line.startswith(b"{"):
        n_json += 1
        o = json.loads(line.decode("utf-8"))
        b = bytes.fromhex(o["hex"])
        if o["s"] != expected(b):
            print("# FAIL json", o["hex"], repr(o["s"]))
            bad += 1
        continue
    n_text += 1
    if not re.fullmatch(rb"[!-~]+ [!-~]*", line):
        print("# FAIL text not printable:", line)
        bad += 1
        continue
    h, s = line.split(b" ", 1)
    b = b"" if h == b"-" else bytes.fromhex(h.decode())
    got = re.sub(rb"\\x([0-9a-f]{2})",
                 lambda m: bytes([int(m.group(1), 16)]), s)
    if got != b or re.search(rb"\\(?!x[0-9a-f]{2})", s):
        print("# FAIL text", h, s)
        bad += 1
print("# %d JSON and %d text lines checked, %d bad" % (n_json, n_text, bad))
sys.exit(1 if bad or n_json < 3000 or n_json != n_text else 0)
' || fail "print layer output is not valid or does not round-trip"
exit 0
