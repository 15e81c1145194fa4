"""The verification core: audio in, a verdict out.

No Qt, no HTTP, no storage: see docs/ARCHITECTURE.md.
"""
