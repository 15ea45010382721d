"""Dev-only cost meter: Firestore and Pub/Sub RPCs, documents read and written, CPU, per function.

Installed by the dev functions app when `ATENDE_COST_STATS=<dir>` is set, never
deployed. Every gRPC channel the emulator clients open (Firestore's and Pub/Sub's
both go through `grpc.insecure_channel`) is wrapped in a client interceptor that
counts, per function and RPC method: calls, failed calls, documents returned
(found / missing in a batch get, returned by a query, queries that returned
nothing) and documents written or deleted by a commit, and messages published.
A WSGI wrapper around each function names the function for the calling thread
and adds the thread's CPU time (`time.thread_time`) and wall time per request.
Work on threads outside a request (Pub/Sub's publish pool, gRPC's own threads)
is counted under `OTHER`.

Under THREADS, each process also reports its threads' CPU (from /proc) by
thread name, and what threads that already exited used (gRPC starts a short-
lived "channel spin" thread for streaming calls such as BatchGetDocuments).

Each worker process rewrites `<dir>/<pid>.json` (atomically) every FLUSH_S while
its counters change; a reader sums the files of every pid: counters only grow,
so a measurement is the difference of two sums. With `ATENDE_COST_PROFILE=1`,
once `<dir>/profile.start` exists every request also runs under cProfile timed
by the thread's CPU clock, dumped to `<dir>/profile-<pid>-<thread>.prof` (this
inflates the CPU figures).
"""

from __future__ import annotations

import atexit
import cProfile
import json
import os
import re
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

ENV = "ATENDE_COST_STATS"
PROFILE_ENV = "ATENDE_COST_PROFILE"
FLUSH_S = 0.25
OTHER = "(outside a request)"
THREADS = "(threads)"  # pseudo-function: CPU ms per thread group, "process" and "exited threads"
# The meter's own thread: its /proc reads are the benchmark's overhead, to subtract from the process.
METER_THREAD = "cost-meter"
PROFILE_DUMP_EVERY = 20  # requests per thread between two dumps of its profile
PROFILE_START = "profile.start"  # profiling starts when this file appears: after the warm-up, not the imports

Counters = dict[str, dict[str, float]]  # function -> counter -> value


class Meter:
    """Thread-safe counters per function, flushed to one file per process."""

    def __init__(self, directory: Path, profile: bool = False, process: str | None = None) -> None:
        self._dir = directory
        self._path = directory / f"{process or os.getpid()}.json"
        self._profile = profile
        self._lock = threading.Lock()
        self._counts: Counters = defaultdict(lambda: defaultdict(float))
        self._changes = 0
        self._flushed = 0
        self._local = threading.local()
        self._profilers: dict[int, cProfile.Profile] = {}

    # -- who is running ----------------------------------------------------------------------------

    @property
    def function(self) -> str:
        return getattr(self._local, "function", OTHER)

    def add(self, counter: str, value: float = 1.0, function: str | None = None) -> None:
        with self._lock:
            self._counts[function or self.function][counter] += value
            self._changes += 1

    def wsgi(self, function: str, app: Callable[..., Any]) -> Callable[..., Any]:
        """The function's app, with its thread CPU and wall time per request counted under its name."""

        def metered(environ: dict, start_response: Any) -> Any:
            self._local.function = function
            profiling = self._profile and (self._dir / PROFILE_START).exists()
            profiler = self._profiler() if profiling else None
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                if profiler is None:
                    return app(environ, start_response)
                return profiler.runcall(app, environ, start_response)
            finally:
                used, spent = time.thread_time() - cpu, time.perf_counter() - wall
                self._local.function = OTHER
                if profiler is not None:
                    self._local.profiled += 1
                    if self._local.profiled % PROFILE_DUMP_EVERY == 0:
                        self._dump(threading.get_native_id(), profiler)
                with self._lock:
                    counts = self._counts[function]
                    counts["requests"] += 1
                    counts["thread_cpu_ms"] += used * 1000
                    counts["wall_ms"] += spent * 1000
                    self._changes += 1

        return metered

    def _profiler(self) -> cProfile.Profile:
        profiler = getattr(self._local, "profiler", None)
        if profiler is None:
            profiler = self._local.profiler = cProfile.Profile(time.thread_time)
            self._local.profiled = 0
            with self._lock:
                self._profilers[threading.get_native_id()] = profiler
        return profiler

    def _dump(self, thread: int, profiler: cProfile.Profile) -> None:
        profiler.dump_stats(self._dir / f"profile-{os.getpid()}-{thread}.prof")

    def _dump_all(self) -> None:
        """At exit, when no request runs: what each thread profiled since its last dump too."""
        for thread, profiler in list(self._profilers.items()):
            self._dump(thread, profiler)

    # -- files -------------------------------------------------------------------------------------

    def flush(self) -> None:
        with self._lock:
            if self._changes == self._flushed:
                return
            data = {f: dict(c) for f, c in self._counts.items()}
            self._flushed = self._changes
        data[THREADS] = threads_cpu_ms()
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self._path)

    def start(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)

        def loop() -> None:
            while True:
                time.sleep(FLUSH_S)
                self.flush()

        threading.Thread(target=loop, name=METER_THREAD, daemon=True).start()
        atexit.register(self.flush)
        atexit.register(self._dump_all)


