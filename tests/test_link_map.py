"""bench/link_map.py: flash and RAM per object from a GNU ld map, counting what is loaded only."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from link_map import grouped, sizes_by_object  # noqa: E402

MAP = """Discarded input sections

 .text.unused   0x00000000       0x40 build/engine/aot/pooling.o
 .ARM.attributes
                0x00000000       0x34 build/engine/aot/add.o

Linker script and memory map

 .isr_vector    0x00000000       0x60 build/boards/startup.o
 .text.ke_gemm_s8
                0x00001340      0x77c build/engine/aot/gemm.o
 .ARM.exidx.text.ke_gemm_s8
                0x00002000        0x8 build/engine/aot/gemm.o
 .rodata.op0_bias
                0x00008768       0x40 build/model/model_aot.o
 .data.counter  0x20000000        0x4 build/model/model_aot.o
 .bss.arena_words
                0x20000004      0x600 build/model/model_aot.o
.ARM.attributes
                0x00000000       0x32
 .ARM.attributes
                0x00000000       0x34 build/boards/startup.o
 .ARM.attributes
                0x00000034       0x34 build/engine/aot/gemm.o
 .debug_info    0x00000000      0x900 build/engine/aot/gemm.o
"""


def test_only_loaded_sections_count(tmp_path):
    path = tmp_path / "firmware.map"
    path.write_text(MAP)
    sizes = sizes_by_object(path)
    # Code and its unwind table; not the build attributes (non-zero offset in their own section),
    # not debug info, not what the linker discarded.
    assert sizes["build/engine/aot/gemm.o"] == {"flash": 0x77c + 0x8, "ram": 0}
    # .data is stored in flash and copied to RAM; .bss is RAM only.
    assert sizes["build/model/model_aot.o"] == {"flash": 0x40 + 0x4, "ram": 0x4 + 0x600}
    assert sizes["build/boards/startup.o"] == {"flash": 0x60, "ram": 0}
    assert "build/engine/aot/pooling.o" not in sizes and "build/engine/aot/add.o" not in sizes
    groups = grouped(path, {"engine/aot": "kernels", "model/": "model"})
    assert groups["kernels"]["flash"] == 0x784 and groups["other"]["flash"] == 0x60
