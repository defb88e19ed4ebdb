//! The simulated people who can log in: their Zoho accounts, their per-user
//! Zoho OAuth clients and refresh tokens (as a per-user `.env.userN` file holds
//! them), and their on-prem technician keys.
//!
//! Both halves of the simulator read this: Zoho accounts authenticates them,
//! SDP lists them as technicians of their portal.

use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::config::{SimConfig, portal_name};

/// All SDP scopes a simulated user's refresh token carries by default.
pub const FULL_SCOPES: &[&str] = &[
    "SDPOnDemand.requests.ALL",
    "SDPOnDemand.problems.ALL",
    "SDPOnDemand.changes.ALL",
    "SDPOnDemand.releases.ALL",
    "SDPOnDemand.projects.ALL",
    "SDPOnDemand.assets.ALL",
    "SDPOnDemand.cmdb.ALL",
    "SDPOnDemand.solutions.ALL",
    "SDPOnDemand.contracts.ALL",
    "SDPOnDemand.purchases.ALL",
    "SDPOnDemand.users.ALL",
    "SDPOnDemand.setup.ALL",
    "SDPOnDemand.general.ALL",
];

/// One simulated login user.
#[derive(Clone)]
pub struct SimUser {
    /// Short login name, also the `.env.<login>` file suffix (`user1`).
    pub login: String,
    /// Display name (`Avery Hall`).
    pub name: String,
    /// Email address, the Zoho login id.
    pub email: String,
    /// Password for the Zoho login page.
    pub password: String,
    /// URL name of the user's portal.
    pub portal: String,
    /// The user's own Zoho OAuth client id (`1000.` + 30 upper-alnum).
    pub client_id: String,
    /// The user's Zoho OAuth client secret.
    pub client_secret: String,
    /// A refresh token pre-issued to this user for `client_id` with [`FULL_SCOPES`].
    pub refresh_token: String,
    /// On-prem technician API key (`authtoken` / `TECHNICIAN_KEY` header).
    pub technician_key: String,
}

impl std::fmt::Debug for SimUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimUser")
            .field("login", &self.login)
            .field("email", &self.email)
            .field("portal", &self.portal)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A web (redirect-flow) OAuth client registered at the simulated Zoho,
/// as an organisation registers one for `sdp-mcp`'s browser sign-in.
#[derive(Clone, Debug)]
pub struct WebClient {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Exact redirect URIs accepted. An entry ending in `*` is a prefix match
    /// (for test servers on ephemeral ports).
    pub redirect_uris: Vec<String>,
}

/// Everyone and everything that can authenticate against the simulator.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Portal URL names, default portal first.
    pub portals: Vec<String>,
    /// Login users.
    pub users: Vec<SimUser>,
    /// Web clients for the redirect flow.
    pub web_clients: Vec<WebClient>,
}

const FIRST: &[&str] = &[
    "Avery", "Jordan", "Morgan", "Riley", "Casey", "Quinn", "Harper", "Rowan", "Emerson", "Finley",
    "Hayden", "Parker", "Reese", "Sawyer", "Skyler", "Taylor",
];
const LAST: &[&str] = &[
    "Hall", "Nguyen", "Patel", "Okafor", "Schmidt", "Rossi", "Kowalski", "Silva", "Tanaka",
    "Dubois", "Haddad", "Larsen", "Moreau", "Novak", "Reyes", "Walsh",
];

/// Demo web client id, registered in every simulator (redirects to any loopback URL).
pub const DEMO_WEB_CLIENT_ID: &str = "1000.SDPMCPDEMOWEBCLIENT0000000000";
/// Secret of [`DEMO_WEB_CLIENT_ID`].
pub const DEMO_WEB_CLIENT_SECRET: &str = "demo-web-client-secret";

impl Directory {
    /// Generates the directory deterministically from the configuration.
    pub fn generate(config: &SimConfig) -> Self {
        let mut rng = StdRng::seed_from_u64(config.seed ^ 0x5eed_d1e0);
        let portals: Vec<String> = (0..config.portals.max(1)).map(portal_name).collect();
        let users = (0..config.users)
            .map(|i| {
                let first = FIRST[i % FIRST.len()];
                let last = LAST[(i / FIRST.len() + i * 7) % LAST.len()];
                let login = format!("user{}", i + 1);
                SimUser {
                    name: format!("{first} {last}"),
                    email: format!(
                        "{}.{}{}@zylker.test",
                        first.to_lowercase(),
                        last.to_lowercase(),
                        i + 1
                    ),
                    password: format!("{login}-password"),
                    portal: portals[i % portals.len()].clone(),
                    client_id: format!("1000.{}", upper_alnum(&mut rng, 30)),
                    client_secret: hex_token(&mut rng, 21),
                    refresh_token: zoho_token(&mut rng),
                    technician_key: hex_token(&mut rng, 16).to_uppercase(),
                    login,
                }
            })
            .collect();
        let web_clients = vec![WebClient {
            client_id: DEMO_WEB_CLIENT_ID.to_owned(),
            client_secret: DEMO_WEB_CLIENT_SECRET.to_owned(),
            redirect_uris: vec![
                "http://127.0.0.1*".to_owned(),
                "http://localhost*".to_owned(),
                "http://[::1]*".to_owned(),
            ],
        }];
        Self {
            portals,
            users,
            web_clients,
        }
    }

    /// The default portal (the org's first).
    pub fn default_portal(&self) -> &str {
        self.portals.first().map_or("itdesk", String::as_str)
    }

    /// Finds a login user by email (case-insensitive) or login name.
    pub fn user(&self, email_or_login: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| {
            u.email.eq_ignore_ascii_case(email_or_login)
                || u.login.eq_ignore_ascii_case(email_or_login)
        })
    }
}

/// A Zoho-format token: `1000.` + 32 hex + `.` + 32 hex.
pub fn zoho_token(rng: &mut impl Rng) -> String {
    format!("1000.{}.{}", hex_token(rng, 16), hex_token(rng, 16))
}

/// `bytes` random bytes as lowercase hex.
pub fn hex_token(rng: &mut impl Rng, bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rng.random::<u8>()).collect();
    hex::encode(raw)
}

fn upper_alnum(rng: &mut impl Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
