"""Interop check with the official Python MCP SDK (`mcp` 2.x).

Connects to a running sdp-mcp over Streamable HTTP (`/mcp`, legacy and 2026-07-28
eras) and over the legacy SSE transport (`/sse`), lists the tools and calls a few
against the simulator. Prints one line per check and a closing
`N passed, N failed` line; exits non-zero on any failure.

Usage: python interop_python.py http://127.0.0.1:PORT [API_KEY]
"""

import asyncio
import sys
import traceback

import httpx2
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

EXPECTED_TOOLS = {
    "list_requests", "get_request", "search_requests", "create_request", "update_request",
    "close_request", "assign_request", "pickup_request", "add_note", "list_notes",
    "get_metadata", "get_request_fields", "list_technicians", "get_technician",
    "find_technician", "whoami",
}


async def exercise(client: Client, label: str) -> None:
    tools = await client.list_tools()
    names = {tool.name for tool in tools.tools}
    missing = EXPECTED_TOOLS - names
    assert not missing, f"{label}: tools missing from tools/list: {sorted(missing)}"
    listed = await client.call_tool("list_requests", {"page_size": 5})
    assert not listed.is_error, f"{label}: list_requests failed: {listed.content}"
    requests = listed.structured_content["requests"]
    assert requests, f"{label}: list_requests returned no requests"
    first = requests[0]["id"]
    got = await client.call_tool("get_request", {"request_id": str(first)})
    assert not got.is_error, f"{label}: get_request failed: {got.content}"
    me = await client.call_tool("whoami", {})
    assert not me.is_error, f"{label}: whoami failed: {me.content}"


async def check_streamable(base: str, headers: dict, mode: str) -> None:
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http), mode=mode) as client:
        version = client.session.protocol_version
        if mode == "legacy":
            assert version != "2026-07-28", f"legacy mode negotiated {version}"
        await exercise(client, f"/mcp {mode} ({version})")


async def check_sse(base: str, headers: dict) -> None:
    async with Client(sse_client(f"{base}/sse", headers=headers), mode="legacy") as client:
        await exercise(client, "/sse")


async def main() -> int:
    base = sys.argv[1].rstrip("/")
    headers = {"Authorization": f"Bearer {sys.argv[2]}"} if len(sys.argv) > 2 and sys.argv[2] else {}
    checks = [
        ("streamable-http legacy era", check_streamable(base, headers, "legacy")),
        ("streamable-http auto era", check_streamable(base, headers, "auto")),
        ("legacy sse", check_sse(base, headers)),
    ]
    passed = failed = 0
    for name, check in checks:
        try:
            await asyncio.wait_for(check, timeout=60)
            print(f"PASS python-mcp {name}")
            passed += 1
        except Exception:  # noqa: BLE001 - report every failure, keep going
            print(f"FAIL python-mcp {name}")
            traceback.print_exc()
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
