"""CSV files admins open in a spreadsheet: written so Excel reads them right and never
runs what a member typed.

- UTF-8 with a byte-order mark: without it Excel reads the bytes as the local code page
  and "Siti Nurhaliza ✨" comes out garbled.
- CRLF line ends, one header row, numbers written as numbers; the separator Excel
  expects where the file is opened (`;` where the decimal mark is a comma, as in
  Indonesia; `,` elsewhere).
- Every text cell passes `spreadsheet_safe`: a cell that starts like a formula (CSV
  injection: `=HYPERLINK(...)`, `+1+1`, `-2+3`, `@SUM(...)`, or a tab or carriage return
  in front of one) gets a leading apostrophe, so the spreadsheet shows it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in FORMULA_STARTS and len(text) > 1 else text


class CsvFile:
    """A CSV file written row by row into memory, each row encoded as it is added (no
    list of rows is kept): UTF-8 with a BOM, CRLF lines, text cells spreadsheet-safe."""

    def __init__(self, header: Iterable[str], delimiter: str = ",") -> None:
        self._buffer = io.BytesIO()
        # utf-8-sig writes the byte-order mark once, before the first row.
        self._text = io.TextIOWrapper(
            self._buffer, encoding="utf-8-sig", newline="", write_through=True
        )
        self._writer = csv.writer(self._text, delimiter=delimiter, lineterminator="\r\n")
        self._writer.writerow([spreadsheet_safe(name) for name in header])
        self.rows = 0

    def add(self, cells: Iterable[object]) -> None:
        """One row: str cells made spreadsheet-safe, None as an empty cell, numbers as
        they are (an int stays a number in the spreadsheet)."""
        self._writer.writerow(
            [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in cells]
        )
        self.rows += 1

    def data(self) -> bytes:
        """The file's bytes so far."""
        self._text.flush()
        return self._buffer.getvalue()
