//! Memory figures from Linux's `/proc/<pid>/status`, for the benchmarks that
//! report resident set sizes.

/// The `key` line (`VmRSS`, `VmHWM`) of `/proc/<process>/status` in KiB, where
/// `process` is a pid or `self`; 0 where unavailable (not Linux).
pub fn status_kib(process: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
