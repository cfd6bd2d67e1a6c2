-- The first schema: merchants and their tokens, customers, documents with
-- their line items, and the per-merchant, per-kind number sequences.
--
-- Conventions (see the package comment): STRICT tables, so a value of the
-- wrong type is refused instead of silently converted; decimals, dates and
-- timestamps as TEXT; optional texts NOT NULL DEFAULT '' (the domain's "",
-- never NULL). AUTOINCREMENT keeps an id from ever being handed out twice,
-- even after the row with the highest id is deleted: ids are public in the
-- API.

-- +goose Up
CREATE TABLE merchants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    plan       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    hash        TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
) STRICT;

CREATE INDEX tokens_merchant_id ON tokens (merchant_id, id);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id    INTEGER NOT NULL REFERENCES merchants (id),
    name           TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT '',
    tax_number     TEXT NOT NULL DEFAULT '',
    peppol_id      TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT '',
    address_line_1 TEXT NOT NULL DEFAULT '',
    address_line_2 TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL DEFAULT '',
    sending_method TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

-- Listing order, and the parent key of documents' (merchant_id, customer_id).
CREATE UNIQUE INDEX customers_merchant_id ON customers (merchant_id, id);
CREATE INDEX customers_merchant_updated_at ON customers (merchant_id, updated_at);

CREATE TABLE documents (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id           INTEGER NOT NULL REFERENCES merchants (id),
    kind                  TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number                TEXT NOT NULL CHECK (number <> ''),
    customer_id           INTEGER,
    customer_name         TEXT NOT NULL,
    customer_email        TEXT NOT NULL DEFAULT '',
    customer_country      TEXT NOT NULL DEFAULT '',
    customer_tax_number   TEXT NOT NULL DEFAULT '',
    customer_address      TEXT NOT NULL DEFAULT '',
    doc_date              TEXT NOT NULL,
    due_date              TEXT,
    currency              TEXT NOT NULL,
    status                TEXT NOT NULL,
    tax_rate              TEXT,
    subtotal              TEXT NOT NULL,
    total_tax             TEXT NOT NULL,
    total                 TEXT NOT NULL,
    total_discount        TEXT NOT NULL,
    supplier_tax_number   TEXT NOT NULL DEFAULT '',
    supplier_country      TEXT NOT NULL DEFAULT '',
    supplier_company_name TEXT NOT NULL DEFAULT '',
    supplier_address      TEXT NOT NULL DEFAULT '',
    supplier_email        TEXT NOT NULL DEFAULT '',
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    UNIQUE (merchant_id, kind, number),
    -- Through merchant_id too, so a document can only ever link a customer
    -- of its own merchant; a NULL customer_id links none.
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
) STRICT;

CREATE INDEX documents_merchant_kind_id ON documents (merchant_id, kind, id);
CREATE INDEX documents_merchant_kind_updated_at ON documents (merchant_id, kind, updated_at);

CREATE TABLE line_items (
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity    TEXT NOT NULL,
    unit_price  TEXT NOT NULL,
    taxable     INTEGER NOT NULL CHECK (taxable IN (0, 1)),
    PRIMARY KEY (document_id, position)
) STRICT, WITHOUT ROWID;

-- The last number handed out of each merchant's gapless sequence per kind.
CREATE TABLE number_sequences (
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    kind        TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, kind)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE number_sequences;
DROP TABLE line_items;
DROP TABLE documents;
DROP TABLE customers;
DROP TABLE tokens;
DROP TABLE merchants;
