"""A Lambda function URL event (payload v2) shaped like the ones AWS delivers, for the tests
that hand events to the Lambda adapter (tests/api, tests/security): one builder, so every test
speaks the same AWS shape."""

from __future__ import annotations

import base64

API_ID = "b62rss5pn3ufd7w2uwnaroo5qu0ujcsb"
DOMAIN = f"{API_ID}.lambda-url.sa-east-1.on.aws"
IAM_ACCOUNT = "123456789012"


def function_url_event(
    body: str | bytes | None,
    method: str = "POST",
    path: str = "/",
    *,
    b64: bool = False,
    headers: dict[str, str] | None = None,
    iam: bool = False,
) -> dict:
    """``b64`` sends the body base64-encoded, as AWS does for binary bodies; ``iam`` adds the
    authorizer block AWS puts there when the URL's AuthType is AWS_IAM."""
    raw = body.encode() if isinstance(body, str) else body
    event_body = None
    if raw is not None:
        event_body = base64.b64encode(raw).decode() if b64 else raw.decode()
    context: dict = {
        "accountId": "anonymous",
        "apiId": API_ID,
        "domainName": DOMAIN,
        "domainPrefix": API_ID,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": "python-requests/2.31.0",
        },
        "requestId": "6a0f4c8e-0b7d-4a59-9a35-3c2d9f0e1a11",
        "routeKey": "$default",
        "stage": "$default",
        "time": "25/Nov/2025:14:45:00 +0000",
        "timeEpoch": 1764081900000,
    }
    if iam:
        context["accountId"] = IAM_ACCOUNT
        context["authorizer"] = {
            "iam": {
                "accessKey": "AKIAIOSFODNN7EXAMPLE",
                "accountId": IAM_ACCOUNT,
                "callerId": "AIDACKCEVSQ6C2EXAMPLE",
                "userArn": f"arn:aws:iam::{IAM_ACCOUNT}:user/kiosk-01",
                "userId": "AIDACKCEVSQ6C2EXAMPLE",
            }
        }
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "x-amzn-tls-version": "TLSv1.3",
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-forwarded-for": "203.0.113.7",
            "accept": "*/*",
            "host": DOMAIN,
            "user-agent": "python-requests/2.31.0",
            "content-type": "application/json",
            "content-length": str(len(raw or b"")),
            **(headers or {}),
        },
        "requestContext": context,
        "body": event_body,
        "isBase64Encoded": b64,
    }
