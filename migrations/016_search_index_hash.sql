-- The full-text index gathers up to 16 MiB of new entries in memory before it writes them as a
-- segment, instead of FTS5's 1 MiB (issue 8). An import indexes its messages in slices of 20,000
-- (src/store/search-index.ts); with 1 MiB each slice of small messages became dozens of segments,
-- written and then merged again. Indexing the bench's 100,000 small messages took 6.2 s, wrote
-- 0.70 GB and read 4.0 GB with 1 MiB; 5.6 s, 0.33 GB and 3.3 GB with 16 MiB (the same with 64 MiB,
-- for 20 MB more memory). The index holds the same entries either way.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 16777216);