def threads_cpu_ms() -> dict[str, float]:
    """This process's CPU by thread name (digits dropped), with what exited threads used, in ms."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    names[os.getpid()] = "MainThread"  # in a forked worker, Python 3.11 keeps the parent's native_id
    tick = os.sysconf("SC_CLK_TCK")

    def used(stat: Path) -> tuple[str, float]:
        text = stat.read_text()
        fields = text.rsplit(")", 1)[1].split()
        return text[text.index("(") + 1 : text.rindex(")")], (int(fields[11]) + int(fields[12])) / tick * 1000

    process = used(Path("/proc/self/stat"))[1]
    groups: dict[str, float] = defaultdict(float)
    for task in Path("/proc/self/task").iterdir():
        try:
            comm, ms = used(task / "stat")
        except (OSError, ValueError):
            continue  # exited meanwhile
        groups[re.sub(r"[-_]?\d+(_\d+)?( \(.*\))?$", "", names.get(int(task.name), comm))] += ms
    groups["exited threads"] = max(0.0, process - sum(groups.values()))
    groups["process"] = process
    return dict(groups)


def read(directory: Path) -> Counters:
    """The sum over every process that wrote to `directory`."""
    total: Counters = defaultdict(lambda: defaultdict(float))
    for path in directory.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # replaced while we read it: the next read has it
        for function, counts in data.items():
            for counter, value in counts.items():
                total[function][counter] += value
    return total


def minus(after: Counters, before: Counters) -> Counters:
    return {
        f: {k: v - before.get(f, {}).get(k, 0.0) for k, v in counts.items()} for f, counts in after.items()
    }


# -- gRPC ---------------------------------------------------------------------------------------------


def _raw(message: Any) -> Any:
    """The protobuf under a proto-plus message (GAPIC stubs pass those), or the message itself."""
    return getattr(message, "_pb", message)


def _site() -> str:
    """Which of our functions made the call: the two innermost `atende` frames, outer first."""
    names: list[str] = []
    frame = sys._getframe(2)
    while frame is not None and len(names) < 2:
        path = frame.f_code.co_filename
        ours = f"{os.sep}atende{os.sep}" in path and f"{os.sep}dev{os.sep}" not in path
        if ours and not frame.f_code.co_name.startswith("<"):  # not a comprehension's frame
            names.append(f"{path.rsplit(os.sep, 1)[-1].removesuffix('.py')}.{frame.f_code.co_name}")
        frame = frame.f_back
    return " > ".join(reversed(names)) or "?"


def _method(details: grpc.ClientCallDetails) -> str:
    """`/google.firestore.v1.Firestore/Commit` → `Firestore/Commit`."""
    service, _, name = str(details.method).rpartition("/")
    return f"{service.rsplit('.', 1)[-1]}/{name}"


class _CountedStream:
    """A server stream counted as it is read; everything else is the call's (GAPIC uses it as a Call)."""

    def __init__(self, call: Any, on_item: Callable[[Any], None], on_end: Callable[[], None]) -> None:
        self._call = call
        self._on_item = on_item
        self._on_end = on_end

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            item = next(self._call)
        except StopIteration:
            self._on_end()
            raise
        self._on_item(item)
        return item

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)


class Interceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    def __init__(self, meter: Meter) -> None:
        self._meter = meter

    def intercept_unary_unary(self, continuation: Any, details: grpc.ClientCallDetails, request: Any) -> Any:
        method = _method(details)
        outcome = continuation(details, request)
        failed = outcome.exception() is not None  # sync calls: already complete
        meter = self._meter
        meter.add(f"rpc:{method}")
        meter.add(f"site:{method}@{_site()}")
        if failed:
            meter.add(f"rpc_failed:{method}")
            return outcome
        raw = _raw(request)
        if method.endswith("/Commit"):
            for write in raw.writes:
                meter.add("doc_deletes" if write.WhichOneof("operation") == "delete" else "doc_writes")
        elif method.endswith("/Publish"):
            meter.add("published", len(raw.messages))
        return outcome

    def intercept_unary_stream(self, continuation: Any, details: grpc.ClientCallDetails, request: Any) -> Any:
        method = _method(details)
        meter, function = self._meter, self._meter.function
        meter.add(f"rpc:{method}", function=function)
        meter.add(f"site:{method}@{_site()}", function=function)
        returned = [0]

        def on_item(response: Any) -> None:
            raw = _raw(response)
            if method.endswith("/BatchGetDocuments"):
                kind = raw.WhichOneof("result")
                if kind:
                    meter.add("docs_found" if kind == "found" else "docs_missing", function=function)
            elif method.endswith("/RunQuery") and raw.HasField("document"):
                returned[0] += 1
                meter.add("docs_queried", function=function)

        def on_end() -> None:
            if method.endswith("/RunQuery") and not returned[0]:
                meter.add("queries_empty", function=function)  # billed as one read

        return _CountedStream(continuation(details, request), on_item, on_end)


def install(directory: Path, profile: bool = False) -> Meter:
    """Count every emulator channel opened from now on in this process."""
    meter = Meter(directory, profile)
    interceptor = Interceptor(meter)
    plain = grpc.insecure_channel

    def metered_channel(*args: Any, **kwargs: Any) -> grpc.Channel:
        return grpc.intercept_channel(plain(*args, **kwargs), interceptor)

    grpc.insecure_channel = metered_channel  # type: ignore[assignment]
    meter.start()
    return meter


def from_env() -> Meter | None:
    directory = os.environ.get(ENV)
    return install(Path(directory), bool(os.environ.get(PROFILE_ENV))) if directory else None


@dataclass(frozen=True)
class Totals:
    """Over every function: Firestore RPCs and billed documents, Pub/Sub messages, the meter's own CPU."""

    firestore_rpcs: float
    reads: float  # found + missing in batch gets, returned by queries, one per query that returned none
    writes: float
    deletes: float
    published: float
    meter_cpu_ms: float

    @classmethod
    def of(cls, counters: Counters) -> Totals:
        def total(pick: Callable[[str], bool]) -> float:
            return sum(v for f, c in counters.items() if f != THREADS for k, v in c.items() if pick(k))

        return cls(
            firestore_rpcs=total(lambda k: k.startswith("rpc:Firestore/")),
            reads=total(lambda k: k in ("docs_found", "docs_missing", "docs_queried", "queries_empty")),
            writes=total(lambda k: k == "doc_writes"),
            deletes=total(lambda k: k == "doc_deletes"),
            published=total(lambda k: k == "published"),
            meter_cpu_ms=counters.get(THREADS, {}).get(METER_THREAD, 0.0),
        )
