"""Twin of the upstream NodeMetadataExampleWorkflow: SumTask on constants 0 and 1 in a node with id
``sum-a-b``, display name ``sum a+b`` and a 15-minute timeout; output ``c``."""

from datetime import timedelta
from typing import NamedTuple

from flytekit import workflow

from python_wf.fibonacci import sum_task

C = NamedTuple("C", [("c", int)])


@workflow
def node_metadata_wf() -> C:
    summed = sum_task(a=0, b=1).with_overrides(node_name="sum-a-b", name="sum a+b", timeout=timedelta(minutes=15))
    return C(c=summed.c)
