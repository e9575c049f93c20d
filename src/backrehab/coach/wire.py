"""The landmark wire format of the in-browser coach: one small JSON message per camera frame.

Input: messages sent by the patient's browser (MediaPipe tasks-vision), as decoded JSON or text:
``{"type": "frame", "seq", "t" (media time, s), "lm": 33 x [x, y, z, visibility] (normalised
image coordinates), "wl": 33 x [x, y, z] (world metres, hip-centred)}``, with ``lm`` and ``wl``
null when no pose was found, or ``{"type": "finish"}``. Output: typed :class:`WireFrame` /
:class:`WireFinish` values; a malformed message raises :class:`WireFormatError` naming the problem.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from backrehab.errors import BackrehabError
from backrehab.pose.landmarks import N_LANDMARKS
from backrehab.pose.sequence import PoseSequence

FloatArray = npt.NDArray[np.float64]

#: Largest message accepted by :func:`decode_message` (a frame is about 2.3 KB at 4 decimals).
MAX_MESSAGE_BYTES: Final = 16_384
#: Normalised image coordinates beyond this many image widths/heights are not a body in view.
MAX_IMAGE_NORM: Final = 10.0
#: World coordinates are hip-centred metres: a body fits well inside this.
MAX_WORLD_M: Final = 10.0
#: Media time bound, seconds (about 115 days: no camera stream runs longer; a video's first
#: frames may be timed slightly before 0).
MAX_T_S: Final = 1.0e7
#: ``seq`` must be a JavaScript safe integer.
MAX_SEQ: Final = 2**53 - 1
#: Decimal places of coordinates in recorded streams (as the browser client sends them).
DECIMALS: Final = 4

_FRAME_KEYS: Final = frozenset({"type", "seq", "t", "lm", "wl"})
_NUMBER_TYPES: Final = frozenset({int, float})
_LIST_TYPE: Final = {list}


class WireFormatError(BackrehabError, ValueError):
    """A live-coach message is not valid JSON or not in the landmark wire format; the message
    names the field and what is wrong with it."""


@dataclass(frozen=True, slots=True, eq=False)
class WireFrame:
    """One frame from the browser. The arrays are None when no pose was found in the frame.

    ``image_norm`` (33, 3): x, y in image widths/heights from the top left, z relative depth;
    ``visibility`` (33,) in 0-1; ``world_m`` (33, 3) metres, origin between the hips, y down.
    """

    seq: int
    t_s: float
    image_norm: FloatArray | None
    visibility: FloatArray | None
    world_m: FloatArray | None

    @property
    def found(self) -> bool:
        """A pose was found in this frame."""
        return self.world_m is not None


@dataclass(frozen=True, slots=True)
class WireFinish:
    """The patient ended the set."""


def _within(v: object, limit: float) -> bool:
    """A JSON number (not a bool) within +-limit; NaN and infinities are not. Python's exact
    int-float comparison also handles integers too large for a float."""
    return type(v) in (int, float) and -limit <= v <= limit  # type: ignore[operator]


def _show(value: object, size: int) -> str:
    """A short JSON-like rendering of a bad value for an error message."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= size else text[: size - 3] + "..."


def _rows(value: object, field: str, width: int, limit: float) -> FloatArray:
    """33 rows of ``width`` finite numbers within +-limit, as an array. The usual good message
    takes a quick path (types checked at once, values by numpy); anything else is checked value
    by value in plain Python, so the error names the landmark (a numpy conversion of a ragged
    or mistyped list would fail with numpy's own message, or turn text and booleans into
    numbers)."""
    if (
        type(value) is list
        and len(value) == N_LANDMARKS
        and set(map(type, value)) == _LIST_TYPE
        and set(map(len, value)) == {width}
    ):
        flat = list(chain.from_iterable(value))  # C-level loops: the quick path's whole cost
        if set(map(type, flat)) <= _NUMBER_TYPES:
            try:
                array = np.array(flat, dtype=np.float64)
            except OverflowError:  # an integer too large for a float: named below
                pass
            else:
                if -limit <= array.min() and array.max() <= limit:
                    return array.reshape(N_LANDMARKS, width)
    if not isinstance(value, list):
        raise WireFormatError(
            f"Frame field '{field}' must be a list of {N_LANDMARKS} landmarks or null, "
            f"got {type(value).__name__}."
        )
    if len(value) != N_LANDMARKS:
        raise WireFormatError(
            f"Frame field '{field}' must hold {N_LANDMARKS} landmarks, got {len(value)}."
        )
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != width:
            raise WireFormatError(
                f"Frame field '{field}': landmark {i} must be a list of {width} numbers, "
                f"got {_show(row, 60)}."
            )
        for v in row:
            if not _within(v, limit):
                raise WireFormatError(
                    f"Frame field '{field}': landmark {i} has {_show(v, 30)}; every value "
                    f"must be a finite number within +-{limit:g}."
                )
    raise AssertionError("unreachable: the quick path accepts every valid list")


