#!/usr/bin/python3
"""Where a running process spends its time inside lavapipe's JIT code.

lavapipe (llvmpipe) compiles each compute pipeline to x86 at run time, so
perf sees its samples in anonymous memory without symbols. This script
runs a command, samples it with perf once it is warm, copies the hot JIT
code out of the live process with gdb, disassembles it with objdump and
reports, for the hottest code:

- the share of samples per JIT function (functions end at a `ret`: a
  shader's main function, and helpers such as one per texel buffer that
  the shader fetches from);
- per loop (a backward jump) of the hottest function: its samples, its
  instructions, their mix (vector multiplies and adds, moves, loads and
  stores on the stack, which are spills, gathers) and the arithmetic's
  share, which bounds what the loop can reach;
- with --listing FILE, the disassembly with each instruction's samples.

Run it on a benchmark that repeats one kernel. perf samples the process
the command starts, so give the test binary itself, not `go test`, which
runs it as a child:

    go test -c -o /tmp/kern.test ./nn/internal/kern
    bench/jitprof.py -- /tmp/kern.test -test.run XXX \\
        -test.bench 'Conv2d/3x3_64to64_32x32_b64/forward' -test.benchtime 400x

It needs perf (Debian: linux-perf), gdb and objdump (binutils), and a
perf_event_paranoid of 2 or less (profiling one's own processes). It is a
tool for kernel work; nothing in the build or the tests runs it.
"""

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# One objdump line: address, bytes, mnemonic, operands.
INSN = re.compile(r"\s+([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*\t(\S+)\s*(.*)")
TARGET = re.compile(r"0x([0-9a-f]+)")


def fail(msg):
    sys.exit("jitprof: " + msg)


