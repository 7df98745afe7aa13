-- Organisations (tenants), users, console sessions, API tokens, login
-- throttling and idempotency records. Times are Unix epoch milliseconds (UTC).
CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('platform', 'seller', 'warehouse_operator')),
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    name_zh     TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    email            TEXT    NOT NULL UNIQUE,
    display_name     TEXT    NOT NULL,
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('owner', 'staff', 'warehouse_operator', 'platform_admin')),
    locale           TEXT,
    created_at       INTEGER NOT NULL,
    disabled_at      INTEGER
);
CREATE INDEX users_by_organisation ON users (organisation_id, id);

CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    user_id          INTEGER NOT NULL REFERENCES users (id),
    token_hash       TEXT    NOT NULL UNIQUE,
    csrf_token       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    user_id          INTEGER NOT NULL REFERENCES users (id),
    name             TEXT    NOT NULL,
    token_hash       TEXT    NOT NULL UNIQUE,
    token_prefix     TEXT    NOT NULL,
    scopes           TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER,
    last_used_at     INTEGER,
    revoked_at       INTEGER
);
CREATE INDEX api_tokens_by_organisation ON api_tokens (organisation_id, id);

CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY,
    email       TEXT    NOT NULL,
    client_ip   TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures (email, at);
CREATE INDEX login_failures_by_ip ON login_failures (client_ip, at);

CREATE TABLE idempotency_keys (
    principal       TEXT    NOT NULL,
    idem_key        TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    status          INTEGER,
    response_body   TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
