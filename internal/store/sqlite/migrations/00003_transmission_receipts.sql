-- The access point's message id, and receipt checks in the transmission
-- outbox.
--
-- ap_message_id is the id the access point gave the message it accepted
-- (NULL until then, and when it gave none); receivers' answers may name it
-- instead of ours. Error recovery, which gives a document a new message id,
-- clears it. Not unique: it is the access point's, and two documents
-- carrying the same one make an answer by it ambiguous, not impossible.
--
-- receipt marks a job whose document was sent and which now only asks the
-- transport, at run_at, for the receiver's answer (a transport that reports
-- answers when asked rather than by callback: the sandbox). A job thus
-- lives while its document is new or pending, or sent with a receipt check
-- due.

-- +goose Up
ALTER TABLE e_documents ADD COLUMN ap_message_id TEXT;
CREATE INDEX e_documents_ap_message_id ON e_documents (ap_message_id) WHERE ap_message_id IS NOT NULL;
ALTER TABLE transmission_jobs ADD COLUMN receipt INTEGER NOT NULL DEFAULT 0 CHECK (receipt IN (0, 1));

-- +goose Down
ALTER TABLE transmission_jobs DROP COLUMN receipt;
DROP INDEX e_documents_ap_message_id;
ALTER TABLE e_documents DROP COLUMN ap_message_id;