def parse_frame(obj: object) -> WireFrame:
    """A ``{"type": "frame", ...}`` message as a :class:`WireFrame`.

    Raises
    ------
    WireFormatError
        Not an object, a missing or unknown field, ``seq`` not a whole number in
        0..2**53-1, ``t`` not a finite number within +-1e7 s, ``lm`` / ``wl`` not 33 rows of 4 / 3
        finite numbers (visibility in 0-1, coordinates within +-10), or only one of them null.
    """
    if not isinstance(obj, dict):
        raise WireFormatError(
            f"A live-coach message must be a JSON object, got {type(obj).__name__}."
        )
    if obj.get("type") != "frame":
        raise WireFormatError(f"Expected a message of type 'frame', got {obj.get('type')!r}.")
    missing = sorted(_FRAME_KEYS - obj.keys())
    if missing:
        raise WireFormatError(f"Frame message is missing the field(s) {', '.join(missing)}.")
    unknown = sorted(str(k) for k in obj.keys() - _FRAME_KEYS)
    if unknown:
        raise WireFormatError(
            f"Frame message has unknown field(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(_FRAME_KEYS))}."
        )
    seq = obj["seq"]
    if type(seq) is not int or not 0 <= seq <= MAX_SEQ:
        raise WireFormatError(
            f"Frame field 'seq' must be a whole number from 0 to {MAX_SEQ}, got {seq!r}."
        )
    t = obj["t"]
    if not _within(t, MAX_T_S):
        raise WireFormatError(
            f"Frame field 't' (media time) must be a finite number of seconds within "
            f"+-{MAX_T_S:g}, got {t!r}."
        )
    lm, wl = obj["lm"], obj["wl"]
    if lm is None and wl is None:
        return WireFrame(seq=seq, t_s=float(t), image_norm=None, visibility=None, world_m=None)
    if lm is None or wl is None:
        raise WireFormatError(
            "Frame fields 'lm' and 'wl' must both be landmarks, or both null (no pose found)."
        )
    image = _rows(lm, "lm", 4, MAX_IMAGE_NORM)
    world = _rows(wl, "wl", 3, MAX_WORLD_M)
    visibility = image[:, 3].copy()
    bad = np.flatnonzero((visibility < 0.0) | (visibility > 1.0))
    if bad.size:
        i = int(bad[0])
        raise WireFormatError(
            f"Frame field 'lm': landmark {i} has visibility {visibility[i]:g}; it must be 0-1."
        )
    return WireFrame(
        seq=seq,
        t_s=float(t),
        image_norm=np.ascontiguousarray(image[:, :3]),
        visibility=visibility,
        world_m=world,
    )


def parse_message(obj: object) -> WireFrame | WireFinish:
    """A decoded message: a frame or the end of the set.

    Raises
    ------
    WireFormatError
        Not an object, an unknown ``type``, or a malformed frame (see :func:`parse_frame`).
    """
    if not isinstance(obj, dict):
        raise WireFormatError(
            f"A live-coach message must be a JSON object, got {type(obj).__name__}."
        )
    kind = obj.get("type")
    if kind == "frame":
        return parse_frame(obj)
    if kind == "finish":
        if set(obj) != {"type"}:
            raise WireFormatError("A 'finish' message has no other field than 'type'.")
        return WireFinish()
    raise WireFormatError(
        f"Unknown live-coach message type {kind!r}: expected 'frame' or 'finish'."
    )


def _no_constant(name: str) -> Any:
    raise WireFormatError(f"Live-coach messages must not contain {name}: only finite numbers.")


