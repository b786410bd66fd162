-- For a signature whose b= fails over the signed headers: whether a key the store holds for its
-- selector made it all the same, over other header values ('yes': the headers changed), or none of
-- them did ('no': it was made with another key, one the selector had before a rotation the key store
-- does not hold, or one that was never the domain's). Read from the RSA signature value with the key
-- (src/verify/header-signature.ts keyMadeSignature); 'unknown' for other keys, for signatures whose
-- b= did not fail, and for rows written before this migration. The archive pass compares it with the
-- time the archive shows that key in use (src/checks/archive-signing.ts, replaced-key).
ALTER TABLE signatures ADD COLUMN key_made TEXT NOT NULL DEFAULT 'unknown' CHECK (key_made IN ('yes', 'no', 'unknown'));
