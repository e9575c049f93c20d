"""backrehab: open, self-hostable neuromuscular reeducation for back pain.

Library layers (``pose``, and later ``assess``, ``coach``, ``plan``, ``progress``) are pure Python;
the CLI (``backrehab.cli``) sits on top. Not a medical device; see README.
"""

__version__ = "0.1.0"
