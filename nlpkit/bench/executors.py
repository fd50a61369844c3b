"""Where a suite's runs execute: here, one after another (``serial``), or as tasks on a Ray
cluster (``ray``: `pip install nlpkit-core[ray]`).

An executor gets the runs still to do and a picklable ``work(run, placement) -> record`` (data is
loaded inside `work`, so on the worker), and yields ``(run, record)`` as each run ends; the runner
writes each record at once, so a rerun skips completed runs whatever the executor. A run that
fails comes back as a record with ``status: error``; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.errors import NlpkitError

if TYPE_CHECKING:
    from nlpkit.bench.suite import RunSpec
    from nlpkit.contracts.device import Placement

__all__ = ["EXECUTORS", "Job", "serial", "ray_executor", "execute"]

#: (progress line, run, placement)
Job = tuple[str, "RunSpec", "Placement"]
Work = Callable[["RunSpec", "Placement"], dict[str, Any]]
RAY_INSTALL = "the ray executor needs Ray: pip install 'nlpkit-core[ray]' (or pip install ray)"


def serial(jobs: Sequence[Job], work: Work, echo: Callable[[str], None], **_: Any) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    """Each run in this process, in suite order."""
    for line, run, placement in jobs:
        echo(line)
        yield run, work(run, placement)


def ray_executor(jobs: Sequence[Job], work: Work, echo: Callable[[str], None], *, address: str | None = None, cpus_per_run: float = 1, **_: Any) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    """Each run as a Ray task (`cpus_per_run` CPUs each), yielded as it ends. `address`: ``auto``
    (a running cluster), ``ray://HOST:PORT``, or None: the cluster Ray finds, else a local one.
    Workers' output (progress lines) is forwarded to this terminal by Ray."""
    try:
        import ray
    except ImportError:
        raise NlpkitError(RAY_INSTALL) from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=True)
    remote = ray.remote(num_cpus=cpus_per_run, max_retries=0)(_call)
    pending: dict[Any, RunSpec] = {}
    for line, run, placement in jobs:
        echo(f"{line} → ray")
        pending[remote.remote(work, run, placement)] = run
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        for ref in done:
            run = pending.pop(ref)
            try:
                record = ray.get(ref)
            except Exception as exc:  # the worker died (out of memory, node lost): recorded, the others go on
                record = {"status": "error", "error": f"ray task failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
            echo(f"    {run.name}: finished on ray")
            yield run, record


def _call(work: Work, run: RunSpec, placement: Placement) -> dict[str, Any]:
    return work(run, placement)


EXECUTORS: dict[str, Callable[..., Iterator[tuple[Any, dict[str, Any]]]]] = {"serial": serial, "ray": ray_executor}


def execute(name: str, jobs: Sequence[Job], work: Work, echo: Callable[[str], None], **settings: Any) -> Iterator[tuple[RunSpec, dict[str, Any]]]:
    """The runs of `jobs` on executor `name` (`EXECUTORS`)."""
    if name not in EXECUTORS:
        raise NlpkitError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")
    return EXECUTORS[name](jobs, work, echo, **settings)
