"""The pre-flight check of a model endpoint: it answers, and it serves the models asked for."""

from __future__ import annotations

from collections.abc import Sequence

import openai

from autoexp.errors import EndpointError
from autoexp.models._openai import PREFLIGHT_TIMEOUT_S, ModelConfig, endpoint_url, resolve_endpoint

SHOWN_MODELS = 20
"""Served model ids named, at most, in the error about a model the endpoint does not serve."""


def served_models(client: openai.OpenAI) -> list[str] | None:
    """The model ids `GET /models` lists, or None when the server answers it with an error or
    with something that is not a list of models (it cannot tell which models it serves).

    Raises the client's APIConnectionError (timeouts included) when the server does not answer.
    """
    try:
        page = client.models.list()
    except openai.APIConnectionError:
        raise
    except Exception:  # it answered, but not with a list: 404, 401, 500, not JSON, ...
        return None
    ids = [getattr(m, "id", None) for m in getattr(page, "data", None) or []]
    names = [i for i in ids if isinstance(i, str) and i]
    return names or None


def is_served(name: str, served: Sequence[str]) -> bool:
    """Whether `name` is among the listed ids (Ollama lists `llama3` as `llama3:latest`)."""
    return name in served or f"{name}:latest" in served


def check_models(configs: Sequence[ModelConfig], timeout_s: float = PREFLIGHT_TIMEOUT_S) -> str:
    """Check, with the fewest cheap requests (no retries, a short timeout), that the endpoint of
    `configs` (one endpoint and API key, one or more models) answers and serves every model.

    Lists the endpoint's models once (`GET /models`); when the server cannot list them, sends
    each model a 1-token completion instead. Returns the endpoint's URL; raises EndpointError
    naming the endpoint, and the model when one is not served.
    """
    if not configs:
        raise ValueError("check_models needs at least one model config")
    base_url, key = resolve_endpoint(configs[0])
    where = endpoint_url(base_url)
    timeout = min(timeout_s, *(c.timeout_s for c in configs))
    client = openai.OpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)
    try:
        served = served_models(client)
    except openai.APIConnectionError as e:
        raise EndpointError(
            f"model endpoint {where} does not answer: {type(e).__name__}: {e}"
        ) from None
    names = list(dict.fromkeys(c.name for c in configs))
    if served is not None:
        missing = [n for n in names if not is_served(n, served)]
        if missing:
            more = ", ..." if len(served) > SHOWN_MODELS else ""
            shown = ", ".join(served[:SHOWN_MODELS]) + more
            raise EndpointError(
                f"model endpoint {where} does not serve model {missing[0]!r} (it lists: {shown}); "
                "check --model, or skip this check with --no-preflight"
            )
        return where
    for name in names:  # no list: a 1-token completion of each model
        try:
            client.chat.completions.create(
                model=name, messages=[{"role": "user", "content": "ping"}], max_tokens=1
            )
        except Exception as e:
            raise EndpointError(
                f"model endpoint {where} does not answer for model {name!r} (its /models gives "
                f"no list; a 1-token completion failed): {type(e).__name__}: {e}"
            ) from None
    return where
