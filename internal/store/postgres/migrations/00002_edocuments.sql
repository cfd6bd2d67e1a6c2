-- +goose Up
-- E-documents and their lines, the transmission outbox, webhook endpoints
-- and the webhook delivery queue; e-document number sequences.
--
-- Queue tables (transmission_jobs, webhook_deliveries) are leased with
-- owner + lease_until: a row is claimable when it is due and its lease is
-- absent or past. Claims take rows FOR UPDATE SKIP LOCKED, so instances
-- sharing the database share the queues without taking a row twice.

-- number_sequences also numbers e-documents, under kinds of their own.
ALTER TABLE number_sequences
    DROP CONSTRAINT number_sequences_kind_check,
    ADD CONSTRAINT number_sequences_kind_check
        CHECK (kind IN ('invoice', 'credit_note', 'e_invoice', 'e_credit_note'));

CREATE TABLE e_documents (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id          bigint      NOT NULL REFERENCES merchants (id),
    kind                 text        NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number               text        NOT NULL CHECK (number <> ''),
    created_date         date        NOT NULL,
    due_date             date, -- NULL: none
    currency             text        NOT NULL,
    recipient_reference  text        NOT NULL DEFAULT '',
    customer_name        text        NOT NULL,
    customer_street      text        NOT NULL DEFAULT '',
    customer_city        text        NOT NULL DEFAULT '',
    customer_postal_code text        NOT NULL DEFAULT '',
    customer_peppol_id   text        NOT NULL DEFAULT '',
    customer_tax_number  text        NOT NULL DEFAULT '',
    customer_country     text        NOT NULL DEFAULT '',
    supplier_name        text        NOT NULL,
    supplier_street      text        NOT NULL DEFAULT '',
    supplier_city        text        NOT NULL DEFAULT '',
    supplier_postal_code text        NOT NULL DEFAULT '',
    supplier_peppol_id   text        NOT NULL DEFAULT '',
    supplier_tax_number  text        NOT NULL DEFAULT '',
    supplier_country     text        NOT NULL DEFAULT '',
    subtotal             numeric     NOT NULL,
    tax                  numeric     NOT NULL,
    total                numeric     NOT NULL,
    tax_rate             numeric     NOT NULL,
    status               text        NOT NULL
        CHECK (status IN ('new', 'pending', 'sent', 'delivered', 'rejected', 'error')),
    error_reason         text        NOT NULL DEFAULT '',
    -- The transmission's message id: kept on retries of the same content,
    -- new when error recovery replaces it; receivers' answers name it.
    message_id           text        NOT NULL CONSTRAINT e_documents_message_id_key UNIQUE,
    ubl                  bytea, -- NULL until converted
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT e_documents_number_key UNIQUE (merchant_id, kind, number)
);

CREATE INDEX e_documents_merchant_id_id ON e_documents (merchant_id, id);
CREATE INDEX e_documents_merchant_id_status_id ON e_documents (merchant_id, status, id);

CREATE TABLE e_document_lines (
    document_id bigint  NOT NULL REFERENCES e_documents (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    description text    NOT NULL,
    quantity    numeric NOT NULL,
    unit_price  numeric NOT NULL,
    taxable     boolean NOT NULL,
    PRIMARY KEY (document_id, position)
);

-- The transmission outbox: one row per e-document still to transmit,
-- written in the transaction that stores (or recovers) the document and
-- deleted in the one that records the final outcome. So a row exists only
-- while its document is new or pending, and one per document at most.
CREATE TABLE transmission_jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id bigint      NOT NULL UNIQUE REFERENCES e_documents (id),
    merchant_id bigint      NOT NULL REFERENCES merchants (id),
    run_at      timestamptz NOT NULL,
    attempt     integer     NOT NULL DEFAULT 0,
    owner       text,
    lease_until timestamptz,
    last_error  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);

CREATE INDEX transmission_jobs_due ON transmission_jobs (run_at, id);

CREATE TABLE webhook_endpoints (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint      NOT NULL REFERENCES merchants (id),
    url         text        NOT NULL,
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE INDEX webhook_endpoints_merchant_id_id ON webhook_endpoints (merchant_id, id);

-- One row per event and endpoint. Deleting the endpoint deletes its rows,
-- which stops the deliveries still pending. The payload is json (not
-- jsonb), which keeps the bytes as written: every endpoint, and every
-- retry, gets the body that was signed.
CREATE TABLE webhook_deliveries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id  bigint      NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    merchant_id  bigint      NOT NULL REFERENCES merchants (id),
    event_type   text        NOT NULL,
    payload      json        NOT NULL,
    created_at   timestamptz NOT NULL,
    attempts     integer     NOT NULL DEFAULT 0,
    next_attempt timestamptz NOT NULL,
    delivered_at timestamptz,
    gave_up_at   timestamptz,
    last_status  integer     NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    owner        text,
    lease_until  timestamptz
);

-- Claiming looks only at open deliveries, by due time.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt, id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX webhook_deliveries_endpoint_id_id ON webhook_deliveries (endpoint_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE transmission_jobs;
DROP TABLE e_document_lines;
DROP TABLE e_documents;
DELETE FROM number_sequences WHERE kind IN ('e_invoice', 'e_credit_note');
ALTER TABLE number_sequences
    DROP CONSTRAINT number_sequences_kind_check,
    ADD CONSTRAINT number_sequences_kind_check CHECK (kind IN ('invoice', 'credit_note'));
