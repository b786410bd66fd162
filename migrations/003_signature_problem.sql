-- Why a signature that did not pass did not (SignatureCheck.problem: expired, no-key, key-unusable,
-- weak-algorithm, from-not-signed, not-evaluated, syntax), so that a stored signature reads back as
-- the model's SignatureCheck whole. NULL for a signature that passed or failed on a hash, and for
-- signatures stored before this migration (their findings already say why).
ALTER TABLE signatures ADD COLUMN problem TEXT;
