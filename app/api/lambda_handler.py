"""AWS Lambda entry point: ``app.api.lambda_handler.handler`` (the container's CMD).

A thin adapter over the same FastAPI app: Mangum turns a function URL event (payload v2, body
plain or ``isBase64Encoded``) into an HTTP request. A direct invoke (``aws lambda invoke``,
boto3) whose event is the JSON object itself is wrapped into the same kind of request, and its
result is the response JSON object itself (errors add ``"status"``, the HTTP status code).

The model loads once per container, in the init phase: the runtime resolves ``handler`` when
it starts, and that first lookup builds the app and loads the model (kept in the image; see
build/Dockerfile). Audio never touches the disk: the verifier takes the decoded bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from mangum import Mangum

from app.api import logguard
from app.api.app import create_app
from app.api.settings import ApiSettings

if TYPE_CHECKING:
    from app.core.verifier import Verifier

log = logging.getLogger(__name__)
NOT_BASE64 = "isBase64Encoded é true, mas o corpo não é um base64 válido"


class LambdaAdapter:
    """Callable ``(event, context) -> dict`` for both invocation styles."""

    def __init__(self, verifier: Verifier, settings: ApiSettings | None = None):
        self.settings = settings or ApiSettings.from_env()
        self.app = create_app(verifier, self.settings)
        self.mangum = Mangum(self.app, lifespan="off")

    def __call__(self, event: Any, context: Any = None) -> dict[str, Any]:
        """Any event gets a response: an odd one (``headers: null``, a list, ``cookies: 5``,
        bad base64) a JSON 400, never an exception (tests/security/test_lambda_events.py)."""
        if isinstance(event, dict) and "requestContext" in event:
            problem = event_problem(event)
            if problem:
                return _json_response(400, f"evento HTTP inválido: {problem}")
            event = _tidy(event)
        if self._is_http(event, context):
            refusal = self._refuse_anonymous(event)
            if refusal:
                return _json_response(401, refusal)
            if not _body_decodes(event):
                return _json_response(400, NOT_BASE64)
            return self._run(event, context)
        wrapped = self._wrap_direct(event)
        if not _body_decodes(wrapped):
            return _direct_result(_json_response(400, NOT_BASE64))
        return _direct_result(self._run(wrapped, context))

    def _run(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return self.mangum(event, context)
        except Exception as exc:  # an event shape Mangum cannot read: the caller's to fix
            log.warning("lambda event refused: %s: %s", type(exc).__name__, exc)
            return _json_response(400, "evento da Lambda em formato não reconhecido")

    def _refuse_anonymous(self, event: dict[str, Any]) -> str:
        """A public function URL (AuthType NONE) without a token would be a free transcription
        service for anyone (docs/SECURITY.md): refuse unless the URL is IAM-signed, tokens are
        configured, or the operator explicitly allowed it. ``/health`` stays open."""
        if self.settings.tokens or self.settings.allow_anonymous:
            return ""
        context = event.get("requestContext") or {}
        authorizer = context.get("authorizer") if isinstance(context, dict) else None
        if isinstance(authorizer, dict) and authorizer.get("iam"):
            return ""  # AWS checked the caller's signature before invoking us
        if event.get("rawPath") == "/health":
            return ""
        return (
            "esta função não está configurada para uso público: defina PONTOVOZ_API_AUTH_TOKEN "
            "e envie 'Authorization: Bearer <token>', ou use uma function URL com AuthType "
            "AWS_IAM (veja build/README.md)"
        )

    def _is_http(self, event: Any, context: Any) -> bool:
        if not isinstance(event, dict) or "requestContext" not in event:
            return False
        try:
            self.mangum.infer(event, context)
        except (RuntimeError, KeyError, TypeError, AttributeError, ValueError):
            return False
        return True

    def _wrap_direct(self, event: Any) -> dict[str, Any]:
        """A direct invoke's event -> a function URL event for POST /."""
        is_b64 = False
        if isinstance(event, dict) and "body" in event and "expected_speech" not in event:
            # A console test event or a hand-built proxy event without a requestContext.
            body = event.get("body")
            is_b64 = bool(event.get("isBase64Encoded")) and isinstance(body, str)
            if not isinstance(body, str):
                body = json.dumps(body)
        elif isinstance(event, str | bytes):
            body = event.decode("utf-8", "replace") if isinstance(event, bytes) else event
        else:
            body = json.dumps(event)
        headers = {"content-type": "application/json", "host": "direct-invoke"}
        if self.settings.tokens:  # already authorised by IAM to invoke the function
            headers["authorization"] = f"Bearer {self.settings.tokens[0]}"
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": "/",
            "rawQueryString": "",
            "headers": headers,
            "requestContext": {
                "http": {
                    "method": "POST",
                    "path": "/",
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": "direct-invoke",
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": "$default",
                "stage": "$default",
            },
            "body": body,
            "isBase64Encoded": is_b64,
        }


