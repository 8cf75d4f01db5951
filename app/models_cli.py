"""The model tools of the `draftsmith` command.

    draftsmith models [--json]
    draftsmith doctor --server URL --server-model NAME

Discovery and the server client are imported inside the commands, so `app.cli` stays
light.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

MODELS_COMMANDS = ("models",)


def add_parsers(tools: Any) -> None:
    """Add `models` to the tool subparsers of `app.cli`."""
    models = tools.add_parser(
        "models", help="every model Draftsmith can use: found on disk, bundled, or a server"
    )
    models.add_argument("--json", action="store_true", help="print a JSON array")


def add_doctor_arguments(doctor: argparse.ArgumentParser) -> None:
    """`doctor --server URL --server-model NAME` checks a server instead of a local model."""
    doctor.add_argument("--server", help="an OpenAI-compatible server's base URL to check")
    doctor.add_argument("--server-model", help="the model name to ask the server for")


def run(args: argparse.Namespace) -> int:
    from app.model_catalog import main_models

    return main_models(as_json=bool(args.json))


def run_server_doctor(args: argparse.Namespace) -> int | None:
    """The server check when `--server` was given; None to run the ordinary doctor."""
    if not getattr(args, "server", None):
        return None
    if not args.server_model:
        print("draftsmith: doctor --server needs --server-model NAME", file=sys.stderr)
        return 2
    from app.doctor import run_server_doctor as check

    return check(args.server, args.server_model, sys.stdout)
