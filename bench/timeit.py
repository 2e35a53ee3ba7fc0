#!/usr/bin/env python3
"""Run a shell command N times; print the shortest wall time and the shortest CPU time (user +
system of the command and every process it waited for), in milliseconds.

    python3 bench/timeit.py N 'command ...'
"""
import os
import resource
import subprocess
import sys
import time


def main():
    runs, command = int(sys.argv[1]), sys.argv[2]
    best_wall = best_cpu = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(["bash", "-c", command], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=os.environ)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(f"{best_wall * 1000:.1f} {best_cpu * 1000:.1f}")


if __name__ == "__main__":
    main()
