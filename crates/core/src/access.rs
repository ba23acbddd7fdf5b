//! Who may run organiser commands (create, close or cancel polls, reload the
//! agenda), on every platform: whoever may manage the community (a Discord
//! server's Manage Server or Administrator, a Slack workspace admin), or holds
//! one of the roles in `[organisers] roles`. The adapter says what the member
//! may do and which roles they hold; this rule decides.

/// Whether a member who `manages` their community and holds `roles` (platform
/// ids) is an organiser, given the configured `organiser_roles`.
pub fn is_organiser<'a>(
    manages: bool,
    roles: impl IntoIterator<Item = &'a str>,
    organiser_roles: &[String],
) -> bool {
    manages
        || roles
            .into_iter()
            .any(|role| organiser_roles.iter().any(|o| o == role))
}

#[cfg(test)]
mod tests {
    use super::is_organiser;

    #[test]
    fn managers_and_configured_roles_are_organisers_and_nobody_else() {
        let configured = vec!["42".to_owned()];
        assert!(is_organiser(true, [], &configured));
        assert!(is_organiser(false, ["7", "42"], &configured));
        assert!(!is_organiser(false, ["7"], &configured));
        assert!(!is_organiser(false, ["42"], &[]));
    }
}
