-- The body hash a signature recorded (bh=) and the one computed over the stored body (base64), so a
-- stored signature reads back whole and a reader can see what was compared. NULL for signatures
-- stored before this migration and where no hash could be computed.
ALTER TABLE signatures ADD COLUMN body_hash_computed TEXT;
ALTER TABLE signatures ADD COLUMN body_hash_expected TEXT;
