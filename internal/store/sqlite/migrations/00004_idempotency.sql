-- Requests made under an Idempotency-Key, per merchant (the API's
-- idempotency middleware).
--
-- A row is a claim while status is 'running': locked_until says until when
-- its request is presumed alive (after that, the same request may take the
-- claim over: its server died). Once 'done', the row holds the answer that
-- is replayed: response_status, content_type, response_body. request_hash
-- is the SHA-256 of method, canonical path and body, hex; method and path
-- are kept for operators. A row means nothing after expires_at (created_at
-- plus 24 hours) and is purged.

-- +goose Up
CREATE TABLE idempotency_keys (
    merchant_id     INTEGER NOT NULL REFERENCES merchants (id),
    key             TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'done')),
    response_status INTEGER,
    content_type    TEXT NOT NULL DEFAULT '',
    response_body   BLOB,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    locked_until    TEXT,
    PRIMARY KEY (merchant_id, key),
    CHECK ((status = 'running') = (locked_until IS NOT NULL)),
    CHECK ((status = 'done') = (response_status IS NOT NULL))
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
