-- The full-text index merges its segments sixteen at a time instead of FTS5's four (issue 8). An
-- import adds messages to it in slices of a few thousand (src/store/search-index.ts), each slice a
-- segment, and FTS5 merges segments of one level into the next once there are this many: with four,
-- every entry is rewritten at each of many levels. Indexing 300,000 small messages of the bench in
-- slices of 2,000 took 42.1 CPU-s and wrote 5.8 GB with four, 33.2 CPU-s and 3.4 GB with sixteen
-- (36.6 and 4.5 with eight); a word, a prefix and two words were found as fast in either index.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
