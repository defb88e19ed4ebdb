//! Sign-ins in progress, kept in the store (`oauth_pending`) for at most ten
//! minutes so that any replica can continue a sign-in another one started:
//! between `/authorize` and the consent decision (keyed by a random id), and
//! between the consent and Zoho's callback (keyed by our own single-use Zoho
//! `state`, created only after consent).
//!
//! The store sees only SHA-256 hashes of the keys, of the browser-binding
//! cookie and of the CSRF token. Every step consumes its row atomically
//! (`Store::take_oauth_pending`), so a key works once across all replicas.
//! There is no in-memory copy: the store is the single source of truth.

use std::time::{Duration, SystemTime};

use sdp_mcp_store::{OAuthPending, OAuthPendingStage, Store, StoreError};

use super::{ct_eq, hash_token, random_token};

/// How long a pending sign-in lives.
pub(super) const PENDING_TTL: Duration = Duration::from_secs(600);
/// At most this many sign-ins in progress (bounds what an anonymous caller
/// can make the store hold).
const MAX_PENDING: u64 = 10_000;

/// One MCP authorization request awaiting the user.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) state: Option<String>,
    pub(super) code_challenge: String,
    pub(super) scopes: Vec<String>,
}

/// The secrets of a started sign-in, for the consent page and its cookie.
/// `Debug` redacts them.
pub(super) struct Started {
    /// The consent form's id (key of the consent stage).
    pub(super) pending_id: String,
    /// Value of the browser-binding cookie.
    pub(super) browser_secret: String,
    /// CSRF token of the consent form.
    pub(super) csrf: String,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("pending_id", &"[REDACTED]")
            .field("browser_secret", &"[REDACTED]")
            .field("csrf", &"[REDACTED]")
            .finish()
    }
}

/// A consented sign-in, as read from the store.
#[derive(Debug)]
pub(super) struct Consented {
    pub(super) pending: Pending,
    browser_hash: String,
}

fn record(
    key: &str,
    stage: OAuthPendingStage,
    pending: &Pending,
    browser_hash: String,
    csrf_hash: String,
) -> OAuthPending {
    OAuthPending {
        key_hash: hash_token(key),
        stage,
        client_id: pending.client_id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        client_state: pending.state.clone(),
        code_challenge: pending.code_challenge.clone(),
        scopes: pending.scopes.clone(),
        browser_hash,
        csrf_hash,
        expires_at: SystemTime::now() + PENDING_TTL,
    }
}

fn pending_of(record: OAuthPending) -> Pending {
    Pending {
        client_id: record.client_id,
        redirect_uri: record.redirect_uri,
        state: record.client_state,
        code_challenge: record.code_challenge,
        scopes: record.scopes,
    }
}

/// Stores `pending` until consent; `Ok(None)` when too many sign-ins are in progress.
pub(super) async fn start(
    store: &dyn Store,
    pending: &Pending,
) -> Result<Option<Started>, StoreError> {
    let started = Started {
        pending_id: random_token(""),
        browser_secret: random_token(""),
        csrf: random_token(""),
    };
    let row = record(
        &started.pending_id,
        OAuthPendingStage::Consent,
        pending,
        hash_token(&started.browser_secret),
        hash_token(&started.csrf),
    );
    Ok(store
        .create_oauth_pending(&row, MAX_PENDING)
        .await?
        .then_some(started))
}

/// Consumes the sign-in awaiting consent under `id` when `csrf` and the
/// browser `cookie` match it; a mismatch leaves it in place.
pub(super) async fn take_consent(
    store: &dyn Store,
    id: &str,
    csrf: &str,
    cookie: &str,
) -> Result<Option<Consented>, StoreError> {
    let key_hash = hash_token(id);
    let Some(row) = store.find_oauth_pending(&key_hash).await? else {
        return Ok(None);
    };
    let matches = row.stage == OAuthPendingStage::Consent
        && ct_eq(&row.csrf_hash, &hash_token(csrf))
        && ct_eq(&row.browser_hash, &hash_token(cookie));
    if !matches
        || !store
            .take_oauth_pending(&key_hash, OAuthPendingStage::Consent)
            .await?
    {
        return Ok(None);
    }
    let browser_hash = row.browser_hash.clone();
    Ok(Some(Consented {
        pending: pending_of(row),
        browser_hash,
    }))
}

/// Stores a consented sign-in until Zoho calls back with `zoho_state`.
pub(super) async fn await_zoho(
    store: &dyn Store,
    zoho_state: &str,
    consented: &Consented,
) -> Result<bool, StoreError> {
    let row = record(
        zoho_state,
        OAuthPendingStage::Zoho,
        &consented.pending,
        consented.browser_hash.clone(),
        String::new(),
    );
    store.create_oauth_pending(&row, MAX_PENDING).await
}

/// Consumes (single use, on any replica) the sign-in Zoho's `state` names;
/// `None` unless it exists, is unexpired and was started by this browser.
pub(super) async fn take_zoho(
    store: &dyn Store,
    zoho_state: &str,
    cookie: &str,
) -> Result<Option<Pending>, StoreError> {
    if zoho_state.is_empty() {
        return Ok(None);
    }
    let key_hash = hash_token(zoho_state);
    let Some(row) = store.find_oauth_pending(&key_hash).await? else {
        return Ok(None);
    };
    if row.stage != OAuthPendingStage::Zoho
        || !store
            .take_oauth_pending(&key_hash, OAuthPendingStage::Zoho)
            .await?
    {
        return Ok(None);
    }
    // Consumed even when the cookie does not match: a Zoho code that reached
    // the wrong browser is not retried.
    Ok(ct_eq(&row.browser_hash, &hash_token(cookie)).then(|| pending_of(row)))
}
