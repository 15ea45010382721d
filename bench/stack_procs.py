"""The local stack's processes as /proc shows them: gunicorn's workers, and each process's resident memory."""

from __future__ import annotations

import os
from pathlib import Path

from atende.dev.stack import Stack

PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, pgrp, …)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def gunicorn_master(stack: Stack) -> int:
    return next(child.proc.pid for child in stack.children if child.name == "functions")


def workers(stack: Stack) -> list[int]:
    """The functions server's live workers (children of the gunicorn master), oldest first."""
    master = gunicorn_master(stack)
    found = []
    for pid in _pids():
        fields = _stat(pid)
        if fields and int(fields[1]) == master and fields[0] != "Z":
            found.append(pid)
    return sorted(found)


def group_rss(pgid: int) -> int:
    """Resident memory of a process group: an emulator is gcloud's wrapper plus its JVM."""
    total = 0
    for pid in _pids():
        fields = _stat(pid)
        if fields and int(fields[2]) == pgid:
            total += rss_bytes(pid)
    return total


def memory(stack: Stack) -> dict[str, int]:
    """RSS in bytes of every process of the stack, by a stable name (workers by their pid)."""
    sizes = {child.name: group_rss(child.proc.pid) for child in stack.children if child.name != "functions"}
    sizes["gunicorn master"] = rss_bytes(gunicorn_master(stack))
    for pid in workers(stack):
        sizes[f"gunicorn worker {pid}"] = rss_bytes(pid)
    sizes["bench (Graph stand-in + load)"] = rss_bytes(os.getpid())
    return sizes
