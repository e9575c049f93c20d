"""One exception hierarchy for the whole project.

Every error carries a ``user_message`` (plain words, shown by the CLI and the web app) and an
optional ``detail`` (technical context for logs and bug reports). The CLI exits with code 2.
"""

from __future__ import annotations


class BackrehabError(Exception):
    """Base class of every error this project raises on purpose.

    Parameters
    ----------
    user_message
        What went wrong and, where possible, what to do about it, in plain words.
    detail
        Technical context (paths, numbers, library messages) for logs and bug reports.
    """

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail

    def __str__(self) -> str:
        if self.detail:
            return f"{self.user_message} ({self.detail})"
        return self.user_message


class ConfigError(BackrehabError, ValueError):
    """A setting or parameter is out of its allowed range."""


class MediaError(BackrehabError):
    """A photo or video cannot be used."""


class UnsupportedMediaError(MediaError, ValueError):
    """The file type is not one we read."""


class MediaReadError(MediaError, OSError):
    """The file is missing, unreadable or corrupt."""


class MediaTooLargeError(MediaError, ValueError):
    """The file is over the configured size limit."""


class EmptyMediaError(MediaError, ValueError):
    """The video holds no decodable frame."""


class NoPersonError(MediaError):
    """No person was found in the photo, or in too few video frames."""

    def __init__(self, user_message: str, *, detected_fraction: float, detail: str = "") -> None:
        super().__init__(user_message, detail=detail)
        self.detected_fraction = detected_fraction


class PoseFileError(BackrehabError, ValueError):
    """A saved pose file is unreadable, of an unknown version or inconsistent."""


class InvalidResponseError(BackrehabError, ValueError):
    """Questionnaire answers or clinician-entered values are missing, of the wrong type or out of
    range; the message names the item."""


class PoseQualityError(BackrehabError):
    """The camera data cannot support the requested judgement (wrong view, too few visible
    landmarks, person not in the test position)."""


class ConflictError(InvalidResponseError):
    """The input clashes with a record that already exists (a reference, an e-mail address);
    the message names it (HTTP 409)."""
