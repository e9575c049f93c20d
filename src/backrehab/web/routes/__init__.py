"""API routers: authentication (``auth``) and patient data (``patients``)."""

from __future__ import annotations
