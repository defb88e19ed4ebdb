-- Sign-ins in progress between /authorize and Zoho's callback, shared by every
-- replica (any replica can complete a sign-in another one started). Keyed by the
-- SHA-256 of an opaque random key (the consent form's id, then our Zoho state);
-- the browser-binding cookie and the CSRF token are kept as SHA-256 hashes too.
-- Rows are single use (deleted when taken) and expire; expired rows are purged
-- whenever a sign-in starts.
CREATE TABLE oauth_pending (
    key_hash TEXT PRIMARY KEY NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('consent', 'zoho')),
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    client_state TEXT,
    code_challenge TEXT NOT NULL,
    scopes TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    csrf_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_pending_expires_at ON oauth_pending (expires_at);
