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


_FIELDS = "expected_speech and audio"
_WHAT = {
    "expected_speech": "a string like 'ENTRADA 13 40'",
    "audio": "a string with the base64 of an audio file",
}


def describe(exc: ValidationError) -> str:
    """One readable sentence per problem, naming the field and what to send instead."""
    parts: list[str] = []
    for err in exc.errors():
        loc = err.get("loc") or ()
        name = str(loc[0]) if loc else ""
        kind = err.get("type", "")
        if kind == "missing":
            parts.append(f"missing field '{name}' ({_WHAT.get(name, 'required')})")
        elif kind == "extra_forbidden":
            parts.append(f"unexpected field '{name}'; send only {_FIELDS}")
        elif kind == "string_type":
            parts.append(f"'{name}' must be {_WHAT.get(name, 'a string')}")
        elif kind == "string_too_short":
            parts.append(f"'{name}' must not be empty")
        elif kind == "string_too_long":
            parts.append(f"'{name}' is too long; expected {_WHAT.get(name, 'a short string')}")
        elif kind == "model_type":
            parts.append(f"the body must be a JSON object with {_FIELDS}")
        else:
            parts.append(f"'{name}': {err.get('msg', 'invalid')}")
    return "; ".join(parts)
