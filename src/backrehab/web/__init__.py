"""The web application: a FastAPI app built by :func:`backrehab.web.app.create_app`.

Nothing is built at import; settings come from ``BACKREHAB_*`` environment variables or are
passed to the factory.
"""

from __future__ import annotations
