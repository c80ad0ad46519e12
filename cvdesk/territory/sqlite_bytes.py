"""Zeroes the bytes of a SQLite file that hold no data, so that two versions of SQLite write the same file.

After a VACUUM, SQLite 3.40 and 3.51 lay out the same rows in the same pages, but leave different leftovers in the
space no cell uses (what a page held before a split, or zeros). This pass follows the documented file format
(https://www.sqlite.org/fileformat2.html, « B-tree Pages ») and zeroes that space; the rows are not touched. It
expects a file without free pages or overflow chains, as VACUUM leaves a small extract.
"""
from __future__ import annotations

INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE = 2, 5, 10, 13


def _varint(data: bytes | bytearray, at: int) -> tuple[int, int]:
    """The varint at `at` and the offset just after it."""
    value = 0
    for position in range(8):
        byte = data[at + position]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + position + 1
    return (value << 8) | data[at + 8], at + 9


def _cell_end(page: bytearray, kind: int, at: int, usable: int) -> int:
    """Where the cell starting at `at` ends, its overflow pointer included."""
    if kind == INTERIOR_TABLE:
        return _varint(page, at + 4)[1]
    if kind == INTERIOR_INDEX:
        at += 4
    payload, at = _varint(page, at)
    if kind == LEAF_TABLE:
        _, at = _varint(page, at)
        max_local = usable - 35
    else:
        max_local = (usable - 12) * 64 // 255 - 23
    if payload <= max_local:
        return at + payload
    min_local = (usable - 12) * 32 // 255 - 23
    local = min_local + (payload - min_local) % (usable - 4)
    return at + (local if local <= max_local else min_local) + 4


def zero_unused_space(data: bytearray, page_size: int) -> None:
    """Zeroes, in every b-tree page, the bytes between the cell pointers and the cells, and those between cells
    (free blocks keep their 4-byte link)."""
    usable = page_size - data[20]  # byte 20: space reserved at the end of each page
    for start in range(0, len(data), page_size):
        header = start + (100 if start == 0 else 0)  # page 1 begins with the 100-byte file header
        kind = data[header]
        if kind not in (INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE):
            continue
        page = data[start:start + page_size]
        offset = header - start
        cells = int.from_bytes(page[offset + 3:offset + 5], "big")
        pointers = offset + (12 if kind in (INTERIOR_INDEX, INTERIOR_TABLE) else 8)
        used = bytearray(usable)  # 1 where a cell lies, or the link of a free block
        for number in range(cells):
            cell = int.from_bytes(page[pointers + 2 * number:pointers + 2 * number + 2], "big")
            end = _cell_end(page, kind, cell, usable)
            used[cell:end] = b"\x01" * (end - cell)
        free = int.from_bytes(page[offset + 1:offset + 3], "big")
        while free:  # each free block starts with the offset of the next and its own size: kept
            used[free:free + 4] = b"\x01" * 4
            free = int.from_bytes(page[free:free + 2], "big")
        for position in range(pointers + 2 * cells, usable):
            if not used[position]:
                page[position] = 0
        data[start:start + page_size] = page
