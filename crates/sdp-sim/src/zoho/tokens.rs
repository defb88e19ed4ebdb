//! Token bookkeeping of the simulated Zoho accounts server: clients, login
//! tickets, authorization codes, refresh tokens and access tokens, with Zoho's
//! limits (reference/sdp-api.md §2.3–§2.5). No HTTP here; the handlers in
//! `auth_page` and `token_endpoint` call into it under the state's lock.

use std::collections::{HashMap, HashSet, VecDeque};

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::model::{Account, AuthRequest, Client, Minted, TokenError, parse_scopes};
use super::{AccessGrant, TokenRejection};
use crate::config::SimConfig;
use crate::directory::{Directory, FULL_SCOPES, hex_token, zoho_token};

/// Live access tokens per refresh token; minting one more invalidates the oldest (Zoho: 15).
pub const MAX_LIVE_ACCESS_TOKENS: usize = 15;
/// Refresh tokens per user and client; issuing one more evicts the oldest (Zoho: 20).
pub const MAX_REFRESH_TOKENS: usize = 20;
/// How long the consent page stays valid after a successful login.
const TICKET_TTL_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone)]
struct CodeEntry {
    request: AuthRequest,
    email: String,
    portal: String,
    issue_refresh: bool,
    expires_ms: i64,
}

#[derive(Debug, Clone)]
struct Ticket {
    email: String,
    request: AuthRequest,
    expires_ms: i64,
}

#[derive(Debug, Clone)]
struct RefreshEntry {
    client_id: String,
    email: String,
    portal: String,
    scopes: Vec<String>,
}

/// Access tokens minted under one parent (a refresh token, or an online / client-credentials grant).
#[derive(Debug, Default)]
struct Group {
    /// Mint times inside the rolling window.
    mints: VecDeque<i64>,
    /// Live access tokens, oldest first.
    access: VecDeque<String>,
}

#[derive(Debug, Clone)]
struct AccessEntry {
    grant: AccessGrant,
    expires_ms: i64,
}

/// Zoho accounts state: clients, accounts, codes and tokens. Random values come
/// from a generator seeded with the simulator's seed, so runs are reproducible.
#[derive(Debug)]
pub struct ZohoState {
    rng: StdRng,
    token_ttl_ms: i64,
    code_ttl_ms: i64,
    mint_limit: usize,
    mint_window_ms: i64,
    clients: HashMap<String, Client>,
    /// Keyed by lower-case email.
    accounts: HashMap<String, Account>,
    tickets: HashMap<String, Ticket>,
    codes: HashMap<String, CodeEntry>,
    refresh: HashMap<String, RefreshEntry>,
    /// Refresh tokens per (email, client id), oldest first.
    refresh_order: HashMap<(String, String), VecDeque<String>>,
    groups: HashMap<String, Group>,
    access: HashMap<String, AccessEntry>,
    revoked_access: HashSet<String>,
    /// (email, client id) pairs that consented to an offline grant before.
    consented: HashSet<(String, String)>,
}

fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

