//! The two ways things go wrong here: a Discord API error the fake answers with, and
//! a test's wait that ran out of time.

/// An error the fake answers a REST call with: HTTP status plus Discord's
/// `{"code", "message"}` body, which serenity decodes into `DiscordJsonError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Discord's JSON error code (0 for a generic 404).
    pub code: u32,
    /// Discord's human-readable message.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn not_found() -> Self {
        Self::new(404, 0, "404: Not Found")
    }

    pub(crate) fn unknown_message() -> Self {
        Self::new(404, 10008, "Unknown Message")
    }

    pub(crate) fn unknown_channel() -> Self {
        Self::new(404, 10003, "Unknown Channel")
    }

    pub(crate) fn unknown_interaction() -> Self {
        Self::new(404, 10062, "Unknown interaction")
    }

    pub(crate) fn bad_body(what: &str) -> Self {
        Self::new(400, 50035, format!("Invalid Form Body: {what}"))
    }

    pub(crate) fn body(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code, "message": self.message })
    }
}
