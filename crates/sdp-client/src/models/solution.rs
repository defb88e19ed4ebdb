//! Knowledge-base solutions and their topics (reference §5.5, §6.4).

use super::common::{LookupRef, NamedRef, SdpDateTime, UserInfo};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A solution.
    pub struct Solution {
        /// Id.
        pub id: String,
        /// Title.
        pub title: String,
        /// HTML content.
        pub description: String,
        /// Topic.
        pub topic: NamedRef,
        /// Keywords.
        pub keywords: String,
        /// Public (visible to requesters).
        pub is_public: bool,
        /// Approval status.
        pub approval_status: NamedRef,
        /// Author.
        pub created_by: UserInfo,
        /// Created.
        pub created_time: SdpDateTime,
        /// Last updated.
        pub last_updated_time: SdpDateTime,
    }
}

entity!(Solution, "solutions", "solution", "solutions");
module!(Solution, new = SolutionInput, update = SolutionInput);

sdp_model! {
    /// Body of a solution create or update.
    pub struct SolutionInput {
        /// Title.
        pub title: String,
        /// HTML content.
        pub description: String,
        /// Topic.
        pub topic: LookupRef,
        /// Keywords.
        pub keywords: String,
        /// Public.
        pub is_public: bool,
    }
}

sdp_model! {
    /// A solution topic (`/topics`, not `/solution_topics`).
    pub struct Topic {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// Parent topic.
        pub parent: NamedRef,
    }
}

entity!(Topic, "topics", "topic", "topics");
module!(Topic, new = TopicInput, update = TopicInput);

sdp_model! {
    /// Body of a topic create or update.
    pub struct TopicInput {
        /// Name.
        pub name: String,
        /// Parent topic.
        pub parent: LookupRef,
    }
}
