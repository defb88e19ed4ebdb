//! MCP session ids: 256 bits from a CSPRNG, hex encoded (64 characters).
//!
//! rmcp's `LocalSessionManager` names sessions with a UUID v4 (122 random
//! bits) and offers no generator hook, so [`SecureSessionManager`] wraps it:
//! it creates each session through rmcp's own `restore_session` (which builds
//! a local session under a given id) with an id from [`new_session_id`], and
//! delegates everything else. It also forgets a session's binding as soon as
//! rmcp closes it (idle expiry, DELETE, shutdown), which keeps the live
//! session counts of [`super::session_caps`] exact.

use std::sync::Arc;

use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{EventStore, ServerSseMessage};
use rmcp::transport::streamable_http_server::{RestoreOutcome, SessionId, SessionManager};

use crate::sessions::SessionBindings;

/// Random bytes in a session id.
pub const SESSION_ID_BYTES: usize = 32;

/// A fresh session id: [`SESSION_ID_BYTES`] from the thread-local CSPRNG
/// (ChaCha, seeded and periodically reseeded from the OS), as lowercase hex.
pub fn new_session_id() -> String {
    let bytes: [u8; SESSION_ID_BYTES] = rand::random();
    hex::encode(bytes)
}

/// rmcp's local session manager with our session ids.
#[derive(Debug)]
pub(crate) struct SecureSessionManager {
    inner: LocalSessionManager,
    bindings: SessionBindings,
}

impl SecureSessionManager {
    /// Wraps `inner`; `bindings` lose a session when rmcp closes it.
    pub(crate) fn new(inner: LocalSessionManager, bindings: SessionBindings) -> Self {
        Self { inner, bindings }
    }

    /// The wrapped manager (its live session map).
    pub(crate) fn inner(&self) -> &LocalSessionManager {
        &self.inner
    }
}

impl SessionManager for SecureSessionManager {
    type Error = LocalSessionManagerError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        loop {
            let id: SessionId = Arc::from(new_session_id());
            // Anything but `Restored` is a collision of 256-bit ids: draw again.
            if let RestoreOutcome::Restored(transport) =
                self.inner.restore_session(id.clone()).await?
            {
                return Ok((id, transport));
            }
        }
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.bindings.unbind(id);
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.create_stream(id, message).await
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.create_standalone_stream(id).await
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.resume(id, last_event_id).await
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.inner.restore_session(id).await
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_64_hex_characters_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_session_id()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            assert_eq!(id.len(), 2 * SESSION_ID_BYTES);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
        }
    }
}