def decode_message(
    text: str | bytes, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> WireFrame | WireFinish:
    """Parse the text of one socket message.

    Raises
    ------
    WireFormatError
        Over ``max_bytes``, not UTF-8, not JSON (NaN and Infinity included), or not a valid
        message (see :func:`parse_message`).
    """
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > max_bytes:
        raise WireFormatError(
            f"Live-coach message of {size} bytes is over the limit of {max_bytes} bytes."
        )
    return parse_message(_loads(text))


def _loads(text: str | bytes) -> object:
    """JSON text to Python values, every failure a :class:`WireFormatError`."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except WireFormatError:  # NaN or Infinity, named by _no_constant
        raise
    except UnicodeDecodeError as exc:
        raise WireFormatError("Live-coach message is not UTF-8 text.", detail=str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise WireFormatError(
            f"Live-coach message is not valid JSON ({exc.msg} at character {exc.pos}).",
            detail=str(exc),
        ) from exc
    except RecursionError as exc:
        raise WireFormatError("Live-coach message is nested too deeply.") from exc
    except ValueError as exc:  # e.g. an integer of over 4300 digits
        raise WireFormatError(
            "Live-coach message holds a number that cannot be read.", detail=str(exc)
        ) from exc


def encode_frame(
    seq: int,
    t_s: float,
    image_norm: FloatArray | None,
    visibility: FloatArray | None,
    world_m: FloatArray | None,
) -> dict[str, Any]:
    """A frame message as the browser sends it (coordinates rounded to :data:`DECIMALS`).

    ``image_norm``, ``visibility`` and ``world_m`` are all None for a frame without a pose.
    """
    if image_norm is None or visibility is None or world_m is None:
        return {"type": "frame", "seq": int(seq), "t": float(t_s), "lm": None, "wl": None}
    lm = np.round(np.column_stack([image_norm, visibility]), DECIMALS)
    wl = np.round(world_m, DECIMALS)
    return {
        "type": "frame",
        "seq": int(seq),
        "t": round(float(t_s), 6),
        "lm": lm.tolist(),
        "wl": wl.tolist(),
    }


def sequence_messages(sequence: PoseSequence) -> Iterator[dict[str, Any]]:
    """The frames of an extracted video as the browser would send them (image pixels turned
    back into normalised coordinates; frames without a person carry null landmarks).

    Raises
    ------
    WireFormatError
        The sequence is a photo, or its frame size is unknown.
    """
    source = sequence.source
    width, height = source.frame_width_px, source.frame_height_px
    if source.kind == "photo" or width <= 0 or height <= 0:
        raise WireFormatError(
            f"{source.file_name}: a landmark stream needs a video with a known frame size."
        )
    scale = np.array([width, height, width], dtype=np.float64)
    for i in range(sequence.n_frames):
        world = sequence.world_m[i]
        vis = sequence.visibility[i]
        t_s = float(sequence.t_s[i])
        if not (np.isfinite(world).all() and np.isfinite(vis).all()):
            yield encode_frame(i + 1, t_s, None, None, None)
            continue
        image = np.clip(sequence.image_px[i] / scale, -MAX_IMAGE_NORM, MAX_IMAGE_NORM)
        yield encode_frame(i + 1, t_s, image, np.clip(vis, 0.0, 1.0), world)


def write_stream(path: Path, messages: Iterable[dict[str, Any]]) -> int:
    """Write messages as JSON lines (gzip-compressed when ``path`` ends in ``.gz``); returns
    how many were written."""
    n = 0
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as out:
        for message in messages:
            out.write(json.dumps(message, separators=(",", ":")) + "\n")
            n += 1
    return n


def read_stream(path: Path) -> list[WireFrame]:
    """The frames of a recorded stream (JSON lines, optionally ``.gz``), each one checked.

    Raises
    ------
    WireFormatError
        The file cannot be read, or a line is not a valid frame message (the line is named).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    frames = []
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    frames.append(parse_frame(_loads(line)))
                except WireFormatError as exc:
                    raise WireFormatError(
                        f"{path.name}, line {number}: {exc}", detail=str(exc)
                    ) from exc
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise WireFormatError(f"Cannot read the landmark stream {path}.", detail=str(exc)) from exc
    return frames
