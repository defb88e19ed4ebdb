"""MCP OAuth sign-in in a real headless Chromium (selenium + chromium-driver).

Plays an MCP client against a running server with OAuth enabled:
401 challenge -> protected-resource metadata -> authorization-server metadata ->
dynamic registration -> /authorize with PKCE in the browser (our consent page,
the simulator's Zoho login and consent) -> the loopback redirect URI served
here -> /token -> tools/call whoami and list_requests over /mcp with the bearer
(stateless 2026-07-28 JSON-RPC) as that Zoho user -> refresh rotation.
Saves screenshots (the consent step included) to ARTIFACT_DIR.

Usage: python oauth_browser.py BASE_URL EMAIL PASSWORD ARTIFACT_DIR
"""

import base64
import hashlib
import http.server
import json
import os
import secrets
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

BASE, EMAIL, PASSWORD, ARTIFACTS = sys.argv[1:5]
os.makedirs(ARTIFACTS, exist_ok=True)
RESULTS = []


def check(name, condition, detail=""):
    RESULTS.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    if not condition:
        raise SystemExit(1)


def request(method, url, body=None, headers=None, form=None):
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def call_tool(token, name, arguments=None):
    """A stateless 2026-07-28 tools/call over /mcp; (HTTP status, JSON-RPC result or body)."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "oauth-browser-test", "version": "0"},
    }
    status, headers, body = request("POST", f"{BASE}/mcp", body={
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": arguments or {}, "_meta": meta},
    }, headers={
        "Authorization": "Bearer " + token,
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Mcp-Name": name,
    })
    if status != 200:
        return status, body
    text = body.decode()
    if headers.get("Content-Type", "").startswith("text/event-stream"):
        messages = [json.loads(line[5:]) for line in text.splitlines()
                    if line.startswith("data:") and line[5:].strip()]
        message = next(m for m in messages if m.get("id") == 1)
    else:
        message = json.loads(text)
    return status, message.get("result", message)


class Callback(http.server.BaseHTTPRequestHandler):
    """The MCP client's loopback redirect URI."""

    received = None
    done = threading.Event()

    def do_GET(self):  # noqa: N802
        parsed = urllib.parse.urlparse(self.path)
        if parsed.path == "/callback":
            Callback.received = dict(urllib.parse.parse_qsl(parsed.query))
            Callback.done.set()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1 id='done'>Signed in; you can close this window.</h1>")

    def log_message(self, *args):
        pass


def main():
    # Discovery.
    status, headers, _ = request("POST", f"{BASE}/mcp", body={})
    challenge = headers.get("WWW-Authenticate", "")
    check("401 with resource_metadata", status == 401 and "resource_metadata=" in challenge,
          f"{status} {challenge}")
    prm_url = challenge.split('resource_metadata="', 1)[1].split('"', 1)[0]
    prm = json.loads(request("GET", prm_url)[2])
    check("protected-resource metadata", prm["resource"] == f"{BASE}/mcp", prm)
    issuer = prm["authorization_servers"][0]
    asm = json.loads(request("GET", f"{issuer}/.well-known/oauth-authorization-server")[2])
    check("AS metadata has S256", "S256" in asm["code_challenge_methods_supported"], asm)

    # Loopback redirect URI and registration.
    server = http.server.HTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{server.server_port}/callback"
    status, _, body = request("POST", asm["registration_endpoint"],
                              body={"client_name": "Browser test client",
                                    "redirect_uris": [redirect_uri]})
    check("dynamic registration", status == 201, body)
    client_id = json.loads(body)["client_id"]

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    authorize = asm["authorization_endpoint"] + "?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "code_challenge": challenge, "code_challenge_method": "S256", "state": state,
        "scope": "sdp", "resource": prm["resource"],
    })

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1000,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
        options=options)
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(authorize)
        wait.until(ec.presence_of_element_located((By.ID, "approve")))
        check("consent page names the client",
              "Browser test client" in driver.find_element(By.ID, "client-name").text)
        check("consent page shows the redirect URI",
              driver.find_element(By.ID, "redirect-uri").text == redirect_uri)
        driver.save_screenshot(os.path.join(ARTIFACTS, "1-consent.png"))
        driver.find_element(By.ID, "approve").click()

        wait.until(ec.presence_of_element_located((By.ID, "email")))
        driver.save_screenshot(os.path.join(ARTIFACTS, "2-zoho-login.png"))
        driver.find_element(By.ID, "email").send_keys(EMAIL)
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "signin").click()

        wait.until(ec.presence_of_element_located((By.ID, "accept")))
        driver.save_screenshot(os.path.join(ARTIFACTS, "3-zoho-consent.png"))
        driver.find_element(By.ID, "accept").click()

        wait.until(ec.presence_of_element_located((By.ID, "done")))
        driver.save_screenshot(os.path.join(ARTIFACTS, "4-done.png"))
    finally:
        driver.quit()

    check("redirect reached the client", Callback.done.wait(30))
    got = Callback.received
    check("state round-tripped", got.get("state") == state, got)
    check("iss is the issuer (RFC 9207)", got.get("iss") == issuer, got)
    check("a code, no error", "code" in got and "error" not in got, got)

    status, _, body = request("POST", asm["token_endpoint"], form={
        "grant_type": "authorization_code", "client_id": client_id, "code": got["code"],
        "redirect_uri": redirect_uri, "code_verifier": verifier, "resource": prm["resource"],
    })
    check("token exchange", status == 200, body)
    tokens = json.loads(body)

    status, result = call_tool(tokens["access_token"], "whoami")
    check("whoami over /mcp with the bearer", status == 200 and not result.get("isError"),
          f"{status} {result}")
    who = result.get("structuredContent", {})
    check("authenticated by OAuth", who.get("auth_method") == "oauth", who)
    check("as a signed-in user of the store", bool(who.get("mcp_user")), who)
    check("their Zoho grant works", who.get("credentials_valid") is True, who)
    status, result = call_tool(tokens["access_token"], "list_requests", {"page_size": 3})
    check("list_requests over /mcp", status == 200 and not result.get("isError"),
          f"{status} {result}")
    check("their SDP requests are listed",
          len(result.get("structuredContent", {}).get("requests", [])) > 0, result)

    status, _, body = request("POST", asm["token_endpoint"], form={
        "grant_type": "refresh_token", "client_id": client_id,
        "refresh_token": tokens["refresh_token"],
    })
    check("refresh rotates", status == 200 and json.loads(body)["refresh_token"] != tokens["refresh_token"], body)
    rotated = json.loads(body)
    status, result = call_tool(rotated["access_token"], "whoami")
    check("the rotated access token works", status == 200 and
          result.get("structuredContent", {}).get("mcp_user") == who.get("mcp_user"),
          f"{status} {result}")
    status, _, body = request("POST", asm["token_endpoint"], form={
        "grant_type": "refresh_token", "client_id": client_id,
        "refresh_token": tokens["refresh_token"],
    })
    check("refresh reuse refused", status == 400 and json.loads(body)["error"] == "invalid_grant", body)
    server.shutdown()
    print(f"{len(RESULTS)} passed, 0 failed")


if __name__ == "__main__":
    main()
