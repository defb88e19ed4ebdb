//! Typed ServiceDesk Plus REST API v3 client with Zoho OAuth token management.
#![warn(missing_docs)]
