//! Hostile schedules (issue 12): every class of the generated corpus is imported
//! with the right count or refused with a clear error, within the import budget,
//! and a running source keeps its last good agenda through all of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corpus;
mod dates;
mod inputs;
mod last_good;
mod real_files;
mod redirects;