def jit_samples(data):
    """Sample addresses (with counts) that fall in JIT code, and the total."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,dso", "-G"],
                         capture_output=True, text=True, check=True).stdout
    jit, total = collections.Counter(), 0
    for line in out.splitlines():
        parts = line.split()
        if not parts:
            continue
        total += 1
        # perf names anonymous executable memory after the process's
        # perf map file (or "[JIT]"), which does not exist here.
        if "perf-" in line or "[JIT]" in line or "//anon" in line:
            jit[int(parts[0], 16)] += 1
    return jit, total


def hottest_region(jit, gap=1 << 16):
    """The contiguous run of sampled addresses with the most samples,
    splitting where two sampled addresses lie more than gap apart."""
    regions, cur = [], None
    for a in sorted(jit):
        if cur and a - cur[1] <= gap:
            cur[1] = a
            cur[2] += jit[a]
        else:
            cur = [a, a, jit[a]]
            regions.append(cur)
    lo, hi, _ = max(regions, key=lambda r: r[2])
    return lo // 4096 * 4096, (hi // 4096 + 1) * 4096


def disassemble(pid, lo, hi, workdir):
    dump = os.path.join(workdir, "jit.bin")
    subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "dump memory %s %d %d" % (dump, lo, hi)],
                   capture_output=True, check=False)
    if not os.path.exists(dump):
        fail("gdb could not copy the JIT code out of process %d (ptrace refused?)" % pid)
    out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "--adjust-vma=%d" % lo, dump],
                         capture_output=True, text=True, check=True).stdout
    insns = []
    for line in out.splitlines():
        m = INSN.match(line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2), m.group(3)))
    return insns


def kind(op, args):
    """A coarse class of an instruction, for the mix."""
    if op in ("vmulps", "vaddps", "vsubps", "vfmadd231ps", "vfmadd213ps", "vfmadd132ps"):
        return "arith"
    if "(%rsp" in args:
        return "stack store" if args.rstrip().endswith("(%rsp)") else "stack load"
    if op in ("vpinsrd", "vpextrd", "vmovd", "vinserti128", "vextracti128"):
        return "gather/scatter"
    if op.startswith("vperm") or op.startswith("vbroadcast") or op.startswith("vpbroadcast") or op in ("vmovshdup", "vshufps", "vunpcklps", "vunpckhps"):
        return "shuffle"
    if op.startswith("j") or op in ("cmp", "test", "testb", "cmpl"):
        return "branch"
    if op.startswith("vmov") or op == "mov":
        return "move"
    return "other"


def report(insns, jit, total, top):
    samples = lambda lo, hi: sum(c for a, c in jit.items() if lo <= a < hi)
    region = samples(insns[0][0], insns[-1][0] + 16)
    print("samples: %d in all, %d (%.1f%%) in JIT code, %d (%.1f%%) in the region disassembled"
          % (total, sum(jit.values()), 100 * sum(jit.values()) / total, region, 100 * region / total))
    # Functions end at a ret.
    starts = [insns[0][0]] + [a + 1 for a, op, _ in insns if op == "ret"]
    funcs = []
    for lo, hi in zip(starts, starts[1:] + [insns[-1][0] + 16]):
        body = [x for x in insns if lo <= x[0] < hi]
        if body:
            funcs.append((samples(lo, hi), lo, hi, body))
    funcs.sort(reverse=True)
    print("\nfunctions by samples:")
    for s, lo, hi, body in funcs[:top]:
        if s:
            print("  %x-%x  %5d instructions  %5.1f%% of samples" % (lo, hi, len(body), 100 * s / region))
    s, lo, hi, body = funcs[0]
    print("\nloops of the hottest function (%x-%x):" % (lo, hi))
    loops = []
    for a, op, args in body:
        m = TARGET.search(args) if op.startswith("j") else None
        if m and lo <= int(m.group(1), 16) < a:
            loops.append((int(m.group(1), 16), a))
    inloop = sum(c for a, c in jit.items() if any(l0 <= a <= l1 for l0, l1 in loops))
    print("  (%.1f%% of samples in this function are in no loop)" % (100 * (s - inloop) / region))
    loops.sort(key=lambda l: -samples(l[0], l[1] + 1))
    for start, end in loops[:top]:
        ls = samples(start, end + 1)
        if not ls:
            continue
        li = [x for x in body if start <= x[0] <= end]
        mix = collections.Counter(kind(op, args) for _, op, args in li)
        print("  %x-%x  %5d instructions  %5.1f%% of samples  arithmetic %.0f%%: %s"
              % (start, end, len(li), 100 * ls / region, 100 * mix["arith"] / len(li),
                 ", ".join("%s %d" % kv for kv in mix.most_common())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warmup", type=float, default=6, help="seconds before sampling (pipelines compile first)")
    ap.add_argument("--seconds", type=float, default=5, help="seconds to sample")
    ap.add_argument("--top", type=int, default=8, help="functions and loops to list")
    ap.add_argument("--listing", help="write the disassembly with samples per instruction here")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to profile")
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        fail("give the command to profile after --")
    for tool in ("perf", "gdb", "objdump"):
        if not shutil.which(tool):
            fail("%s is missing (Debian: apt-get install linux-perf gdb binutils)" % tool)
    with tempfile.TemporaryDirectory() as work:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(args.warmup)
            if proc.poll() is not None:
                fail("the command ended (status %d) before sampling began: give it more work or less --warmup" % proc.returncode)
            data = os.path.join(work, "perf.data")
            rec = subprocess.run(["perf", "record", "-F", "4000", "-o", data, "-p", str(proc.pid),
                                  "--", "sleep", str(args.seconds)], capture_output=True, text=True)
            if rec.returncode != 0 or not os.path.exists(data):
                fail("perf record failed: %s" % rec.stderr.strip().splitlines()[-1:])
            jit, total = jit_samples(data)
            if not jit:
                fail("no samples in JIT code (is the command running a lavapipe device?)")
            lo, hi = hottest_region(jit)
            insns = disassemble(proc.pid, lo, hi, work)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    report(insns, jit, total, args.top)
    if args.listing:
        with open(args.listing, "w") as f:
            for a, op, rest in insns:
                f.write("%6d  %x  %s %s\n" % (jit.get(a, 0), a, op, rest))
        print("\nlisting: %s" % args.listing)


if __name__ == "__main__":
    main()
