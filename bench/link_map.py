"""Flash and RAM per object file, read from a GNU ld map (firmware builds keep one object per
source, so objects name the model, each kernel, the board and the C library)."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

# An input section: its name (maybe alone on the line before), address, size, object.
SECTION = re.compile(r"^ (\.[\w.$]+)(?:\s*\n\s+|\s+)0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$", re.MULTILINE)
# Loaded sections only: .ARM.exidx/.ARM.extab (unwind tables) are in flash, .ARM.attributes (build
# metadata, 52 bytes per object) and the debug sections are never loaded.
FLASH = (".text", ".rodata", ".isr_vector", ".ARM.exidx", ".ARM.extab")
RAM = (".bss", ".stack", "COMMON")


def sizes_by_object(map_file: Path) -> dict[str, dict[str, int]]:
    """{object: {"flash": bytes, "ram": bytes}}; .data counts in both (stored in flash, copied to RAM)."""
    text = map_file.read_text()
    text = text[text.index("Linker script and memory map"):]
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"flash": 0, "ram": 0})
    for name, address, size, obj in SECTION.findall(text):
        size = int(size, 16)
        if size == 0 or int(address, 16) == 0 and not name.startswith(".isr_vector"):
            continue
        if name.startswith(FLASH):
            out[obj]["flash"] += size
        elif name.startswith(".data"):
            out[obj]["flash"] += size
            out[obj]["ram"] += size
        elif name.startswith(RAM):
            out[obj]["ram"] += size
    return dict(out)


def grouped(map_file: Path, groups: dict[str, str]) -> dict[str, dict[str, int]]:
    """Sizes summed by group: `groups` maps a path fragment to a group name; the rest is 'other'
    (mostly the C library's memcpy and friends)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"flash": 0, "ram": 0})
    for obj, size in sizes_by_object(map_file).items():
        group = next((g for fragment, g in groups.items() if fragment in obj), "other")
        for key in ("flash", "ram"):
            totals[group][key] += size[key]
    return dict(totals)
