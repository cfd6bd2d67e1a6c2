-- +goose Up
-- Ids come from identity columns shared by all merchants, so an id alone never
-- tells which merchant owns a record; every query adds merchant_id anyway.

CREATE TABLE merchants (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    plan       text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint      NOT NULL REFERENCES merchants (id),
    hash        text        NOT NULL UNIQUE,
    hint        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz, -- NULL: never
    revoked_at  timestamptz  -- NULL: live
);

CREATE INDEX tokens_merchant_id_id ON tokens (merchant_id, id);

CREATE TABLE customers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id    bigint      NOT NULL REFERENCES merchants (id),
    name           text        NOT NULL,
    email          text        NOT NULL DEFAULT '',
    country        text        NOT NULL DEFAULT '',
    tax_number     text        NOT NULL DEFAULT '',
    peppol_id      text        NOT NULL DEFAULT '',
    contact_person text        NOT NULL DEFAULT '',
    language       text        NOT NULL DEFAULT '',
    city           text        NOT NULL DEFAULT '',
    state          text        NOT NULL DEFAULT '',
    address_line_1 text        NOT NULL DEFAULT '',
    address_line_2 text        NOT NULL DEFAULT '',
    postal_code    text        NOT NULL DEFAULT '',
    sending_method text        NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    -- The target of documents' composite foreign key below; it also serves
    -- the keyset pagination of ListCustomers.
    CONSTRAINT customers_merchant_id_id UNIQUE (merchant_id, id)
);

CREATE INDEX customers_merchant_id_updated_at ON customers (merchant_id, updated_at);

CREATE TABLE documents (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id           bigint      NOT NULL REFERENCES merchants (id),
    kind                  text        NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number                text        NOT NULL,
    customer_id           bigint, -- NULL: not linked to a stored customer
    customer_name         text        NOT NULL,
    customer_email        text        NOT NULL DEFAULT '',
    customer_country      text        NOT NULL DEFAULT '',
    customer_tax_number   text        NOT NULL DEFAULT '',
    customer_address      text        NOT NULL DEFAULT '',
    doc_date              date        NOT NULL,
    due_date              date, -- NULL: none
    currency              text        NOT NULL,
    status                text        NOT NULL,
    tax_rate              numeric, -- NULL: not given
    subtotal              numeric     NOT NULL,
    total_tax             numeric     NOT NULL,
    total                 numeric     NOT NULL,
    total_discount        numeric     NOT NULL,
    supplier_tax_number   text        NOT NULL DEFAULT '',
    supplier_country      text        NOT NULL DEFAULT '',
    supplier_company_name text        NOT NULL DEFAULT '',
    supplier_address      text        NOT NULL DEFAULT '',
    supplier_email        text        NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    -- The backend maps a violation of this constraint, by name, to the
    -- "number taken" refusal.
    CONSTRAINT documents_number_key UNIQUE (merchant_id, kind, number),
    -- Composite, so a document can only ever link its own merchant's
    -- customer; MATCH SIMPLE skips the check when customer_id is NULL.
    CONSTRAINT documents_customer_fkey FOREIGN KEY (merchant_id, customer_id)
        REFERENCES customers (merchant_id, id)
);

-- Lists are per merchant and kind, paged by id or filtered by updated_at.
CREATE INDEX documents_merchant_id_kind_id ON documents (merchant_id, kind, id);
CREATE INDEX documents_merchant_id_kind_updated_at ON documents (merchant_id, kind, updated_at);

CREATE TABLE line_items (
    document_id bigint  NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    description text    NOT NULL,
    quantity    numeric NOT NULL,
    unit_price  numeric NOT NULL,
    taxable     boolean NOT NULL,
    PRIMARY KEY (document_id, position)
);

-- One row per merchant and kind: the last number handed out. Its row lock
-- serializes the numbering of concurrent uploads, which keeps it gapless.
CREATE TABLE number_sequences (
    merchant_id bigint NOT NULL REFERENCES merchants (id),
    kind        text   NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last_value  bigint NOT NULL,
    PRIMARY KEY (merchant_id, kind)
);

-- +goose Down
DROP TABLE number_sequences;
DROP TABLE line_items;
DROP TABLE documents;
DROP TABLE customers;
DROP TABLE tokens;
DROP TABLE merchants;
