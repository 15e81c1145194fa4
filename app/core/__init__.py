"""The verification core: audio in, a verdict out. No Qt, no HTTP, no storage (docs/ARCHITECTURE.md)."""
