-- Archive forensics (issues 6 and 7): what a finding is about and what it explains.

-- The DKIM signature a finding is about (its index among the message's signatures), when it is
-- about one; and the codes of other findings of the same message that it explains, joined by ';'
-- (a sent copy explains its missing signature). Both NULL for most findings.
ALTER TABLE findings ADD COLUMN signature INTEGER;
ALTER TABLE findings ADD COLUMN explains TEXT;
