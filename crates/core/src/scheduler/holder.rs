//! Who holds the scheduler lease, and whether that process is still alive.
//!
//! A holder is named `host/pid1234-9f3a2c/pid:[4026531836]`: the host, the
//! process id, the process's start (its start time in clock ticks since boot,
//! which with the pid names one process start exactly) and its PID namespace.
//! A process killed hard (SIGKILL, OOM, power cut) cannot give the lease up,
//! and a restarted bot would wait for it to expire before posting. When the
//! holder ran on this host *in this PID namespace* and its process is gone,
//! the restarted bot takes over at once.
//!
//! The namespace is what tells containers apart: two containers may share a
//! hostname and both run the bot as pid 1, and a pid in another namespace
//! means nothing here (`/proc` shows this namespace only). Without it, each
//! took the other for "an earlier life of my own pid" and stole the lease.
//! A holder elsewhere, in another namespace, or one this host cannot judge is
//! left to expire: job claims (with their tokens) and message nonces still
//! prevent doubles.

use std::path::Path;

/// This process's holder name.
pub fn this_process() -> String {
    let pid = std::process::id();
    let start = start_of(pid).map_or_else(
        || {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            format!("n{nanos:x}")
        },
        |ticks| format!("{ticks:x}"),
    );
    format!("{}/pid{pid}-{start}/{}", host(), namespace())
}

/// This process's holder name, made once.
pub fn me() -> &'static str {
    static ME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ME.get_or_init(this_process)
}

/// A holder name's parts.
struct Holder<'a> {
    host: &'a str,
    pid: u32,
    start: &'a str,
    namespace: &'a str,
}

fn parse(holder: &str) -> Option<Holder<'_>> {
    let mut parts = holder.splitn(3, '/');
    let host = parts.next()?;
    let (pid, start) = parts.next()?.strip_prefix("pid")?.split_once('-')?;
    let namespace = parts.next()?;
    Some(Holder {
        host,
        pid: pid.parse().ok()?,
        start,
        namespace,
    })
}

/// Whether `holder` is a process on this host, in this PID namespace, that is
/// no longer running; `me` is this process's own holder name (never gone).
pub fn is_gone(holder: &str, me: &str) -> bool {
    let (Some(other), Some(mine)) = (parse(holder), parse(me)) else {
        return false;
    };
    if holder == me || other.host.is_empty() || other.host != mine.host {
        return false;
    }
    if other.namespace.is_empty() || other.namespace != mine.namespace {
        return false;
    }
    // Same namespace, same pid, another start: an earlier life of this pid
    // (a service restarted that got its old pid back).
    if other.pid == mine.pid {
        return true;
    }
    !running(other.pid, other.start)
}

/// Whether process `pid`, started at `start` (as in a holder name), runs
/// here; `true` when this host cannot tell.
fn running(pid: u32, start: &str) -> bool {
    if !Path::new("/proc/self/stat").exists() {
        return true;
    }
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (name) S …": a zombie (Z) has exited and only waits to be reaped.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    if fields
        .first()
        .is_none_or(|state| *state == "Z" || *state == "X")
    {
        return false;
    }
    // Another process that got the pid since (after a reboot, or pids wrapped).
    match (fields.get(19), u64::from_str_radix(start, 16)) {
        (Some(ticks), Ok(started)) => ticks.parse::<u64>().ok() == Some(started),
        _ => true,
    }
}

/// When process `pid` started, in clock ticks since boot (field 22 of
/// `/proc/PID/stat`).
fn start_of(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// This process's PID namespace (`pid:[…]`), or "" when it cannot be read
/// (then nobody is judged gone).
fn namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|link| link.display().to_string())
        .unwrap_or_default()
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

    fn holder(pid: u32, start: &str, namespace: &str) -> String {
        format!("{}/pid{pid}-{start}/{namespace}", host())
    }

    #[test]
    fn the_name_carries_host_pid_start_and_namespace() {
        let me = this_process();
        let parsed = parse(&me).unwrap();
        assert_eq!(
            (parsed.host, parsed.pid),
            (host().as_str(), std::process::id())
        );
        assert!(parsed.namespace.starts_with("pid:["), "{me}");
        assert!(!parsed.start.is_empty());
        assert!(running(parsed.pid, parsed.start), "{me}");
    }

    #[test]
    fn a_holder_in_this_namespace_whose_process_exited_is_gone() {
        let me = this_process();
        let dead = holder(exited_pid(), "1", &namespace());
        assert!(is_gone(&dead, &me), "{dead}");
        let earlier_life = holder(std::process::id(), "1", &namespace());
        assert_ne!(earlier_life, me);
        assert!(is_gone(&earlier_life, &me));
        let parent = std::os::unix::process::parent_id();
        let reused = holder(parent, "1", &namespace());
        assert!(is_gone(&reused, &me), "the pid runs another process now");
    }

    /// Two containers with one hostname, each running the bot as the same
    /// pid: the old rule took the other for an earlier life of itself (and a
    /// pid it could not see for an exited one) and took the lease.
    #[test]
    fn a_process_with_our_host_and_pid_in_another_namespace_is_not_gone() {
        let me = this_process();
        let twin = holder(std::process::id(), "1", "pid:[1]");
        assert!(!is_gone(&twin, &me), "{twin}");
        let unseen = holder(exited_pid(), "1", "pid:[1]");
        assert!(!is_gone(&unseen, &me), "a pid of another namespace");
    }

    #[test]
    fn running_remote_unreadable_and_own_holders_are_not_gone() {
        let me = this_process();
        assert!(!is_gone(&me, &me));
        let parent = std::os::unix::process::parent_id();
        let start = format!("{:x}", start_of(parent).unwrap());
        let alive = holder(parent, &start, &namespace());
        assert!(!is_gone(&alive, &me), "the test runner's parent runs");
        let elsewhere = format!("{}-elsewhere/pid{}-1/{}", host(), exited_pid(), namespace());
        assert!(!is_gone(&elsewhere, &me));
        let old_format = format!("{}/pid{}-1", host(), exited_pid());
        assert!(!is_gone(&old_format, &me), "an older emcee's name: expiry");
        for odd in ["pid12-1", "chaos", "", "/pid1-1/x", "host/pidx-1/x"] {
            assert!(!is_gone(odd, &me), "{odd}");
        }
    }
}
