"""Bookkeeping exports: members, payments, payouts or commissions of a period as a CSV
file Excel opens correctly (services/csv_safe.py).

- `kinds.py`: what can be exported and each file's columns (translation keys).
- `period.py`: the typed dates of a custom period, read.
- `service.py`: `ExportService`: the periods (those of the owner's numbers) and
  `export(kind, period, label)`, read in chunks and written row by row.
"""

from __future__ import annotations

from services.exports.kinds import COLUMNS, ExportKind
from services.exports.period import ExportError, ExportProblem, parse_days
from services.exports.service import CHUNK, ExportFile, ExportService

__all__ = [
    "CHUNK",
    "COLUMNS",
    "ExportError",
    "ExportFile",
    "ExportKind",
    "ExportProblem",
    "ExportService",
    "parse_days",
]