_MAPS = ("headers", "multiValueHeaders", "queryStringParameters",
         "multiValueQueryStringParameters", "pathParameters", "stageVariables")  # fmt: skip
_TEXTS = ("rawPath", "rawQueryString", "path", "httpMethod", "version", "routeKey", "resource")


def event_problem(event: dict[str, Any]) -> str:
    """What makes an HTTP event (function URL / API Gateway v2 or v1) unreadable, or ""."""
    if not isinstance(event.get("requestContext"), dict):
        return "'requestContext' deve ser um objeto"
    http = event["requestContext"].get("http")
    if http is not None and not (isinstance(http, dict) and isinstance(http.get("method"), str)):
        return "'requestContext.http' deve ser um objeto com 'method'"
    for key in _MAPS:
        value = event.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            return f"'{key}' deve ser um objeto"
        multi = key.startswith("multiValue")
        for k, v in value.items():
            ok = isinstance(v, list) and all(isinstance(x, str) for x in v) if multi else (
                isinstance(v, str))  # fmt: skip
            if not isinstance(k, str) or not ok:
                return f"'{key}' deve ter {'listas de textos' if multi else 'textos'}"
    cookies = event.get("cookies")
    if cookies is not None and not (
        isinstance(cookies, list) and all(isinstance(c, str) for c in cookies)
    ):
        return "'cookies' deve ser uma lista de textos"
    for key in _TEXTS:
        if event.get(key) is not None and not isinstance(event[key], str):
            return f"'{key}' deve ser um texto"
    if event.get("body") is not None and not isinstance(event["body"], str):
        return "'body' deve ser um texto (JSON em texto, ou base64 com isBase64Encoded)"
    if not isinstance(event.get("isBase64Encoded", False), bool):
        return "'isBase64Encoded' deve ser true ou false"
    return ""


def _tidy(event: dict[str, Any]) -> dict[str, Any]:
    """A readable event with its null maps as empty ones (Mangum calls ``.items()`` on them)."""
    out = dict(event)
    for key in ("headers", "multiValueHeaders", "queryStringParameters"):
        if key in out and out[key] is None:
            out[key] = {}
    return out


def _body_decodes(event: dict[str, Any]) -> bool:
    body = event.get("body")
    if not event.get("isBase64Encoded") or not isinstance(body, str):
        return True
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _json_response(status: int, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"error": message}),
        "isBase64Encoded": False,
    }


def _direct_result(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    try:
        data = json.loads(body)
    except ValueError:
        data = {"error": body or "resposta vazia"}
    if not isinstance(data, dict):
        data = {"result": data}
    status = int(response.get("statusCode", 200))
    if status >= 400:
        data["status"] = status
    return data


def make_handler(
    verifier: Verifier | None = None, settings: ApiSettings | None = None
) -> LambdaAdapter:
    """Build the handler; loads the model now (not on the first request) unless it is loaded."""
    start = time.perf_counter()
    logguard.install()
    if verifier is None:
        from app.core.verifier import Verifier

        verifier = Verifier()
    if not verifier.loaded:
        verifier.load()
    adapter = LambdaAdapter(verifier, settings)
    log.info("PontoVoz Lambda ready in %.2f s", time.perf_counter() - start)
    return adapter


_handler: LambdaAdapter | None = None


def __getattr__(name: str) -> Any:
    # ``handler`` is built on first lookup: the Lambda runtime looks it up during init, so the
    # model loads there, once per container; importing this module alone does no work.
    global _handler
    if name == "handler":
        if _handler is None:
            _handler = make_handler()
        return _handler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
