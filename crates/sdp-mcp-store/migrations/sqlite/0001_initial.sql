-- sdp-mcp store, initial schema (SQLite). Keep migrations additive: a new
-- file per change, never an edit of an applied one.
-- Timestamps are milliseconds since the Unix epoch. Encrypted columns hold
-- envelopes [version][key id][nonce][ciphertext + tag] (see src/crypto).

CREATE TABLE meta (
    name TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    email TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    auth_method TEXT NOT NULL CHECK (auth_method IN ('api_key', 'oauth', 'env_import')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sdp_credentials (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cloud_oauth', 'onprem_authtoken')),
    client_id TEXT,
    instance TEXT,
    base_url TEXT,
    accounts_url TEXT,
    data_center TEXT,
    scopes TEXT,
    client_secret BLOB,
    refresh_token BLOB,
    authtoken BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (kind <> 'cloud_oauth' OR refresh_token IS NOT NULL),
    CHECK (kind <> 'onprem_authtoken' OR authtoken IS NOT NULL)
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    label TEXT,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_keys_user_id ON api_keys (user_id);

CREATE TABLE zoho_token_cache (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_token BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- No foreign key: the audit trail outlives the users it mentions.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at INTEGER NOT NULL,
    user_id TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_recorded_at ON audit_log (recorded_at);
CREATE INDEX audit_log_user_id_recorded_at ON audit_log (user_id, recorded_at);

-- MCP OAuth 2.1 authorization server (RFC 7591 dynamic registration).
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    client_secret_hash TEXT,
    client_name TEXT,
    redirect_uris TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    metadata TEXT,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);

-- Authorization codes, stored as SHA-256 hashes; single use.
CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    scopes TEXT NOT NULL,
    resource TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER
);
CREATE INDEX oauth_codes_user_id ON oauth_codes (user_id);

-- Access and refresh tokens issued to MCP clients, stored as SHA-256 hashes.
-- family_id groups a refresh-token rotation chain (reuse revokes the family).
CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    resource TEXT,
    family_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX oauth_tokens_user_id ON oauth_tokens (user_id);
CREATE INDEX oauth_tokens_family_id ON oauth_tokens (family_id);

-- Legacy MCP sessions shared by stateless replicas; ids stored as SHA-256 hashes.
CREATE TABLE mcp_sessions (
    session_id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    protocol_version TEXT NOT NULL,
    client_info TEXT,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX mcp_sessions_user_id ON mcp_sessions (user_id);
CREATE INDEX mcp_sessions_expires_at ON mcp_sessions (expires_at);
