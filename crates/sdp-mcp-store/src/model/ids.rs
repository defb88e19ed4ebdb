//! Identifiers: opaque strings (UUID v4 when the store makes them).

use std::fmt;
use std::str::FromStr;

/// The stable id of a user. It is bound into every ciphertext of the user
/// (associated data), so it never changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

/// The id of one API key (not the key: the key itself is never stored).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiKeyId(String);

/// Text that cannot be an id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid id: ids are 1 to 64 characters from letters, digits, `-` and `_`")]
pub struct InvalidId(pub String);

macro_rules! id_type {
    ($name:ident) => {
        impl $name {
            /// A new random id (UUID v4).
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// An id read back from the database, which only holds valid ids.
            pub(crate) fn from_stored(text: String) -> Self {
                Self(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let valid = !text.is_empty()
                    && text.len() <= 64
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !valid {
                    return Err(InvalidId(text.chars().take(80).collect()));
                }
                Ok(Self(text.to_owned()))
            }
        }
    };
}

id_type!(UserId);
id_type!(ApiKeyId);

#[cfg(test)]
mod tests {
    use super::UserId;

    #[test]
    fn ids_parse_and_reject() {
        let id = UserId::random();
        assert_eq!(id.as_str().parse::<UserId>(), Ok(id.clone()));
        assert!("".parse::<UserId>().is_err());
        assert!("a b".parse::<UserId>().is_err());
        assert!("x".repeat(65).parse::<UserId>().is_err());
    }
}
