//! Where a schedule request may go: the rule against server-side request forgery.
//!
//! The bot fetches a URL an organiser configured, then follows the redirects
//! that server answers with. A redirect is the publisher's say, not the
//! organiser's, so it must not reach what only the bot's host can: loopback,
//! private networks, link-local and the cloud metadata address. The organiser's
//! own URL may point there (a schedule served on the LAN), and
//! `[agenda] allow_private = true` lifts the rule for every hop. Concretely:
//!
//! - at most [`FetchOptions::max_redirects`](super::fetch::FetchOptions) hops;
//! - never from https to http;
//! - every address a hop's host resolves to must be public, or one of the
//!   addresses of the configured URL's own host.
//!
//! The check resolves the host itself before each request. So that a name which
//! passed it cannot answer differently when reqwest connects (DNS rebinding),
//! the schedule client resolves through [`PublicOnly`] too, which hands out only
//! public addresses for every name but the configured URL's own host.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The addresses a hop may use, decided once per fetch from the configured URL.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    allow_private: bool,
    /// The configured URL's own addresses: allowed whatever they are.
    own: HashSet<IpAddr>,
}

impl Policy {
    /// The policy for a fetch of `configured`.
    pub async fn for_url(configured: &Url, allow_private: bool) -> Self {
        let own = if allow_private {
            HashSet::new()
        } else {
            addresses(configured).await.unwrap_or_default()
        };
        Self { allow_private, own }
    }

    /// Whether the request may go from `from` to `to` (the first hop has `from == to`).
    ///
    /// # Errors
    /// Why not, in words for the organiser.
    pub async fn check(&self, from: &Url, to: &Url) -> Result<(), String> {
        match to.scheme() {
            "http" | "https" => {}
            other => return Err(format!("redirected to a {other}: URL")),
        }
        if from.scheme() == "https" && to.scheme() == "http" {
            return Err("redirected from https to plain http".to_owned());
        }
        if self.allow_private {
            return Ok(());
        }
        let resolved = addresses(to)
            .await
            .map_err(|error| format!("cannot resolve {}: {error}", host_of(to)))?;
        match resolved
            .iter()
            .find(|ip| !is_public(**ip) && !self.own.contains(ip))
        {
            Some(ip) => Err(format!(
                "{} is a private, loopback or link-local address ({ip}); only the configured URL's own \
                 host may be one, unless [agenda] allow_private = true",
                host_of(to)
            )),
            None => Ok(()),
        }
    }
}

/// The schedule client's resolver: public addresses only, except for the
/// configured URL's own host (the organiser's choice, perhaps a LAN name).
#[derive(Debug, Clone)]
pub(crate) struct PublicOnly {
    /// Lower-cased; `None` when the source is no URL.
    pub own_host: Option<String>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let own = self.own_host.as_deref() == Some(host.as_str());
        Box::pin(async move {
            // The port is replaced by the URL's when connecting.
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| own || is_public(addr.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_owned()
}

/// Every address `url`'s host stands for: itself when it is an IP literal.
async fn addresses(url: &Url) -> std::io::Result<HashSet<IpAddr>> {
    let port = url.port_or_known_default().unwrap_or(443);
    let host = url
        .host_str()
        .ok_or_else(|| std::io::Error::other("the URL has no host"))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(HashSet::from([ip]));
    }
    Ok(tokio::net::lookup_host((bare, port))
        .await?
        .map(|addr| addr.ip())
        .collect())
}

/// True for an address on the public internet.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // 100.64/10, carrier-grade NAT: private in practice.
        || (a == 100 && (64..128).contains(&b)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn private_loopback_link_local_and_metadata_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["1.1.1.1", "2a00:1450::1", "172.32.0.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn https_never_downgrades_and_other_schemes_are_refused() {
        let policy = Policy::for_url(&url("https://example.org/"), true).await;
        let error = policy
            .check(&url("https://example.org/a"), &url("http://example.org/b"))
            .await
            .unwrap_err();
        assert!(error.contains("https to plain http"), "{error}");
        assert!(policy
            .check(&url("https://example.org/a"), &url("file:///etc/passwd"))
            .await
            .is_err());
        assert!(policy
            .check(&url("http://example.org/a"), &url("https://example.org/b"))
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn the_resolver_hands_out_private_addresses_only_for_the_configured_host() {
        let name = |text: &str| text.parse::<Name>().unwrap();
        let guard = PublicOnly { own_host: None };
        assert!(guard.resolve(name("localhost")).await.is_err());
        let guard = PublicOnly {
            own_host: Some("localhost".into()),
        };
        let found: Vec<SocketAddr> = guard.resolve(name("LOCALHOST")).await.unwrap().collect();
        assert!(found.iter().any(|addr| addr.ip().is_loopback()));
    }

    #[tokio::test]
    async fn only_the_configured_address_may_be_private() {
        let configured = url("http://127.0.0.1:8080/schedule.xml");
        let policy = Policy::for_url(&configured, false).await;
        assert!(policy.check(&configured, &configured).await.is_ok());
        let same_host = url("http://127.0.0.1:9090/other");
        assert!(policy.check(&configured, &same_host).await.is_ok());
        for elsewhere in [
            "http://127.0.0.2/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://10.0.0.1/",
        ] {
            let error = policy
                .check(&configured, &url(elsewhere))
                .await
                .unwrap_err();
            assert!(error.contains("allow_private"), "{error}");
        }
        let open = Policy::for_url(&configured, true).await;
        assert!(open
            .check(&configured, &url("http://127.0.0.2/"))
            .await
            .is_ok());
    }
}