impl ZohoState {
    /// Registers the directory's clients and accounts, and each user's
    /// pre-issued refresh token (own client, [`FULL_SCOPES`], own portal).
    pub fn new(config: &SimConfig, directory: &Directory) -> Self {
        let mut state = Self {
            rng: StdRng::seed_from_u64(config.seed ^ 0x2010_a0a7),
            token_ttl_ms: secs_to_ms(config.token_ttl_secs),
            code_ttl_ms: secs_to_ms(config.code_ttl_secs),
            mint_limit: config.mint_limit,
            mint_window_ms: secs_to_ms(config.mint_window_secs),
            clients: HashMap::new(),
            accounts: HashMap::new(),
            tickets: HashMap::new(),
            codes: HashMap::new(),
            refresh: HashMap::new(),
            refresh_order: HashMap::new(),
            groups: HashMap::new(),
            access: HashMap::new(),
            revoked_access: HashSet::new(),
            consented: HashSet::new(),
        };
        for web in &directory.web_clients {
            state.clients.insert(
                web.client_id.clone(),
                Client {
                    secret: web.client_secret.clone(),
                    redirect_uris: web.redirect_uris.clone(),
                    owner: None,
                },
            );
        }
        for (i, user) in directory.users.iter().enumerate() {
            let (first, last) = user.name.split_once(' ').unwrap_or((&user.name, ""));
            let zuid = 800_000_000_u64 + (i as u64) * 1000 + state.rng.random_range(0..1000);
            state.accounts.insert(
                user.email.to_lowercase(),
                Account {
                    login: user.login.clone(),
                    email: user.email.clone(),
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    display_name: user.name.clone(),
                    zuid,
                    portal: user.portal.clone(),
                },
            );
            state.clients.insert(
                user.client_id.clone(),
                Client {
                    secret: user.client_secret.clone(),
                    redirect_uris: Vec::new(),
                    owner: Some(user.email.clone()),
                },
            );
            state
                .consented
                .insert((user.email.to_lowercase(), user.client_id.clone()));
            let scopes = FULL_SCOPES.iter().map(|s| (*s).to_owned()).collect();
            state.register_refresh(
                user.refresh_token.clone(),
                RefreshEntry {
                    client_id: user.client_id.clone(),
                    email: user.email.clone(),
                    portal: user.portal.clone(),
                    scopes,
                },
            );
        }
        state
    }

