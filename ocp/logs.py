"""Logging for every OCP process: plain lines, or one JSON object per line (``OCP_LOG_FORMAT``).

Structured fields travel in a log record's ``extra={"fields": {...}}``: the text format
appends them as ``key=value``, the JSON format merges them into the object. Nothing here
knows about requests or jobs; it only decides how a line looks.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class TextFormatter(logging.Formatter):
    """``time LEVEL logger[pid]: message key=value ...``."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in fields_of(record).items())
        return f"{line} {extra}" if extra else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, pid, message, fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process or os.getpid(),
            "message": record.getMessage(),
        }
        data.update(fields_of(record))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def configure(*, level: str, format: str) -> None:
    """Send every logger's lines to stderr in ``format`` ("text" or "json")."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    arq = logging.getLogger("arq")  # arq's command line gives it a handler of its own
    arq.handlers.clear()
    arq.propagate = True
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # ours is ocp.access
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    # arq's own lines ("→ job started") repeat what ocp.jobs logs with fields.
    logging.getLogger("arq.worker").setLevel(logging.WARNING)
