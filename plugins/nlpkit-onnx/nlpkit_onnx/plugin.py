"""Entry point: the `onnx` backend and the `export` command. Light: no torch, no onnxruntime here."""

from __future__ import annotations

from typing import Any

from nlpkit import hookimpl


@hookimpl
def register_backends(register: Any) -> None:
    from nlpkit_onnx.backend import OnnxBackend

    register(OnnxBackend())


@hookimpl
def register_commands(cli: Any) -> None:
    from nlpkit_onnx.command import add_export_command

    add_export_command(cli)
