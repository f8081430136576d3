"""Plain-text report helpers: aligned tables, units, and the PASS/MISS word next to a target."""

from __future__ import annotations

from collections.abc import Sequence

MB = 1_000_000
GB = 1_000_000_000


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: str = "  ") -> str:
    """Return rows as an aligned table; numbers (cells starting with a digit) align right."""
    widths = [len(header) for header in headers]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = [_line(headers, widths, indent, numeric=[False] * len(headers))]
    lines.append(indent + "  ".join("-" * width for width in widths))
    for row in rows:
        numeric = [_is_number(cell) for cell in row]
        lines.append(_line(row, widths, indent, numeric))
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int], indent: str, numeric: list[bool]) -> str:
    padded = [
        cell.rjust(width) if right else cell.ljust(width)
        for cell, width, right in zip(cells, widths, numeric, strict=True)
    ]
    return (indent + "  ".join(padded)).rstrip()


def _is_number(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or (cell[0] in "-+" and cell[1:2].isdigit()))


def verdict(ok: bool) -> str:
    """Return the word printed next to a target."""
    return "PASS" if ok else "MISS"


def heading(title: str) -> str:
    """Return a section title underlined."""
    return f"\n{title}\n{'=' * len(title)}"


def mib(size: float) -> str:
    """Return a byte count in MiB."""
    return f"{size / 1024 / 1024:.1f} MiB"


def size_label(size: int) -> str:
    """Return a file size as ``1 GiB``, ``50 MiB`` or ``200 KiB``."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def ms(seconds: float) -> str:
    """Return seconds as milliseconds."""
    return f"{seconds * 1000:.1f} ms"
