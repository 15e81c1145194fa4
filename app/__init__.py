"""PontoVoz: a voice-verified time clock (kiosk, cloud Speech API, CLI) over one offline core."""

__version__ = "0.1.0"
