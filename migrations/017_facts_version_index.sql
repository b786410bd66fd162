-- The facts collector's version of each message's facts, indexed (issue 8). The archive pass asks
-- first whether every message has current facts (facts-repo.ts listMessagesNeedingFacts); without
-- this index that count read the whole table, grams and all: 2.7 GB and 11.9 s of the pass over
-- 1,000,000 small messages. An import writes one version, so its rows land at the end of the index.
CREATE INDEX message_facts_version ON message_facts (version);
