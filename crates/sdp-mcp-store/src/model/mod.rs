//! The store's data types: plain data plus `SecretString`, no behaviour
//! beyond validation and conversion to and from the stored text forms.

mod api_key;
mod audit;
mod credentials;
mod ids;
mod oauth;
mod user;

pub use api_key::{ApiKeyRecord, IssuedApiKey};
pub use audit::{AuditEvent, AuditOutcome, AuditRecord, CachedAccessToken};
pub use credentials::{CredentialKind, SdpAuth, SdpCredentials};
pub use ids::{ApiKeyId, InvalidId, UserId};
pub use oauth::{
    CodeRedemption, NewOAuthClient, NewOAuthCode, NewOAuthToken, OAuthClientRecord, OAuthPending,
    OAuthPendingStage, OAuthTokenKind, OAuthTokenRecord, RefreshRotation,
};
pub use user::{
    AuthMethod, ImportAction, ImportOutcome, NewUser, UserRecord, UserStatus, UserSummary,
};

pub(crate) use credentials::validate_credentials;
pub(crate) use user::validate_new_user;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Stored timestamps are milliseconds since the Unix epoch (`BIGINT`).
pub(crate) fn to_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The inverse of [`to_millis`].
pub(crate) fn from_millis(millis: i64) -> SystemTime {
    let magnitude = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

/// The current time in stored form.
pub(crate) fn now_millis() -> i64 {
    to_millis(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::{from_millis, to_millis};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn millis_round_trip() {
        for millis in [0_i64, 1, 1_700_000_000_123, -5_000] {
            assert_eq!(to_millis(from_millis(millis)), millis);
        }
        assert_eq!(to_millis(UNIX_EPOCH + Duration::from_secs(2)), 2_000);
    }
}
