"""Short plain-language labels of the questionnaire items, written by this project.

Output: :data:`ITEM_TEXTS`, per instrument the item topics and answer labels in the item order the
scoring functions expect. These are our own paraphrases for patients, not the copyrighted
original wording. A clinic holding a licence loads the licensed text from a YAML file
(:func:`load_item_texts`, or ``$BACKREHAB_ITEM_TEXTS`` for :func:`item_texts`); it is never
hard-coded here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backrehab.errors import ConfigError, InvalidResponseError
from backrehab.yamlfile import load_strict_yaml

__all__ = [
    "ENV_ITEM_TEXTS",
    "ITEM_TEXTS",
    "InstrumentText",
    "ItemText",
    "item_texts",
    "load_item_texts",
]

#: Environment variable naming a YAML file of licensed item texts (see :func:`load_item_texts`).
ENV_ITEM_TEXTS: Final = "BACKREHAB_ITEM_TEXTS"


@dataclass(frozen=True, slots=True)
class ItemText:
    """One item: its 1-based number, a short topic and, when item-specific, its answer labels
    (index = answer value)."""

    number: int
    topic: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InstrumentText:
    """Paraphrased instructions, items and shared answer labels (index = answer value) of one
    instrument."""

    instrument: str
    title: str
    instructions: str
    items: tuple[ItemText, ...]
    options: tuple[str, ...] = ()


def _items(*entries: tuple[str, tuple[str, ...]] | str) -> tuple[ItemText, ...]:
    out = []
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            out.append(ItemText(number, entry))
        else:
            out.append(ItemText(number, entry[0], entry[1]))
    return tuple(out)


_ODI = InstrumentText(
    instrument="odi",
    title="Oswestry Disability Index (ODI) v2.1a — paraphrased",
    instructions=(
        "For each topic, pick the one line that fits you best today. If two lines fit, pick "
        "the one further down. Skip a topic that does not apply to you."
    ),
    items=_items(
        (
            "Pain right now",
            (
                "No pain right now",
                "Slight pain",
                "Moderate pain",
                "Quite bad pain",
                "Very bad pain",
                "As bad as I can imagine",
            ),
        ),
        (
            "Washing and dressing yourself",
            (
                "Manage as usual, no extra pain",
                "Manage as usual, but it hurts more",
                "Manage slowly and carefully because it hurts",
                "Need a little help; do most of it myself",
                "Need help with most of it every day",
                "Mostly stay in bed; barely manage to wash or dress",
            ),
        ),
        (
            "Lifting",
            (
                "Heavy loads, no extra pain",
                "Heavy loads, with extra pain",
                "Heavy loads only from table height, not from the floor",
                "Only light or medium loads from table height",
                "Only very light things",
                "Nothing at all",
            ),
        ),
        (
            "Walking",
            (
                "Any distance",
                "Up to about 1.5 km (1 mile)",
                "Up to about 800 m (half a mile)",
                "Up to about 100 m",
                "Only with a stick or crutches",
                "In bed most of the day",
            ),
        ),
        (
            "Sitting",
            (
                "Any chair, for as long as I want",
                "Only my own favourite chair, for as long as I want",
                "Up to about 1 hour",
                "Up to about 30 minutes",
                "Up to about 10 minutes",
                "Cannot sit because of pain",
            ),
        ),
        (
            "Standing",
            (
                "As long as I want, no extra pain",
                "As long as I want, with extra pain",
                "Up to about 1 hour",
                "Up to about 30 minutes",
                "Up to about 10 minutes",
                "Cannot stand because of pain",
            ),
        ),
        (
            "Sleep",
            (
                "Pain never wakes me",
                "Pain sometimes disturbs my sleep",
                "Under 6 hours of sleep because of pain",
                "Under 4 hours",
                "Under 2 hours",
                "No sleep at all because of pain",
            ),
        ),
        (
            "Sex life (skip if it does not apply)",
            (
                "Unchanged, no extra pain",
                "Unchanged, with some extra pain",
                "Almost unchanged, but very painful",
                "Much restricted by pain",
                "Almost none because of pain",
                "None because of pain",
            ),
        ),
        (
            "Social life",
            (
                "Unchanged, no extra pain",
                "Unchanged, but more pain",
                "Only energetic pastimes such as sport are limited",
                "I go out less often",
                "My social life is mostly at home",
                "No social life because of pain",
            ),
        ),
        (
            "Travelling",
            (
                "Anywhere, no extra pain",
                "Anywhere, with extra pain",
                "Trips over 2 hours, though painful",
                "Trips under 1 hour only",
                "Short essential trips under 30 minutes only",
                "Only to get treatment",
            ),
        ),
    ),
)

_RMDQ = InstrumentText(
    instrument="rmdq",
    title="Roland-Morris Disability Questionnaire (RMDQ, 24 items) — paraphrased",
    instructions=(
        "Tick each line that is true for you today because of your back. Leave the others blank."
    ),
    items=_items(
        "Staying home most of the day",
        "Shifting position often to get comfortable",
        "Walking more slowly than usual",
        "Not doing my usual jobs around the house",
        "Using a handrail on the stairs",
        "Lying down to rest more often",
        "Holding on to something to get up from an easy chair",
        "Asking others to do things for me",
        "Getting dressed more slowly",
        "Standing only for short spells",
        "Avoiding bending or kneeling",
        "Finding it hard to get up from a chair",
        "Back hurts nearly all the time",
        "Finding it hard to turn over in bed",
        "Not much appetite",
        "Trouble putting on socks or tights",
        "Walking only short distances",
        "Sleeping less well",
        "Needing help to get dressed",
        "Sitting down for most of the day",
        "Avoiding heavy jobs around the house",
        "More irritable or short-tempered with people",
        "Going upstairs more slowly",
        "Staying in bed most of the time",
    ),
    options=("Not ticked", "Ticked"),
)

_STARTBACK = InstrumentText(
    instrument="startback",
    title="Keele STarT Back Screening Tool — paraphrased",
    instructions="Think about the last 2 weeks. Say whether you agree with each line.",
    items=_items(
        "My back pain has spread down one or both legs",
        "I have had shoulder or neck pain as well",
        "I have walked only short distances because of my back",
        "I have dressed more slowly because of my back",
        "Being active does not feel safe for someone with my back problem",
        "Worrying thoughts have been on my mind a lot",
        "My back is awful and I doubt it will ever improve",
        "I have not enjoyed the things I usually enjoy",
        (
            "How much has your back pain bothered you overall?",
            ("Not at all", "Slightly", "Moderately", "Very much", "Extremely"),
        ),
    ),
    options=("Disagree", "Agree"),
)

_NPRS = InstrumentText(
    instrument="nprs",
    title="Pain rating 0-10",
    instructions="Give one whole number from 0 (no pain) to 10 (the worst pain you can imagine).",
    items=_items(
        "Pain right now",
        "Lowest pain in the last 24 hours",
        "Highest pain in the last 24 hours",
    ),
    options=("0 = no pain", *(str(n) for n in range(1, 10)), "10 = worst pain imaginable"),
)

_PSFS = InstrumentText(
    instrument="psfs",
    title="Patient-Specific Functional Scale (PSFS)",
    instructions=(
        "Name up to 5 activities that your problem makes hard or impossible, and rate each "
        "from 0 (cannot do it) to 10 (can do it as well as before the problem)."
    ),
    items=_items(*(f"Activity {n}" for n in range(1, 6))),
    options=(
        "0 = cannot do it",
        *(str(n) for n in range(1, 10)),
        "10 = as well as before the problem",
    ),
)

_FABQ = InstrumentText(
    instrument="fabq",
    title="Fear-Avoidance Beliefs Questionnaire (FABQ) — paraphrased",
    instructions=(
        "For each line, pick a number from 0 (completely disagree) to 6 (completely agree) "
        "about how physical activity and work affect your back pain."
    ),
    items=_items(
        "Something physical I did brought on my pain",
        "Being physically active makes my pain worse",
        "Being physically active could harm my back",
        "I should avoid activities that make, or might make, my pain worse",
        "I cannot do activities that make, or might make, my pain worse",
        "My work, or an accident at work, caused my pain",
        "My work made my pain worse",
        "I have a compensation claim for my pain",
        "My work is too heavy for me",
        "My work makes, or would make, my pain worse",
        "My work could harm my back",
        "With my present pain I should not do my usual work",
        "With my present pain I cannot do my usual work",
        "I cannot do my usual work until my pain is treated",
        "I do not expect to be back at my usual work within 3 months",
        "I do not expect ever to go back to that work",
    ),
    options=(
        "Completely disagree",
        "Mostly disagree",
        "Somewhat disagree",
        "Unsure",
        "Somewhat agree",
        "Mostly agree",
        "Completely agree",
    ),
)

ITEM_TEXTS: Final[Mapping[str, InstrumentText]] = MappingProxyType(
    {text.instrument: text for text in (_ODI, _RMDQ, _STARTBACK, _NPRS, _PSFS, _FABQ)}
)


class _ItemEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    topic: str = Field(min_length=1)
    options: list[str] = Field(default_factory=list)


class _InstrumentEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    items: list[_ItemEntry]
    options: list[str] = Field(default_factory=list)
    licence: str = Field(min_length=1, description="who licensed the text, and the terms")


class _ItemTextFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    schema_version: int
    instruments: dict[str, _InstrumentEntry]


def _checked_entry(name: str, entry: _InstrumentEntry, where: str) -> InstrumentText:
    """The licensed text of one instrument, with the same items and answer scales as ours."""
    ours = ITEM_TEXTS[name]
    if len(entry.items) != len(ours.items):
        raise ConfigError(
            f"{where}: {name} needs {len(ours.items)} items (in the scoring order), "
            f"got {len(entry.items)}."
        )
    if len(entry.options) != len(ours.options):
        raise ConfigError(
            f"{where}: {name} needs {len(ours.options)} shared answer labels (index = answer "
            f"value), got {len(entry.options)}."
        )
    items = []
    for number, (item, mine) in enumerate(zip(entry.items, ours.items, strict=True), start=1):
        if len(item.options) != len(mine.options):
            raise ConfigError(
                f"{where}: {name} item {number} needs {len(mine.options)} answer labels "
                f"(index = answer value), got {len(item.options)}."
            )
        items.append(ItemText(number, item.topic, tuple(item.options)))
    return replace(
        ours,
        title=entry.title,
        instructions=entry.instructions,
        items=tuple(items),
        options=tuple(entry.options),
    )


def load_item_texts(path: str | os.PathLike[str]) -> Mapping[str, InstrumentText]:
    """Item texts with the licensed wording of a clinic's YAML file in place of ours.

    The file holds ``schema_version: 1`` and ``instruments``: instrument name -> ``title``,
    ``instructions``, ``licence`` (holder and terms), ``items`` (each ``topic`` and, where the
    item has its own answers, ``options``) and the shared ``options``. Every instrument given must
    have exactly our item count and answer-scale lengths, in the scoring order, so the scores
    stay right; instruments not given keep our paraphrases.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    Mapping
        Instrument name -> :class:`InstrumentText`, every instrument present.

    Raises
    ------
    ConfigError
        The file is missing or not valid YAML, an unknown instrument or key, a missing or empty
        text, or an item or answer count that differs from the instrument's; the message names
        the file, instrument and item.
    """
    file = Path(path)
    where = f"Item texts {file.name}"
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{where}: file not found ({file}).") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot be read.", detail=str(exc)) from exc
    data = load_strict_yaml(text, where, ConfigError)
    try:
        parsed = _ItemTextFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ConfigError(f"{where}: {problems}", detail=str(exc)) from exc
    if parsed.schema_version != 1:
        raise ConfigError(f"{where}: schema_version must be 1, got {parsed.schema_version}.")
    unknown = sorted(set(parsed.instruments) - set(ITEM_TEXTS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown instrument(s) {', '.join(unknown)}; known: {', '.join(ITEM_TEXTS)}."
        )
    merged = dict(ITEM_TEXTS)
    for name, entry in parsed.instruments.items():
        merged[name] = _checked_entry(name, entry, where)
    return MappingProxyType(merged)


def item_texts(instrument: str) -> InstrumentText:
    """Texts of one instrument (odi, rmdq, startback, nprs, psfs, fabq; any case).

    Our paraphrases, or the licensed text of the file named by ``$BACKREHAB_ITEM_TEXTS`` (read on
    every call, see :func:`load_item_texts`).

    Raises
    ------
    InvalidResponseError
        Unknown instrument (the message lists the known ones).
    ConfigError
        ``$BACKREHAB_ITEM_TEXTS`` names a file that is missing or invalid.
    """
    name = instrument.strip().lower() if isinstance(instrument, str) else ""
    if name not in ITEM_TEXTS:
        raise InvalidResponseError(
            f"Unknown instrument {instrument!r}; known instruments: {', '.join(sorted(ITEM_TEXTS))}"
        )
    licensed = os.environ.get(ENV_ITEM_TEXTS)
    texts = load_item_texts(licensed) if licensed else ITEM_TEXTS
    return texts[name]
