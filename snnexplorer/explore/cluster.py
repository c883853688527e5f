"""dask.distributed clients for sweeps: a LocalCluster sized to the machine, or an existing scheduler."""

from __future__ import annotations

import os
from pathlib import Path


def make_client(scheduler: str | None = None, workers: int | None = None):
    """A ``dask.distributed.Client``.

    ``scheduler``: ``tcp://HOST:PORT`` of a running scheduler, or the path of a
    scheduler file; None starts a ``LocalCluster`` with ``workers`` processes
    (default: one per CPU core), one thread each. Workers inherit
    ``SNNEXPLORER_CACHE``, so trained weights are shared by content hash and a
    network is trained once (the cache's file lock). Closing the client closes
    a cluster it started (scheduler and worker processes included).
    """
    from dask.distributed import Client

    if scheduler:
        if Path(scheduler).is_file():
            return Client(scheduler_file=scheduler)
        return Client(scheduler)
    # the client starts the LocalCluster itself, so it owns it: ``Client(LocalCluster(...)).close()`` would leave the
    # scheduler and its workers running in this process
    return Client(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
