"""The job functions by name: what arq registers, and what the embedded runner calls.

Importing this module registers them with ``ocp.jobs`` for the in-process runner.
"""

from __future__ import annotations

from ocp import jobs
from ocp.jobs import JobFunction
from workers import completion, uploads

FUNCTIONS: dict[str, JobFunction] = {
    "recalculate_completion": completion.recalculate_completion,
    "process_upload": uploads.process_upload,
}

for _name, _function in FUNCTIONS.items():
    jobs.register(_name, _function)
