"""The kiosk: a full-screen PySide6 time clock that records the spoken punch and verifies it.

Screens only draw and emit; workers (model loading, recording, verification) are QObjects moved
onto QThreads; the audio source, clock, settings, verifier and ledger are injected.
"""
