//! Flags out: JSON lines, CSV (RFC 4180) and FollowTheMoney entities.
