"""The wire format: pydantic models, which are also the OpenAPI schema."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError


class ValidateRequest(BaseModel):
    """The seed's request body, exactly: two non-empty strings and nothing else."""

    model_config = ConfigDict(extra="forbid")

    expected_speech: StrictStr = Field(
        min_length=1,
        max_length=64,
        description="The punch phrase to check: TYPE HOUR MINUTE, e.g. 'ENTRADA 13 40'.",
        examples=["ENTRADA 13 40"],
    )
    audio: StrictStr = Field(
        min_length=1,
        description="Base64 of an audio file (WAV, MP3, OGG, WebM, M4A or FLAC).",
    )


class ValidateResponse(BaseModel):
    validated: bool = Field(description="True when the audio says the expected phrase.")
    spoken_text_in_audio: str = Field(description="Whisper's raw transcript (leading space kept).")


class ErrorResponse(BaseModel):
    error: str = Field(description="What was wrong and how to fix it.")


class QueueInfo(BaseModel):
    concurrency: int
    pending: int
    limit: int


class HealthResponse(BaseModel):
    status: str = Field(description="'ok' when the model is loaded, else 'loading'.")
    model_loaded: bool
    version: str
    model: str
    compute_type: str
    cpu_threads: int
    num_workers: int
    queue: QueueInfo


_FIELDS = "expected_speech e audio"
_WHAT = {
    "expected_speech": "um texto como 'ENTRADA 13 40'",
    "audio": "um texto com o base64 de um arquivo de áudio",
}


def describe(exc: ValidationError) -> str:
    """One readable pt-BR sentence per problem, naming the field and what to send instead."""
    parts: list[str] = []
    for err in exc.errors():
        loc = err.get("loc") or ()
        name = str(loc[0]) if loc else ""
        kind = err.get("type", "")
        if kind == "missing":
            parts.append(f"falta o campo '{name}' ({_WHAT.get(name, 'obrigatório')})")
        elif kind == "extra_forbidden":
            parts.append(f"campo inesperado '{name}'; envie apenas {_FIELDS}")
        elif kind == "string_type":
            parts.append(f"'{name}' deve ser {_WHAT.get(name, 'um texto')}")
        elif kind == "string_too_short":
            parts.append(f"'{name}' não pode estar vazio")
        elif kind == "string_too_long":
            parts.append(f"'{name}' é longo demais; esperado {_WHAT.get(name, 'um texto curto')}")
        elif kind == "model_type":
            parts.append(f"o corpo deve ser um objeto JSON com {_FIELDS}")
        else:
            parts.append(f"valor inválido em '{name}': {err['msg']}")
    return "; ".join(parts)
