"""Small real GGUF files, written with the `gguf` package, for discovery tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGUFWriter, LlamaFileType


def write_gguf(
    path: Path,
    *,
    name: str = "Tiny Test Model",
    context: int = 4096,
    chat_template: str | None = "{% for m in messages %}{{ m.content }}{% endfor %}",
    file_type: LlamaFileType = LlamaFileType.MOSTLY_Q4_K_M,
    kind: str | None = None,
    vocabulary: int = 300,
) -> Path:
    """A GGUF with the metadata discovery reads and two small tensors (160 parameters),
    plus a vocabulary long enough to be skipped rather than kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = GGUFWriter(str(path), arch="llama")
    writer.add_name(name)
    if kind is not None:
        writer.add_type(kind)
    writer.add_context_length(context)
    writer.add_block_count(2)
    writer.add_embedding_length(16)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(int(file_type))
    writer.add_token_list([f"tok{i}" for i in range(vocabulary)])
    if chat_template is not None:
        writer.add_chat_template(chat_template)
    writer.add_tensor("token_embd.weight", np.zeros((8, 16), dtype=np.float32))
    writer.add_tensor("output_norm.weight", np.ones((32,), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
