"""Package data of the plan engine: ``rules.yaml``, the packaged treatment-plan rules."""
