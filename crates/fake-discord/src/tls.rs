//! REST over TLS as `discord.com`, so serenity's own ratelimiter can be exercised.
//!
//! serenity's ratelimiter builds its requests without the proxy, always for
//! `https://discord.com`. So instead of a proxy, the bot gets a reqwest client that
//! resolves `discord.com` to this listener and trusts its self-signed certificate:
//! the production code path with only DNS and trust changed. The gateway stays on
//! plain `ws://` (serenity's websocket trusts only the public roots).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The host name serenity sends every REST call to.
const DISCORD_HOST: &str = "discord.com";

/// A handshake slower than this is abandoned.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// The TLS side of a fake: where it listens and a client that trusts it.
#[derive(Debug)]
pub(crate) struct Tls {
    pub(crate) addr: SocketAddr,
    pub(crate) client: reqwest::Client,
}

/// Accepted, handshaken TLS connections, for `axum::serve`.
pub(crate) struct TlsListener {
    accepted: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(accepted) => accepted,
            // The acceptor task is gone (the fake is shutting down): accept nothing.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// Binds a loopback TLS listener with a fresh self-signed `discord.com`
/// certificate; returns it, the task doing handshakes, and the matching client.
pub(crate) async fn bind() -> std::io::Result<(TlsListener, JoinHandle<()>, Tls)> {
    let certified =
        rcgen::generate_simple_self_signed(vec![DISCORD_HOST.to_owned()]).map_err(other)?;
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let acceptor = TlsAcceptor::from(Arc::new(server_config(cert.clone(), key)?));
    let tcp = TcpListener::bind("127.0.0.1:0").await?;
    let addr = tcp.local_addr()?;
    let client = client_for(addr, &cert)?;
    let (tx, accepted) = mpsc::channel(64);
    let task = tokio::spawn(accept_loop(tcp, acceptor, tx));
    Ok((TlsListener { accepted, addr }, task, Tls { addr, client }))
}

fn server_config(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> std::io::Result<ServerConfig> {
    // An explicit provider: the process-wide default may be unset or ambiguous.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(other)?;
    // The router speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A reqwest client for `HttpBuilder::client`: `discord.com` resolves to `addr`,
/// and the fake's certificate is trusted.
fn client_for(addr: SocketAddr, cert: &CertificateDer<'_>) -> std::io::Result<reqwest::Client> {
    let root = reqwest::Certificate::from_der(cert).map_err(other)?;
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(root)
        .resolve(DISCORD_HOST, addr)
        .tcp_nodelay(true)
        .build()
        .map_err(other)
}

/// Accepts TCP connections and hands each handshake to its own task, so a slow
/// client cannot stall the others.
async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // E.g. out of file descriptors: back off instead of spinning.
                tracing::warn!(%error, "fake discord tls: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "fake discord tls: could not set TCP_NODELAY");
        }
        let (acceptor, tx) = (acceptor.clone(), tx.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = tx.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::warn!(%error, "fake discord tls: handshake failed"),
                Err(_) => tracing::warn!("fake discord tls: handshake timed out"),
            }
        });
    }
}

fn other(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}
