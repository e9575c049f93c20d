"""Strict YAML reading for the project's data files (exercise library, plan rules, coach specs).

Input: YAML text and a name for messages. Output: the parsed data; a key repeated in one mapping
(a silent overwrite in plain YAML) or a syntax error raises the caller's error type with the line.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

from backrehab.errors import BackrehabError


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses a key repeated in one mapping."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def load_strict_yaml(text: str, what: str, error: type[BackrehabError]) -> Any:
    """Parse ``text``; invalid YAML or a repeated key raises ``error`` saying ``what`` and where.

    ``what`` completes "… is not valid YAML", e.g. "Plan rules rules.yaml".
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise error(f"{what} is not valid YAML{where}.", detail=str(exc)) from exc
