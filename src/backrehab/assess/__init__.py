"""Assessment: questionnaires, red flags, endurance, posture and movement screens, as findings.

Every instrument is pure, typed code; measurements become
:class:`~backrehab.assess.findings.Finding` objects that an
:class:`~backrehab.assess.findings.Assessment` bundles for the plan engine.
"""
