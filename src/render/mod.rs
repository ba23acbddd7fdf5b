//! Turning core answers into what a reader sees. One module per target form.

pub mod json;
pub mod text;
