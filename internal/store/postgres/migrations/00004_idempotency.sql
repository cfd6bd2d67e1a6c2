-- +goose Up
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
CREATE TABLE idempotency_keys (
    merchant_id     bigint      NOT NULL REFERENCES merchants (id),
    key             text        NOT NULL,
    method          text        NOT NULL,
    path            text        NOT NULL,
    request_hash    text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('running', 'done')),
    response_status integer,
    content_type    text        NOT NULL DEFAULT '',
    response_body   bytea,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    locked_until    timestamptz,
    PRIMARY KEY (merchant_id, key),
    CHECK ((status = 'running') = (locked_until IS NOT NULL)),
    CHECK ((status = 'done') = (response_status IS NOT NULL))
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
