"""Run the CLI in-process and read its exit code and output (shared by the CLI tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backrehab.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``backrehab ARGS``."""
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    code = (
        info.value.code
        if isinstance(info.value.code, int)
        else (0 if info.value.code is None else 1)
    )
    return code, out, err


def cli_ok(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Stdout of a command that must succeed."""
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    return out


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Parsed ``--json`` output of a command that must succeed."""
    data: dict[str, Any] = json.loads(cli_ok([*args, "--json"], capsys))
    return data


def cli_fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Stderr of a command that must exit with code 2."""
    code, _, err = run_cli(args, capsys)
    assert code == 2, err
    return err
