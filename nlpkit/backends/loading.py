"""Checks before a checkpoint loads: no foreign code, no pickle, no corrupt files, no hub hang.

transformers runs a checkpoint's own Python module when its config has an
``auto_map`` and ``trust_remote_code`` is not ``False`` (it may even ask on stdin,
so ``echo y | nlpkit …`` would run it). nlpkit passes ``trust_remote_code=False``
everywhere and refuses such a folder up front, naming ``--trust-remote-code`` as
the opt-in. Pickle weights (``pytorch_model.bin``) can run code when unpickled, so
only safetensors load. Corrupt or empty weight and tokenizer files are named in a
one-line error instead of a deep traceback. (Hub ids that cannot be reached are
handled before loading, by `nlpkit.hub`.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlpkit.errors import ModelLoadError

__all__ = ["check_model_folder", "PICKLE_WEIGHTS"]

#: Weight files that are pickles (refused: unpickling runs code).
PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack", "model.ckpt.index")


def check_model_folder(folder: Path, *, trust_remote_code: bool = False) -> None:
    """Raise a `ModelLoadError` naming the file and the fix for anything unsafe or broken in `folder`."""
    for name in ("config.json", "tokenizer_config.json"):
        path = folder / name
        if not path.exists():
            continue
        data = _json_file(path)
        if isinstance(data, dict) and data.get("auto_map") and not trust_remote_code:
            modules = sorted({str(v).split(".")[0] for v in _flat_values(data["auto_map"])})
            raise ModelLoadError(
                f"{path}: this model needs its own Python code ({', '.join(modules) or 'auto_map'}), which nlpkit does not run by default; "
                "read that code, and if you trust it pass --trust-remote-code (Python: trust_remote_code=True)"
            )
    safetensors = sorted(folder.glob("*.safetensors"))
    pickles = [name for name in PICKLE_WEIGHTS if (folder / name).exists()] + sorted(p.name for p in folder.glob("pytorch_model-*.bin"))
    if pickles and not safetensors:
        raise ModelLoadError(
            f"{folder}: its weights are only in {pickles[0]}, a pickle file that can run code when loaded; nlpkit loads safetensors only. "
            "Use a checkpoint that ships model.safetensors, or convert this one with save_pretrained(safe_serialization=True) where you trust its source"
        )
    for path in safetensors:
        _check_safetensors(path)
    tokenizer = folder / "tokenizer.json"
    if tokenizer.exists():
        _json_file(tokenizer)


def _check_safetensors(path: Path) -> None:
    from safetensors import SafetensorError, safe_open

    if path.stat().st_size == 0:
        raise ModelLoadError(f"{path}: the weight file is empty (an interrupted copy or save?); copy or save the model again")
    try:
        with safe_open(str(path), "pt") as handle:
            handle.keys()
    except (SafetensorError, OSError) as exc:
        raise ModelLoadError(f"{path}: corrupt weight file ({str(exc).splitlines()[0]}); copy or save the model again") from None


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path}: corrupt or unreadable JSON ({exc}); copy or save the model again") from None


def _flat_values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _flat_values(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flat_values(item)]
    return [value] if value else []
