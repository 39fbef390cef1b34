"""Write-ahead journaling for the tables the browser apps change: a change is appended to a journal and fsynced
before the table is rewritten (atomically), and the journal is dropped once the table holds it. A process killed at
any moment loses at most the change it had not acknowledged; the next start replays what the journal still holds."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

JOURNAL_SUFFIX = ".journal"


def journal_of(table: Path) -> Path:
    return table.with_name(table.name + JOURNAL_SUFFIX)


def journaled(journal: Path, record: dict[str, Any], write_table: Callable[[], None]) -> None:
    """Journal `record` durably, then `write_table()`, then drop the journal."""
    journal.parent.mkdir(parents=True, exist_ok=True)
    with open(journal, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())
    write_table()
    journal.unlink()


def journal_records(journal: Path) -> list[dict[str, Any]]:
    """What a killed process journaled, in order; the torn last line of a change never acknowledged is skipped."""
    if not journal.exists():
        return []
    records = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
