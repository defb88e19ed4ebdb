//! HTTPS: `--tls-cert FILE --tls-key FILE` (`SDP_MCP_TLS_CERT`,
//! `SDP_MCP_TLS_KEY`, `[server] tls_cert` / `tls_key`).
//!
//! rustls with the ring provider (no C toolchain needed), HTTP/2 and
//! HTTP/1.1 by ALPN. [`load`] reads and checks the PEM files once, at start,
//! so a missing, unreadable or mismatched file stops the server with a
//! sentence naming the flag. [`TlsListener`] puts the handshakes in front of
//! the accept loop (`limits::conn`): a background task accepts TCP
//! connections and runs each handshake in its own task, with a time-out, so
//! a client that never finishes its handshake holds neither the loop nor a
//! connection slot.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::config::TlsFiles;

/// Longest a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most handshakes in progress at once.
const MAX_HANDSHAKES: usize = 256;
/// Handshaken connections waiting for the accept loop.
const READY_QUEUE: usize = 64;

/// Why the certificate or key cannot be used. Each message names the flag,
/// the file and the fix; none carries key material.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file cannot be read.
    #[error(
        "cannot read the TLS {what} file {path} ({flag}): {cause}. Check the path and that \
         sdp-mcp may read it"
    )]
    Read {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The flag and variable naming the file.
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error (in the message; not a `source`, so it is shown once).
        cause: std::io::Error,
    },
    /// A file holds no usable PEM item.
    #[error(
        "the TLS {what} file {path} ({flag}) contains no PEM {expected}: {detail}. Give a PEM \
         file (-----BEGIN ...-----)"
    )]
    NoPem {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The flag and variable naming the file.
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// What was looked for.
        expected: &'static str,
        /// Parser detail.
        detail: String,
    },
    /// The key does not belong to the certificate, or rustls refuses them.
    #[error(
        "the TLS certificate ({cert}, --tls-cert) and private key ({key}, --tls-key) cannot be \
         used together: {detail}. Give the key the certificate was issued for"
    )]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        detail: String,
    },
}

const CERT_FLAG: &str = "--tls-cert / SDP_MCP_TLS_CERT";
const KEY_FLAG: &str = "--tls-key / SDP_MCP_TLS_KEY";

fn read(path: &Path, what: &'static str, flag: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|cause| TlsError::Read {
        what,
        flag,
        path: path.to_owned(),
        cause,
    })
}

/// Reads the certificate chain and key of `files` and builds the acceptor.
///
/// # Errors
/// [`TlsError`] naming the flag and file when a file is missing, unreadable,
/// not PEM, or when the key does not match the certificate.
pub fn load(files: &TlsFiles) -> Result<TlsAcceptor, TlsError> {
    let cert_pem = read(&files.cert, "certificate", CERT_FLAG)?;
    let no_cert = |detail: String| TlsError::NoPem {
        what: "certificate",
        flag: CERT_FLAG,
        path: files.cert.clone(),
        expected: "CERTIFICATE",
        detail,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|error| no_cert(error.to_string()))?;
    if chain.is_empty() {
        return Err(no_cert("no certificate found".to_owned()));
    }
    let key_pem = read(&files.key, "private key", KEY_FLAG)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| TlsError::NoPem {
        what: "private key",
        flag: KEY_FLAG,
        path: files.key.clone(),
        expected: "PRIVATE KEY (PKCS#8, PKCS#1 or SEC1)",
        detail: error.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mismatch = |error: rustls::Error| TlsError::Mismatch {
        cert: files.cert.clone(),
        key: files.key.clone(),
        detail: error.to_string(),
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(mismatch)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(mismatch)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener yielding connections whose TLS handshake has completed.
#[derive(Debug)]
pub(crate) struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `tcp`, handshaking with `acceptor`.
    pub(crate) fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel(READY_QUEUE);
        let acceptor_task = tokio::spawn(accept_loop(tcp, acceptor, sender));
        Ok(Self {
            ready,
            local,
            acceptor_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // Stops accepting and closes the TCP listener.
        self.acceptor_task.abort();
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(slot) = handshakes.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: back off a little
                // rather than spin.
                tracing::warn!(%error, "accepting a TCP connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    drop(slot);
                    // The accept loop has stopped when this fails.
                    let _ = ready.send((tls, peer)).await;
                }
                Ok(Err(error)) => {
                    tracing::debug!(%peer, %error, "TLS handshake failed");
                }
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The acceptor task ended (it only does when aborted).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
