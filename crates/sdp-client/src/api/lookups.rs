//! Setup lookup lists (statuses, priorities, categories, …).

use super::collection::Page;
use crate::client::SdpClient;
use crate::error::SdpError;
use crate::http::call::ApiCall;
use crate::models::{Lookup, LookupItem};
use crate::query::list_info::{ListInfo, MAX_ROW_COUNT};

/// Most items [`LookupsApi::list`] collects.
pub const MAX_LOOKUP_ITEMS: usize = 2000;

/// Lookup operations.
#[derive(Clone, Debug)]
pub struct LookupsApi<'c> {
    client: &'c SdpClient,
}

impl<'c> LookupsApi<'c> {
    pub(crate) fn new(client: &'c SdpClient) -> Self {
        LookupsApi { client }
    }

    /// One page of a lookup list.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn page(
        &self,
        lookup: &Lookup,
        list_info: &ListInfo,
    ) -> Result<Page<LookupItem>, SdpError> {
        let mut call = ApiCall::get(lookup.segments());
        if *list_info != ListInfo::default() {
            call = call.input_data(list_info.to_input_data());
        }
        let response = self.client.execute(&call).await?;
        Ok(Page {
            items: response.list(&[lookup.plural_key()]),
            list_info: response.list_info(),
        })
    }

    /// The whole list (walks pages of 100, at most [`MAX_LOOKUP_ITEMS`]).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn list(&self, lookup: Lookup) -> Result<Vec<LookupItem>, SdpError> {
        let mut items = Vec::new();
        let mut start = 1u32;
        loop {
            let list_info = ListInfo::new().row_count(MAX_ROW_COUNT).start_index(start);
            let page = self.page(&lookup, &list_info).await?;
            let done = !page.has_more() || page.items.is_empty();
            items.extend(page.items);
            if done || items.len() >= MAX_LOOKUP_ITEMS {
                items.truncate(MAX_LOOKUP_ITEMS);
                return Ok(items);
            }
            start = start.saturating_add(MAX_ROW_COUNT);
        }
    }
}
