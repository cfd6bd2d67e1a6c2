-- E-documents and their line items, the transmission outbox, webhook
-- endpoints and the webhook delivery queue; e-document number sequences.
--
-- Conventions as in 00001. Queue tables (transmission_jobs,
-- webhook_deliveries) are leased with owner + lease_until: a row is
-- claimable when it is due and its lease is absent or past.

-- +goose Up

-- number_sequences also numbers e-documents, under kinds of their own.
-- SQLite cannot change a CHECK in place: the table is rebuilt. Nothing
-- refers to it, so the rename is safe.
CREATE TABLE number_sequences_new (
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    kind        TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'e_invoice', 'e_credit_note')),
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, kind)
) STRICT, WITHOUT ROWID;
INSERT INTO number_sequences_new (merchant_id, kind, last_value)
    SELECT merchant_id, kind, last_value FROM number_sequences;
DROP TABLE number_sequences;
ALTER TABLE number_sequences_new RENAME TO number_sequences;

CREATE TABLE e_documents (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id          INTEGER NOT NULL REFERENCES merchants (id),
    kind                 TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number               TEXT NOT NULL CHECK (number <> ''),
    created_date         TEXT NOT NULL,
    due_date             TEXT,
    currency             TEXT NOT NULL,
    recipient_reference  TEXT NOT NULL DEFAULT '',
    customer_name        TEXT NOT NULL,
    customer_street      TEXT NOT NULL DEFAULT '',
    customer_city        TEXT NOT NULL DEFAULT '',
    customer_postal_code TEXT NOT NULL DEFAULT '',
    customer_peppol_id   TEXT NOT NULL DEFAULT '',
    customer_tax_number  TEXT NOT NULL DEFAULT '',
    customer_country     TEXT NOT NULL DEFAULT '',
    supplier_name        TEXT NOT NULL,
    supplier_street      TEXT NOT NULL DEFAULT '',
    supplier_city        TEXT NOT NULL DEFAULT '',
    supplier_postal_code TEXT NOT NULL DEFAULT '',
    supplier_peppol_id   TEXT NOT NULL DEFAULT '',
    supplier_tax_number  TEXT NOT NULL DEFAULT '',
    supplier_country     TEXT NOT NULL DEFAULT '',
    subtotal             TEXT NOT NULL,
    tax                  TEXT NOT NULL,
    total                TEXT NOT NULL,
    tax_rate             TEXT NOT NULL,
    status               TEXT NOT NULL
        CHECK (status IN ('new', 'pending', 'sent', 'delivered', 'rejected', 'error')),
    error_reason         TEXT NOT NULL DEFAULT '',
    -- The transmission's message id: kept on retries of the same content,
    -- new when error recovery replaces it; receivers' answers name it.
    message_id           TEXT NOT NULL UNIQUE,
    ubl                  BLOB, -- NULL until converted
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (merchant_id, kind, number)
) STRICT;

CREATE INDEX e_documents_merchant_id ON e_documents (merchant_id, id);
CREATE INDEX e_documents_merchant_status_id ON e_documents (merchant_id, status, id);

CREATE TABLE e_document_lines (
    document_id INTEGER NOT NULL REFERENCES e_documents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity    TEXT NOT NULL,
    unit_price  TEXT NOT NULL,
    taxable     INTEGER NOT NULL CHECK (taxable IN (0, 1)),
    PRIMARY KEY (document_id, position)
) STRICT, WITHOUT ROWID;

-- The transmission outbox: one row per e-document still to transmit,
-- written in the transaction that stores (or recovers) the document and
-- deleted in the one that records the final outcome. So a row exists only
-- while its document is new or pending, and one per document at most.
CREATE TABLE transmission_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL UNIQUE REFERENCES e_documents (id),
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    run_at      TEXT NOT NULL,
    attempt     INTEGER NOT NULL DEFAULT 0,
    owner       TEXT,
    lease_until TEXT,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX transmission_jobs_due ON transmission_jobs (run_at, id);

CREATE TABLE webhook_endpoints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX webhook_endpoints_merchant_id ON webhook_endpoints (merchant_id, id);

-- One row per event and endpoint. Deleting the endpoint deletes its rows,
-- which stops the deliveries still pending.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id),
    event_type   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    delivered_at TEXT,
    gave_up_at   TEXT,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    owner        TEXT,
    lease_until  TEXT
) STRICT;

-- Claiming looks only at open deliveries, by due time.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt, id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX webhook_deliveries_endpoint_id ON webhook_deliveries (endpoint_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE transmission_jobs;
DROP TABLE e_document_lines;
DROP TABLE e_documents;
DELETE FROM number_sequences WHERE kind IN ('e_invoice', 'e_credit_note');
CREATE TABLE number_sequences_old (
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    kind        TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, kind)
) STRICT, WITHOUT ROWID;
INSERT INTO number_sequences_old (merchant_id, kind, last_value)
    SELECT merchant_id, kind, last_value FROM number_sequences;
DROP TABLE number_sequences;
ALTER TABLE number_sequences_old RENAME TO number_sequences;
