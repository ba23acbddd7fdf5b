//! Who holds the scheduler lease, and whether that process is still alive.
//!
//! A holder is named `host/pid1234-5f3a` (host, process id, start stamp). A
//! process killed hard (SIGKILL, OOM, power cut of a container) cannot give the
//! lease up, and a restarted bot would wait for it to expire before posting.
//! When the holder ran on this host and its process is gone, the restarted bot
//! takes over at once. A holder elsewhere, or one this host cannot judge, is
//! left to expire: job claims and message nonces still prevent doubles.

use std::path::Path;

/// This process's holder name.
pub fn this_process() -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}/pid{}-{started:x}", host(), std::process::id())
}

/// Whether `holder` is a process on this host that is no longer running;
/// `me` is this process's own holder name (never gone).
pub fn is_gone(holder: &str, me: &str) -> bool {
    let Some((host_name, process)) = holder.split_once('/') else {
        return false;
    };
    let pid = process
        .strip_prefix("pid")
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok());
    let Some(pid) = pid else {
        return false;
    };
    if holder == me || host_name.is_empty() || host_name != host() {
        return false;
    }
    // Same host, same pid, another start: an earlier life of this pid (a
    // container's bot is pid 1 each time it restarts).
    if pid == std::process::id() {
        return true;
    }
    !running(pid)
}

/// Whether process `pid` runs here; `true` when this host cannot tell.
fn running(pid: u32) -> bool {
    if !Path::new("/proc/self/stat").exists() {
        return true;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (name) S …": a zombie (Z) has exited and only waits to be reaped.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_none_or(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// This host's name, or "" when it cannot be read (then nobody is judged gone).
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_holder_on_this_host_whose_process_exited_is_gone() {
        let me = this_process();
        let dead = format!("{}/pid{}-1", host(), exited_pid());
        assert!(is_gone(&dead, &me), "{dead}");
        let earlier_life = format!("{}/pid{}-1", host(), std::process::id());
        assert_ne!(earlier_life, me);
        assert!(is_gone(&earlier_life, &me));
    }

    #[test]
    fn running_remote_unreadable_and_own_holders_are_not_gone() {
        let me = this_process();
        assert!(!is_gone(&me, &me));
        let parent = format!("{}/pid{}-1", host(), std::os::unix::process::parent_id());
        assert!(!is_gone(&parent, &me), "the test runner's parent runs");
        let elsewhere = format!("{}-elsewhere/pid{}-1", host(), exited_pid());
        assert!(!is_gone(&elsewhere, &me));
        for odd in ["pid12-1", "chaos", "", "/pid1-1", "host/pidx-1"] {
            assert!(!is_gone(odd, &me), "{odd}");
        }
    }
}
