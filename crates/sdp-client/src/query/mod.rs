//! Request-side query building: `list_info` and `search_criteria`.

pub mod criteria;
pub mod list_info;
