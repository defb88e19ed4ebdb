//! Users, technicians and requesters (reference §5.5, §6.4).

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

use super::common::{LookupRef, NamedRef, UserInfo};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A user (`/users`); technicians and requesters share this shape.
    pub struct User {
        /// Id.
        pub id: String,
        /// Display name.
        pub name: String,
        /// First name.
        pub first_name: String,
        /// Last name.
        pub last_name: String,
        /// Email address.
        pub email_id: String,
        /// Phone.
        pub phone: String,
        /// Mobile.
        pub mobile: String,
        /// Employee id.
        pub employee_id: String,
        /// Job title.
        pub job_title: String,
        /// Department.
        pub department: NamedRef,
        /// Site.
        pub site: NamedRef,
        /// Reporting manager.
        pub reporting_to: UserInfo,
        /// Technician flag.
        pub is_technician: bool,
        /// VIP flag.
        pub is_vip_user: bool,
        /// Login name (on-prem).
        pub login_name: String,
        /// Photo URL.
        pub photo_url: String,
    }
}

entity!(User, "users", "user", "users");
module!(User, new = UserInput, update = UserInput);

sdp_model! {
    /// Body of a user, technician or requester create or update.
    pub struct UserInput {
        /// Display name.
        pub name: String,
        /// First name.
        pub first_name: String,
        /// Last name.
        pub last_name: String,
        /// Email address.
        pub email_id: String,
        /// Phone.
        pub phone: String,
        /// Mobile.
        pub mobile: String,
        /// Employee id.
        pub employee_id: String,
        /// Job title.
        pub job_title: String,
        /// Department.
        pub department: LookupRef,
        /// Site.
        pub site: LookupRef,
        /// VIP flag.
        pub is_vip_user: bool,
    }
}

/// Declares a newtype over [`User`] for a separate SDP tree.
macro_rules! user_kind {
    ($(#[$meta:meta])* $name:ident, $segment:literal, $singular:literal, $plural:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub User);

        impl Deref for $name {
            type Target = User;
            fn deref(&self) -> &User {
                &self.0
            }
        }

        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut User {
                &mut self.0
            }
        }

        entity!($name, $segment, $singular, $plural);
        module!($name, new = UserInput, update = UserInput);
    };
}

user_kind!(
    /// A technician (`/technicians`).
    Technician,
    "technicians",
    "technician",
    "technicians"
);
user_kind!(
    /// A requester (`/requesters`).
    Requester,
    "requesters",
    "requester",
    "requesters"
);
