"""MCP OAuth sign-in driven by the official Python MCP SDK's own OAuth client.

`mcp.client.auth.OAuthClientProvider` (mcp 2.x) does everything an MCP client
does: on the first 401 it discovers the protected-resource and
authorization-server metadata, registers dynamically, builds the /authorize URL
with PKCE, and exchanges the code. Only the browser is played here: the SDK's
redirect_handler opens the URL in headless Chromium (selenium + Debian
chromium-driver), which approves our consent page and signs in at the
simulator's Zoho; Zoho sends the browser to our callback, which sends it to
the loopback redirect URI served here, whose query feeds the SDK's
callback_handler. Then the SDK's Streamable HTTP client initializes against
/mcp with the tokens and calls whoami and list_requests; the identity is
checked against the store (`sdp-mcp users list --json`): the MCP user is the
Zoho account that signed in. Finally the SDK refreshes its token (its
client-side expiry is moved into the past; the demo issues one-hour tokens)
and keeps calling with the rotated token.

Prints one line per check; exits non-zero on the first failure.

Usage: python oauth_sdk_client.py BASE_URL EMAIL PASSWORD SDP_MCP_BIN DATA_DIR
"""

import asyncio
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

import httpx2
from mcp import Client
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

BASE, EMAIL, PASSWORD, SDP_MCP_BIN, DATA_DIR = sys.argv[1:6]
BASE = BASE.rstrip("/")
PASSED = []
TIMEOUT = 60


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"), flush=True)
    if not condition:
        raise SystemExit(1)
    PASSED.append(name)


class MemoryStorage:
    """The SDK's TokenStorage, in memory; remembers every token set."""

    def __init__(self):
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None
        self.history: list[OAuthToken] = []

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens
        self.history.append(tokens)

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


class Loopback(http.server.BaseHTTPRequestHandler):
    """The MCP client's loopback redirect URI (RFC 8252)."""

    received: dict | None = None
    arrived = threading.Event()

    def do_GET(self):  # noqa: N802
        parsed = urllib.parse.urlparse(self.path)
        if parsed.path == "/callback":
            Loopback.received = dict(urllib.parse.parse_qsl(parsed.query))
            Loopback.arrived.set()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1 id='done'>Signed in; you can close this window.</h1>")

    def log_message(self, *args):
        pass


def browse(url: str, expected_redirect: str) -> None:
    """Plays the user in headless Chromium: our consent, Zoho login and consent."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
    check("SDK sends PKCE S256", query.get("code_challenge_method") == "S256" and query.get("code_challenge"), query)
    check("SDK sends the resource (RFC 8707)", query.get("resource") == f"{BASE}/mcp", query)
    check("SDK uses the registered loopback redirect", query.get("redirect_uri") == expected_redirect, query)
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1000,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    wait = WebDriverWait(driver, TIMEOUT)
    try:
        driver.get(url)
        wait.until(ec.presence_of_element_located((By.ID, "approve")))
        check("consent page names the SDK client",
              "Python SDK OAuth interop" in driver.find_element(By.ID, "client-name").text)
        driver.find_element(By.ID, "approve").click()
        wait.until(ec.presence_of_element_located((By.ID, "email")))
        driver.find_element(By.ID, "email").send_keys(EMAIL)
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "signin").click()
        wait.until(ec.presence_of_element_located((By.ID, "accept")))
        driver.find_element(By.ID, "accept").click()
        wait.until(ec.presence_of_element_located((By.ID, "done")))
    finally:
        driver.quit()


def store_user(name: str) -> dict:
    """The store's record of user `name`, read with the CLI on the demo's data dir."""
    out = subprocess.run([SDP_MCP_BIN, "users", "list", "--json", "--data-dir", DATA_DIR],
                         check=True, capture_output=True, text=True, timeout=TIMEOUT).stdout
    return next((row for row in json.loads(out) if row["user"] == name), {})


async def call(client: Client, tool: str, arguments: dict) -> dict:
    result = await client.call_tool(tool, arguments)
    check(f"{tool} succeeds", not result.is_error, result.content)
    return result.structured_content or {}


async def main() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), Loopback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{server.server_port}/callback"
    storage = MemoryStorage()

    async def redirect_handler(url: str) -> None:
        await asyncio.to_thread(browse, url, redirect_uri)

    async def callback_handler() -> AuthorizationCodeResult:
        arrived = await asyncio.to_thread(Loopback.arrived.wait, TIMEOUT)
        check("the browser reached the loopback redirect URI", arrived)
        got = Loopback.received or {}
        check("a code, no error", "code" in got and "error" not in got, got)
        return AuthorizationCodeResult(code=got["code"], state=got.get("state"), iss=got.get("iss"))

    provider = OAuthClientProvider(
        server_url=f"{BASE}/mcp",
        client_metadata=OAuthClientMetadata(
            client_name="Python SDK OAuth interop",
            redirect_uris=[redirect_uri],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
            scope="sdp",
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )
    http_client = httpx2.AsyncClient(auth=provider, timeout=TIMEOUT)
    async with http_client, Client(streamable_http_client(f"{BASE}/mcp", http_client=http_client)) as client:
        check("initialized after the SDK's OAuth flow", client.session.protocol_version is not None)
        check("the SDK registered dynamically", storage.client_info is not None and bool(storage.client_info.client_id))
        check("the SDK holds our tokens", storage.tokens is not None and storage.tokens.refresh_token is not None)
        meta = provider.context.oauth_metadata
        check("the SDK discovered our authorization server", meta is not None and str(meta.issuer).rstrip("/") == BASE,
              meta)
        who = await call(client, "whoami", {})
        check("authenticated by OAuth", who.get("auth_method") == "oauth", who)
        check("the Zoho grant works", who.get("credentials_valid") is True, who)
        record = store_user(EMAIL)
        check("the MCP user is the Zoho account that signed in",
              record.get("id") == who.get("mcp_user") and record.get("auth_method") == "oauth",
              f"whoami {who}, store {record}")
        listed = await call(client, "list_requests", {"page_size": 3})
        check("their SDP requests are listed", len(listed.get("requests", [])) > 0, listed)

        # Token refresh through the SDK: it refreshes before a request once its
        # token has expired (client-side clock; moved here instead of waiting).
        first = storage.tokens
        provider.context.token_expiry_time = time.time() - 1
        again = await call(client, "whoami", {})
        check("the SDK refreshed its token", storage.tokens is not first and len(storage.history) == 2,
              len(storage.history))
        check("refresh rotated both tokens",
              storage.tokens.access_token != first.access_token
              and storage.tokens.refresh_token != first.refresh_token)
        check("same user after the refresh", again.get("mcp_user") == who.get("mcp_user"), again)
        listed = await call(client, "list_requests", {"page_size": 1})
        check("list_requests with the rotated token", len(listed.get("requests", [])) == 1, listed)
    server.shutdown()
    print(f"{len(PASSED)} passed, 0 failed")


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=180))