    /// Validates an access token presented to SDP at time `now_ms`.
    ///
    /// # Errors
    /// The reason the token is refused.
    pub fn check_access_token(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<AccessGrant, TokenRejection> {
        match self.access.get(token) {
            Some(entry) if entry.expires_ms <= now_ms => Err(TokenRejection::Expired),
            Some(entry) => Ok(entry.grant.clone()),
            None if self.revoked_access.contains(token) => Err(TokenRejection::Revoked),
            None => Err(TokenRejection::Unknown),
        }
    }

    /// Test helper: mints an access token for the directory user `email` (or
    /// login name) on the user's portal with `scopes`, valid from `now_ms` for
    /// the configured lifetime. Not counted as a grant, not throttled, never
    /// evicted. `None` for an unknown user.
    pub fn issue_access_token(
        &mut self,
        email: &str,
        scopes: &[&str],
        now_ms: i64,
    ) -> Option<String> {
        let account = self.account(email)?;
        let grant = AccessGrant {
            email: account.email.clone(),
            portal: account.portal.clone(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        Some(self.mint_access(grant, None, now_ms))
    }

    /// Revokes a refresh token (with all its access tokens) or an access token.
    /// `false` when the token is unknown or already revoked.
    pub fn revoke(&mut self, token: &str) -> bool {
        if self.refresh.contains_key(token) {
            self.drop_refresh(token, true);
            true
        } else if self.access.remove(token).is_some() {
            self.revoked_access.insert(token.to_owned());
            true
        } else {
            false
        }
    }

    /// Number of unexpired access tokens minted from `refresh_token` at `now_ms`.
    pub fn live_access_tokens(&self, refresh_token: &str, now_ms: i64) -> usize {
        self.groups.get(refresh_token).map_or(0, |g| {
            g.access
                .iter()
                .filter(|t| self.access.get(*t).is_some_and(|e| e.expires_ms > now_ms))
                .count()
        })
    }

    /// Whether `refresh_token` is currently valid (issued and neither revoked nor evicted).
    pub fn is_refresh_token_valid(&self, refresh_token: &str) -> bool {
        self.refresh.contains_key(refresh_token)
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.get(client_id)
    }

    /// Finds an account by email (case-insensitive) or login name.
    pub(crate) fn account(&self, email_or_login: &str) -> Option<&Account> {
        self.accounts
            .get(&email_or_login.to_lowercase())
            .or_else(|| {
                self.accounts
                    .values()
                    .find(|a| a.login.eq_ignore_ascii_case(email_or_login))
            })
    }

    /// Records a successful login and returns the ticket the consent form carries.
    pub(crate) fn create_ticket(
        &mut self,
        email: &str,
        request: AuthRequest,
        now_ms: i64,
    ) -> String {
        self.tickets.retain(|_, t| t.expires_ms > now_ms);
        let ticket = hex_token(&mut self.rng, 16);
        self.tickets.insert(
            ticket.clone(),
            Ticket {
                email: email.to_owned(),
                request,
                expires_ms: now_ms.saturating_add(TICKET_TTL_MS),
            },
        );
        ticket
    }

    /// Consumes a login ticket: the user's email and the pending request.
    pub(crate) fn take_ticket(
        &mut self,
        ticket: &str,
        now_ms: i64,
    ) -> Option<(String, AuthRequest)> {
        let t = self.tickets.remove(ticket)?;
        (t.expires_ms > now_ms).then_some((t.email, t.request))
    }

    /// Issues an authorization code after consent. A refresh token will come
    /// with it for `access_type=offline` on first consent or with `prompt=consent`.
    pub(crate) fn issue_code(
        &mut self,
        email: &str,
        request: AuthRequest,
        now_ms: i64,
    ) -> Option<String> {
        let portal = self.account(email)?.portal.clone();
        self.codes.retain(|_, c| c.expires_ms > now_ms);
        let pair = (email.to_lowercase(), request.client_id.clone());
        let first = !self.consented.contains(&pair);
        let issue_refresh = request.offline && (first || request.prompt_consent);
        if request.offline {
            self.consented.insert(pair);
        }
        let code = zoho_token(&mut self.rng);
        self.codes.insert(
            code.clone(),
            CodeEntry {
                request,
                email: email.to_owned(),
                portal,
                issue_refresh,
                expires_ms: now_ms.saturating_add(self.code_ttl_ms),
            },
        );
        Some(code)
    }

    fn authenticate_client(&self, client_id: &str, secret: &str) -> Result<&Client, TokenError> {
        let client = self
            .clients
            .get(client_id)
            .ok_or(TokenError::InvalidClient)?;
        if client.secret == secret {
            Ok(client)
        } else {
            Err(TokenError::InvalidClientSecret)
        }
    }

    /// `grant_type=authorization_code`. The code is spent by any attempt that
    /// gets past client authentication.
    pub(crate) fn exchange_code(
        &mut self,
        client_id: &str,
        secret: &str,
        code: &str,
        redirect_uri: Option<&str>,
        now_ms: i64,
    ) -> Result<Minted, TokenError> {
        self.authenticate_client(client_id, secret)?;
        let entry = self.codes.remove(code).ok_or(TokenError::InvalidCode)?;
        if entry.request.client_id != client_id || entry.expires_ms <= now_ms {
            return Err(TokenError::InvalidCode);
        }
        if redirect_uri != Some(entry.request.redirect_uri.as_str()) {
            return Err(TokenError::InvalidRedirectUri);
        }
        let grant = AccessGrant {
            email: entry.email.clone(),
            portal: entry.portal.clone(),
            scopes: entry.request.scopes.clone(),
        };
        let (refresh_token, group) = if entry.issue_refresh {
            let token = zoho_token(&mut self.rng);
            self.register_refresh(
                token.clone(),
                RefreshEntry {
                    client_id: client_id.to_owned(),
                    email: entry.email.clone(),
                    portal: entry.portal.clone(),
                    scopes: entry.request.scopes.clone(),
                },
            );
            (Some(token.clone()), token)
        } else {
            (
                None,
                format!("online:{client_id}:{}", entry.email.to_lowercase()),
            )
        };
        let access_token = self.mint_access(grant, Some(&group), now_ms);
        Ok(Minted {
            access_token,
            grant_key: refresh_token
                .clone()
                .unwrap_or_else(|| client_id.to_owned()),
            refresh_token,
            scopes: entry.request.scopes,
        })
    }

    /// `grant_type=refresh_token`, subject to the mint throttle.
    pub(crate) fn refresh_grant(
        &mut self,
        client_id: &str,
        secret: &str,
        refresh_token: &str,
        now_ms: i64,
    ) -> Result<Minted, TokenError> {
        self.authenticate_client(client_id, secret)?;
        let entry = self
            .refresh
            .get(refresh_token)
            .filter(|e| e.client_id == client_id)
            .ok_or(TokenError::InvalidCode)?
            .clone();
        self.take_mint_slot(refresh_token, now_ms)?;
        let grant = AccessGrant {
            email: entry.email,
            portal: entry.portal,
            scopes: entry.scopes.clone(),
        };
        let access_token = self.mint_access(grant, Some(refresh_token), now_ms);
        Ok(Minted {
            access_token,
            refresh_token: None,
            scopes: entry.scopes,
            grant_key: refresh_token.to_owned(),
        })
    }

    /// `grant_type=client_credentials` for a Self Client: acts as its owner.
    pub(crate) fn client_credentials(
        &mut self,
        client_id: &str,
        secret: &str,
        scope: &str,
        now_ms: i64,
    ) -> Result<Minted, TokenError> {
        let owner = self
            .authenticate_client(client_id, secret)?
            .owner
            .clone()
            .ok_or(TokenError::UnauthorizedClient)?;
        let scopes = parse_scopes(scope);
        if scopes.is_empty() {
            return Err(TokenError::InvalidScope);
        }
        let portal = self
            .account(&owner)
            .ok_or(TokenError::InvalidClient)?
            .portal
            .clone();
        let group = format!("cc:{client_id}");
        self.take_mint_slot(&group, now_ms)?;
        let grant = AccessGrant {
            email: owner,
            portal,
            scopes: scopes.clone(),
        };
        let access_token = self.mint_access(grant, Some(&group), now_ms);
        Ok(Minted {
            access_token,
            refresh_token: None,
            scopes,
            grant_key: client_id.to_owned(),
        })
    }

    /// Rolling-window mint limit of a group; records the mint when allowed.
    fn take_mint_slot(&mut self, group: &str, now_ms: i64) -> Result<(), TokenError> {
        let window_start = now_ms.saturating_sub(self.mint_window_ms);
        let g = self.groups.entry(group.to_owned()).or_default();
        while g.mints.front().is_some_and(|t| *t <= window_start) {
            g.mints.pop_front();
        }
        if g.mints.len() >= self.mint_limit {
            return Err(TokenError::Throttled);
        }
        g.mints.push_back(now_ms);
        Ok(())
    }

    fn mint_access(&mut self, grant: AccessGrant, group: Option<&str>, now_ms: i64) -> String {
        let token = zoho_token(&mut self.rng);
        self.access.insert(
            token.clone(),
            AccessEntry {
                grant,
                expires_ms: now_ms.saturating_add(self.token_ttl_ms),
            },
        );
        if let Some(group) = group {
            let g = self.groups.entry(group.to_owned()).or_default();
            g.access.push_back(token.clone());
            while g.access.len() > MAX_LIVE_ACCESS_TOKENS {
                if let Some(oldest) = g.access.pop_front() {
                    self.access.remove(&oldest);
                }
            }
        }
        token
    }

    fn register_refresh(&mut self, token: String, entry: RefreshEntry) {
        let key = (entry.email.to_lowercase(), entry.client_id.clone());
        self.refresh.insert(token.clone(), entry);
        let order = self.refresh_order.entry(key).or_default();
        order.push_back(token);
        let mut evicted = Vec::new();
        while order.len() > MAX_REFRESH_TOKENS {
            evicted.extend(order.pop_front());
        }
        for old in evicted {
            self.drop_refresh(&old, false);
        }
    }

    /// Removes a refresh token and its access tokens (marked revoked when `revoked`).
    fn drop_refresh(&mut self, token: &str, revoked: bool) {
        let Some(entry) = self.refresh.remove(token) else {
            return;
        };
        if let Some(order) = self
            .refresh_order
            .get_mut(&(entry.email.to_lowercase(), entry.client_id))
        {
            order.retain(|t| t != token);
        }
        if let Some(group) = self.groups.remove(token) {
            for access in group.access {
                if self.access.remove(&access).is_some() && revoked {
                    self.revoked_access.insert(access);
                }
            }
        }
    }
}
