#!/usr/bin/env python3
"""Checks that the openopt CLI was linked in its text order.

usage: check_text_order.py BINARY ORDER

The functions listed in ORDER (scripts/text-order.sh) must sit in the
binary in that order and close together: their span at most twice their
total size. Linked without the order they are spread over the whole text
(a span of many times their size) and their addresses follow the order only
by chance.
"""
import subprocess
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, order_file = sys.argv[1], sys.argv[2]
    order = open(order_file).read().split()
    symbols = {}
    nm = subprocess.run(["nm", "--defined-only", "-S", binary], capture_output=True, text=True,
                        check=True)
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            symbols.setdefault(parts[3], (int(parts[0], 16), int(parts[1], 16)))
    placed = [symbols[name] for name in order if name in symbols]
    if len(placed) < 0.9 * len(order):
        print(f"only {len(placed)} of the {len(order)} ordered functions are in {binary}")
        return 1
    # Functions of equal content may be folded into one: compare each with
    # the next distinct address only.
    addresses = [address for address, _ in placed]
    rising = sum(b > a for a, b in zip(addresses, addresses[1:]) if a != b)
    pairs = sum(a != b for a, b in zip(addresses, addresses[1:]))
    # The narrowest window holding 95 % of them (a few, such as static
    # initializers with names that repeat across files, sit elsewhere).
    distinct = sorted({a: s for a, s in placed}.items())
    k = int(0.95 * len(distinct))
    span, size = min(
        (distinct[i + k - 1][0] + distinct[i + k - 1][1] - distinct[i][0],
         sum(s for _, s in distinct[i:i + k])) for i in range(0, len(distinct) - k + 1, 64))
    print(f"{len(placed)} ordered functions, {rising}/{pairs} in rising order; 95 % of them "
          f"within {span / 2**20:.1f} MiB, {size / 2**20:.1f} MiB of code")
    ok = rising >= 0.95 * pairs and span <= 2 * size
    if not ok:
        print(f"FAIL: {binary} was not linked in the order of {order_file}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
