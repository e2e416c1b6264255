"""The fake OpenAI-compatible server, importable and runnable.

    python -m autoexp.models.fake --script script.json --port 0

prints the server's base URL (e.g. `http://127.0.0.1:43211/v1`) on its first line of stdout and
serves until SIGTERM or Ctrl-C. See `autoexp.models._fake` for the script format.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from autoexp.models._fake import (
    FakeServer,
    FakeToolCall,
    Route,
    Script,
    ScriptEntry,
    Usage,
    estimate_tokens,
    opening_text,
)

__all__ = [
    "FakeServer",
    "FakeToolCall",
    "Route",
    "Script",
    "ScriptEntry",
    "Usage",
    "estimate_tokens",
    "main",
    "opening_text",
]


def main(argv: list[str] | None = None) -> int:
    """Command line entry: serve a script until terminated."""
    ap = argparse.ArgumentParser(
        prog="python -m autoexp.models.fake",
        description="Serve a scripted fake model over an OpenAI-compatible HTTP API.",
    )
    ap.add_argument("--script", required=True, type=Path, help="script file (JSON or YAML)")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="port (0: pick a free one)")
    ap.add_argument(
        "--requests-log", type=Path, default=None, help="append every request to this JSONL file"
    )
    args = ap.parse_args(argv)
    server = FakeServer(
        Script.load(args.script), host=args.host, port=args.port, requests_log=args.requests_log
    )

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(server.base_url, flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
