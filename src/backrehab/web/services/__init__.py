"""Application services: the clinic's workflows on top of the library layers and the database.

Plain functions taking a SQLAlchemy session (and an :class:`~backrehab.web.services.actor.Actor`
for the audit log); no FastAPI here, so that the CLI, the background jobs and the benchmarks call
the same code as the web routes. They ``flush()``; the caller owns the transaction.
"""
