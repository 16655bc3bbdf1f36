"""What the in-process Python benchmarks share: a timed, repeated call."""
import statistics
import time


def timed(work, repeats):
    """The median seconds of ``repeats`` calls of ``work()`` and the last call's result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out
