//! `--write-env DIR`: one `.env.<login>` file per simulated user, in the
//! per-user format of today's one-process-per-user setups (design.md §3).
