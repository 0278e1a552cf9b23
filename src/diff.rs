//! Readable text diffs between two captures, for people.
