"""`nlpkit export FOLDER --to onnx [--int8] --output OUT` (registered through `register_commands`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["add_export_command"]

#: Export formats; ONNX is the only one so far (`--to` keeps the command open to others).
FORMATS = ("onnx",)


def add_export_command(cli: Any) -> None:
    """Add ``export`` to the nlpkit click group."""

    @cli.command("export")
    @click.argument("folder", type=click.Path(path_type=Path))
    @click.option("--to", "fmt", type=click.Choice(FORMATS), required=True, help="Format to export to.")
    @click.option("--int8", is_flag=True, help="Quantize weights to int8 (ONNX Runtime dynamic quantization): smaller and faster on the CPU, scores move slightly.")
    @click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Folder to write (must not exist); use it as --model OUT.")
    @click.option("--json", "as_json", is_flag=True, help="Print the export report as JSON on stdout.")
    def export(folder: Path, fmt: str, int8: bool, output: Path, as_json: bool) -> None:
        """Export a fine-tuned model FOLDER to ONNX, check it against torch, and write a folder `--model OUT` loads.

        The graph takes any batch size and length. Before writing, the export is run on
        sample inputs and compared with torch (largest difference of the logits printed);
        an fp32 export differing by more than 1e-3 is refused.
        """
        from nlpkit import cli_output as out
        from nlpkit_onnx.export import export_onnx

        out.info(f"exporting {folder} to ONNX ({'int8' if int8 else 'fp32'})…")
        report = export_onnx(folder, output, int8=int8)
        if as_json:
            out.echo_json(report.to_dict())
            return
        rows = [[name, f"{report.max_abs_diff[name]:.2e}", f"{report.agreement[name]:.1%}"] for name in report.max_abs_diff]
        click.echo(out.table(rows, ["graph", "max |Δ| vs torch", "same arg-max"]))
        out.info(f"wrote {output} ({', '.join(report.files)}); use it with --model {output}")
