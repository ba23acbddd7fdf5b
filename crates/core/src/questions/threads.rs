//! A thread per session (filled in below).
