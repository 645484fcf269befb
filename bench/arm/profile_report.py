#!/usr/bin/env python3
"""profile_report.py — the ARM proxy's per-function breakdown: reads the
per-block profiles that bench/arm/insn_count.c writes (profile=FILE) and
prints instructions and memory accesses by function, as a markdown table.

  profile_report.py [--top N] [--blocks N] [--per K] A.prof [B.prof]

With one file: each function's whole count divided by K (default 1).
With two (a short and a long run of the same program, e.g. P 12 and P 16
tokens): (B - A) / K per function, so that loading and set-up cancel and
what is left is the cost of the extra tokens.
--blocks N also lists the N hottest blocks (function+offset), to read
with objdump.

Symbols come from each mapped file's ELF symbol tables (.symtab, and
.dynsym for stripped shared libraries), read with the host's `readelf`
(target-independent); a block is charged to the function whose symbol
starts at or below its first instruction and ends above it (else "[no
symbol]": PLT stubs, a stripped library's internal functions). Inlined functions are charged to
their caller. Blocks in anonymous memory are listed as "?".
"""
import argparse
import bisect
import collections
import subprocess
import sys


def load_segments(path):
    """(file_offset, vaddr, file_size) of each PT_LOAD segment of PATH."""
    out = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            segs.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
    return segs


def load_plt_ranges(path):
    """(vaddr, size) of PATH's .plt* sections (calls into shared libraries)."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
    ranges = []
    for line in out.splitlines():
        f = line.replace("[ ", "[").split()
        if len(f) > 5 and f[1].startswith(".plt"):
            ranges.append((int(f[3], 16), int(f[5], 16)))
    return ranges


def load_symbols(path):
    """Sorted (vaddr, name, size) of PATH's function symbols (bit 0 cleared: Thumb)."""
    syms = {}
    for table in ("-sW", "--dyn-syms", ):
        out = subprocess.run(["readelf", table, "-W", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) < 8 or f[3] not in ("FUNC", "IFUNC") or f[6] == "UND":
                continue
            addr = int(f[1], 16) & ~1
            size = int(f[2], 0) if f[2].isdigit() or f[2].startswith("0x") else 0
            syms.setdefault(addr, (f[7].split("@")[0], size))
    # Local functions of one name in several files of a program (static
    # helpers compiled once per kernel set) are told apart by address.
    names = collections.Counter(n for n, _ in syms.values())
    return sorted((a, n if names[n] == 1 else f"{n}@{a:x}", s) for a, (n, s) in syms.items())


class Resolver:
    """Maps (file, offset) to (function name, offset in the function)."""

    def __init__(self):
        self.files = {}

    def resolve(self, path, offset):
        if path == "?":
            return "?", 0
        if path not in self.files:
            try:
                self.files[path] = (load_segments(path), load_symbols(path), load_plt_ranges(path))
            except OSError:
                self.files[path] = ([], [], [])
        segs, syms, plts = self.files[path]
        vaddr = offset
        for seg_off, seg_vaddr, seg_size in segs:
            if seg_off <= offset < seg_off + seg_size:
                vaddr = offset - seg_off + seg_vaddr
                break
        short = path.rsplit("/", 1)[-1]
        if any(start <= vaddr < start + size for start, size in plts):
            return f"[plt stubs] ({short})", vaddr
        i = bisect.bisect_right(syms, (vaddr, "\uffff", 0)) - 1
        # Past the nearest symbol's end (PLT stubs, a stripped library's
        # internal functions): no name rather than a wrong one.
        if i < 0 or (syms[i][2] and vaddr >= syms[i][0] + syms[i][2]):
            return f"[no symbol] ({short})", vaddr
        return f"{syms[i][1]} ({short})", vaddr - syms[i][0]


def read_profile(path, resolver, by_block):
    """{function: [insns, mem]} (or {(function, offset): ...} if BY_BLOCK)."""
    totals = collections.defaultdict(lambda: [0, 0])
    with open(path) as f:
        for line in f:
            p, off, ins, mem = line.rstrip("\n").split("\t")
            name, in_fn = resolver.resolve(p, int(off, 16))
            key = (name, in_fn) if by_block else name
            totals[key][0] += int(ins)
            totals[key][1] += int(mem)
    return totals


def difference(files, resolver, by_block, per):
    """Per key: (insns, mem) of the last file minus the first, divided by PER."""
    counts = [read_profile(f, resolver, by_block) for f in files]
    keys = set().union(*counts)
    res = {}
    for k in keys:
        b = counts[-1].get(k, [0, 0])
        a = counts[0].get(k, [0, 0]) if len(counts) == 2 else [0, 0]
        res[k] = ((b[0] - a[0]) / per, (b[1] - a[1]) / per)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("profiles", nargs="+")
    ap.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    ap.add_argument("--blocks", type=int, default=0, help="also list the N hottest blocks")
    ap.add_argument("--per", type=float, default=1.0, help="divide every count by this (tokens)")
    args = ap.parse_args()
    if len(args.profiles) > 2:
        sys.exit("profile_report.py: one or two profile files")
    resolver = Resolver()
    fns = difference(args.profiles, resolver, False, args.per)
    total_i = sum(v[0] for v in fns.values())
    total_m = sum(v[1] for v in fns.values())
    print("| function (file) | instructions | share | memory accesses |")
    print("|---|---:|---:|---:|")
    ranked = sorted(fns.items(), key=lambda kv: -abs(kv[1][0]))
    for name, (ins, mem) in ranked[: args.top]:
        print(f"| {name} | {ins:,.0f} | {100 * ins / total_i:.1f}% | {mem:,.0f} |")
    rest = ranked[args.top:]
    if rest:
        ri, rm = sum(v[0] for _, v in rest), sum(v[1] for _, v in rest)
        print(f"| ({len(rest)} others) | {ri:,.0f} | {100 * ri / total_i:.1f}% | {rm:,.0f} |")
    print(f"| **total** | {total_i:,.0f} | 100% | {total_m:,.0f} |")
    if args.blocks:
        blocks = difference(args.profiles, resolver, True, args.per)
        print()
        print("| block (function+offset) | instructions | memory accesses |")
        print("|---|---:|---:|")
        for (name, off), (ins, mem) in sorted(blocks.items(), key=lambda kv: -abs(kv[1][0]))[: args.blocks]:
            print(f"| {name}+0x{off:x} | {ins:,.0f} | {mem:,.0f} |")


if __name__ == "__main__":
    main()
