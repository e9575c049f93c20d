"""Camera coach: repetition counting, hold timing and form checks driven by declarative specs.

Landmarks per frame -> spec signals (view-robust 3D measures) -> one generic engine (a repetition
state machine and a hold timer) -> per-repetition and per-set reports with form faults and cues.
"""
