"""Fuzzing over the OpenAPI schema (schemathesis, positive and negative data) and over raw
bodies (hypothesis), against the real app served by uvicorn: no request may get a 5xx."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

SCHEMA_EXAMPLES = 500  # per operation and mode: POST / x 2 modes + GET /health
RAW_EXAMPLES = 400


@pytest.fixture(scope="module")
def counter() -> dict[str, int]:
    return {"schema": 0, "raw": 0}


@pytest.fixture(scope="module", autouse=True)
def _report(counter):
    yield
    print(f"\nfuzz requests: {counter} (total {sum(counter.values())})")


def test_schemathesis_over_openapi(live, counter):
    schema = schemathesis.openapi.from_url(live.url + "/openapi.json")
    post, health = schema["/"]["POST"], schema["/health"]["GET"]
    strategy = st.one_of(
        post.as_strategy(generation_mode=GenerationMode.POSITIVE),
        post.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        health.as_strategy(),
    )

    @settings(
        max_examples=2 * SCHEMA_EXAMPLES + 100,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        response = case.call(base_url=live.url, timeout=30)
        counter["schema"] += 1
        assert response.status_code < 500, (case.body, response.text)
        case.validate_response(response, checks=[not_a_server_error])
        assert "error" in response.json() or response.status_code < 400

    run()
    assert counter["schema"] >= 1000


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
phrases = st.one_of(
    st.text(max_size=30),
    st.builds(
        "{} {} {}".format,
        st.sampled_from(["ENTRADA", "saída", "PAUSA", "retorno", "X"]),
        st.integers(-5, 99),
        st.integers(-5, 99),
    ),
)
audios = st.one_of(
    st.text(max_size=60),
    st.binary(max_size=600).map(lambda b: base64.b64encode(b).decode()),
    st.binary(max_size=300).map(lambda b: base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEfmt " + b)),
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"expected_speech": phrases, "audio": audios}).map(
        lambda d: json.dumps({k: v if isinstance(v, str) else v.decode() for k, v in d.items()})
    ),
    st.dictionaries(
        st.sampled_from(["expected_speech", "audio", "extra"]), json_values | phrases
    ).map(json.dumps),
)


def test_hypothesis_raw_bodies(live, counter):
    with httpx.Client(base_url=live.url, timeout=30) as client:

        @settings(
            max_examples=RAW_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(body=bodies, method=st.sampled_from(["POST", "POST", "POST", "PUT", "GET"]))
        def run(body, method) -> None:
            data = body.encode() if isinstance(body, str) else body
            r = client.request(method, "/", content=data)
            counter["raw"] += 1
            assert r.status_code < 500, (body, r.text)
            if r.status_code >= 400:
                assert set(r.json()) == {"error"}

        run()
