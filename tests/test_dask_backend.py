"""Bootstrap replicates run on a dask.distributed LocalCluster through joblib's dask backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dagcore import Estimand, Standardization

distributed = pytest.importorskip("distributed", reason="dask is an optional extra: pip install 'dagcore[dask]' (make test installs it)")


def test_bootstrap_on_a_local_dask_cluster_matches_the_local_run() -> None:
    from joblib import parallel_backend

    rng = np.random.default_rng(0)
    n = 500
    z = rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    df = pd.DataFrame({"z": z, "t": t, "y": 2 * t + z + rng.normal(size=n)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    local = Standardization(n_bootstrap=40, random_state=3).fit(df, e).estimate_
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream, parallel_backend("dask"):
            remote = Standardization(n_bootstrap=40, random_state=3, n_jobs=-1).fit(df, e).estimate_
        assert len(stream.data) > 0  # the replicates ran as tasks on the cluster
    assert remote.value == local.value
    assert remote.se == pytest.approx(local.se, rel=1e-12)
    assert remote.ci == pytest.approx(local.ci, rel=1e-12)
