"""Strict YAML: repeated keys and syntax errors are refused with the caller's error and the line."""

from __future__ import annotations

import pytest

from backrehab.errors import ConfigError
from backrehab.yamlfile import load_strict_yaml


def test_parses_plain_yaml() -> None:
    """Ordinary YAML comes back as Python data."""
    assert load_strict_yaml("a: 1\nb: [2, 3]\n", "x", ConfigError) == {"a": 1, "b": [2, 3]}


def test_repeated_key_is_refused_with_its_line() -> None:
    """A key given twice in one mapping is an error naming the file and the line."""
    with pytest.raises(ConfigError, match=r"specs\.yaml is not valid YAML \(line 3"):
        load_strict_yaml("a: 1\nb: 2\na: 3\n", "specs.yaml", ConfigError)


def test_syntax_error_is_refused() -> None:
    """Broken YAML raises the given error type."""
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_strict_yaml("a: [1, 2\n", "bad.yaml", ConfigError)
