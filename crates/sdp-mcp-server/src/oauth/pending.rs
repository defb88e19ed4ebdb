//! Authorizations in progress, kept in memory for at most ten minutes:
//! between `/authorize` and the consent decision (keyed by a random id), and
//! between the consent and Zoho's callback (keyed by our own single-use Zoho
//! `state`, created only after consent).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How long a pending authorization lives.
pub(super) const PENDING_TTL: Duration = Duration::from_secs(600);
/// At most this many pending authorizations (bounds memory).
const MAX_PENDING: usize = 10_000;

/// One MCP authorization request awaiting the user.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) state: Option<String>,
    pub(super) code_challenge: String,
    pub(super) scopes: Vec<String>,
    /// Value of the browser-binding cookie set with the consent page.
    pub(super) browser_secret: String,
    /// CSRF token of the consent form.
    pub(super) csrf: String,
    pub(super) created: Instant,
}

#[derive(Debug, Default)]
pub(super) struct PendingAuthorizations {
    inner: Mutex<Maps>,
}

#[derive(Debug, Default)]
struct Maps {
    /// Awaiting consent, by pending id.
    consent: HashMap<String, Pending>,
    /// Awaiting Zoho's callback, by Zoho `state`.
    zoho: HashMap<String, Pending>,
}

impl Maps {
    fn sweep(&mut self) {
        self.consent
            .retain(|_, p| p.created.elapsed() < PENDING_TTL);
        self.zoho.retain(|_, p| p.created.elapsed() < PENDING_TTL);
    }
}

impl PendingAuthorizations {
    /// Keeps `pending` under `id` until consent; `false` when full.
    pub(super) fn insert_consent(&self, id: String, pending: Pending) -> bool {
        let mut maps = self.inner.lock();
        maps.sweep();
        if maps.consent.len() + maps.zoho.len() >= MAX_PENDING {
            return false;
        }
        maps.consent.insert(id, pending);
        true
    }

    /// Takes the authorization awaiting consent under `id` when `check`
    /// accepts it; a rejected one stays.
    pub(super) fn take_consent(
        &self,
        id: &str,
        check: impl FnOnce(&Pending) -> bool,
    ) -> Option<Pending> {
        let mut maps = self.inner.lock();
        let pending = maps.consent.get(id)?;
        if pending.created.elapsed() >= PENDING_TTL || !check(pending) {
            return None;
        }
        maps.consent.remove(id)
    }

    /// Keeps a consented authorization until Zoho calls back with `state`.
    pub(super) fn insert_zoho(&self, state: String, pending: Pending) {
        let mut maps = self.inner.lock();
        maps.sweep();
        maps.zoho.insert(state, pending);
    }

    /// Takes (single use) the authorization Zoho's `state` names.
    pub(super) fn take_zoho(&self, state: &str) -> Option<Pending> {
        let mut maps = self.inner.lock();
        maps.zoho
            .remove(state)
            .filter(|p| p.created.elapsed() < PENDING_TTL)
    }
}
