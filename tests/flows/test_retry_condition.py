"""Which failures the flow's batch task retries (flows/etl); no Prefect run here, so not e2e."""

from __future__ import annotations


def test_batches_retry_only_on_io_errors() -> None:
    from prefect.states import Failed

    import flows.etl

    def failed(exc: BaseException):
        return Failed(data=exc)

    assert flows.etl._transient(None, None, failed(OSError("mount went away")))
    assert not flows.etl._transient(None, None, failed(ValueError("a bug")))


def test_warehouse_writes_retry_except_on_a_full_disk() -> None:
    from prefect.states import Failed

    import flows.etl
    from tasks.warehouse.store import WarehouseFull

    assert flows.etl._not_a_full_disk(None, None, Failed(data=OSError("mount went away")))
    assert not flows.etl._not_a_full_disk(None, None, Failed(data=WarehouseFull("disk full (ENOSPC)")))
    assert flows.etl.commit_batch.retry_condition_fn is flows.etl._not_a_full_disk
