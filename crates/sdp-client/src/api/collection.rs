//! [`Collection`]: list/get/create/update/delete of any entity at any path,
//! and [`Page`] with the paging helpers that walk `has_more_rows`.

use std::marker::PhantomData;

use futures::stream::{self, BoxStream, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::client::SdpClient;
use crate::entity::Entity;
use crate::error::SdpError;
use crate::http::call::{ApiCall, ApiResponse};
use crate::query::list_info::{ListInfo, ListInfoResponse, MAX_ROW_COUNT};

/// One page of a list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page<E> {
    /// The items.
    pub items: Vec<E>,
    /// The `list_info` SDP echoed.
    pub list_info: ListInfoResponse,
}

impl<E> Page<E> {
    /// `true` when SDP reported more rows after this page.
    pub fn has_more(&self) -> bool {
        self.list_info.has_more_rows.unwrap_or(false)
    }

    /// Total rows, when `get_total_count` was asked.
    pub fn total_count(&self) -> Option<u64> {
        self.list_info.total_count
    }
}

/// A collection of `E` at a path, e.g. `/requests` or `/requests/{id}/notes`.
#[derive(Debug)]
pub struct Collection<'c, E> {
    client: &'c SdpClient,
    segments: Vec<String>,
    write_key: &'static str,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for Collection<'_, E> {
    fn clone(&self) -> Self {
        Collection {
            client: self.client,
            segments: self.segments.clone(),
            write_key: self.write_key,
            entity: PhantomData,
        }
    }
}

impl<'c, E: Entity> Collection<'c, E> {
    pub(crate) fn new(client: &'c SdpClient, segments: Vec<String>) -> Self {
        Collection {
            client,
            segments,
            write_key: E::SINGULAR,
            entity: PhantomData,
        }
    }

    /// Uses `key` instead of `E::SINGULAR` to wrap write bodies (e.g. `note`
    /// instead of `request_note`).
    pub fn with_write_key(mut self, key: &'static str) -> Self {
        self.write_key = key;
        self
    }

    /// The path segments of the collection.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    fn item_segments(&self, id: &str) -> Vec<String> {
        let mut segments = self.segments.clone();
        segments.push(id.to_owned());
        segments
    }

    fn singular_keys(&self) -> Vec<&'static str> {
        let mut keys = vec![self.write_key, E::SINGULAR];
        keys.extend_from_slice(E::SINGULAR_ALIASES);
        keys
    }

    fn plural_keys() -> Vec<&'static str> {
        let mut keys = vec![E::PLURAL];
        keys.extend_from_slice(E::PLURAL_ALIASES);
        keys
    }

    fn wrap<B: Serialize + ?Sized>(&self, body: &B) -> Result<Value, SdpError> {
        wrap(self.write_key, body)
    }

    /// One page. An empty `ListInfo` sends no `input_data` at all.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn list(&self, list_info: &ListInfo) -> Result<Page<E>, SdpError> {
        let mut call = ApiCall::get(self.segments.clone());
        if *list_info != ListInfo::default() {
            call = call.input_data(list_info.to_input_data());
        }
        let keys = Self::plural_keys();
        match self.client.execute_direct::<Vec<E>>(&call, &keys).await? {
            Ok(read) => Ok(Page {
                items: read.found.unwrap_or_default(),
                list_info: read
                    .list_info
                    .and_then(crate::models::lenient::coerce)
                    .unwrap_or_default(),
            }),
            Err(response) => Ok(Page {
                items: response.list(&keys),
                list_info: response.list_info(),
            }),
        }
    }

    /// Every page from `list_info`'s start until `has_more_rows` is false or
    /// `max_items` are collected. Pages are 100 rows unless `list_info` sets
    /// a row count.
    ///
    /// # Errors
    /// The first failing page's error.
    pub async fn list_all(
        &self,
        list_info: &ListInfo,
        max_items: usize,
    ) -> Result<Vec<E>, SdpError> {
        let mut pages = self.pages(list_info.clone());
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            items.extend(page?.items);
            if items.len() >= max_items {
                items.truncate(max_items);
                break;
            }
        }
        Ok(items)
    }

    /// A stream of pages that walks `has_more_rows` (`start_index` +=
    /// `row_count`), stopping after an empty page or the first error.
    pub fn pages(&self, list_info: ListInfo) -> BoxStream<'c, Result<Page<E>, SdpError>> {
        let rows = list_info.rows_per_page().unwrap_or(MAX_ROW_COUNT);
        let first = list_info.first_row();
        let collection = self.clone();
        let state = Some((collection, list_info.row_count(rows), first));
        stream::unfold(state, move |state| async move {
            let (collection, list_info, start) = state?;
            let page = collection.list(&list_info.clone().start_index(start)).await;
            match page {
                Ok(page) => {
                    let next = (page.has_more() && !page.items.is_empty())
                        .then(|| (collection, list_info, start.saturating_add(rows)));
                    Some((Ok(page), next))
                }
                Err(error) => Some((Err(error), None)),
            }
        })
        .boxed()
    }

    /// One item by id.
    ///
    /// # Errors
    /// [`SdpError`]; a missing id is 4007 ([`SdpError::is_not_found`]).
    pub async fn get(&self, id: &str) -> Result<E, SdpError> {
        let keys = self.singular_keys();
        let call = ApiCall::get(self.item_segments(id));
        match self.client.execute_direct::<E>(&call, &keys).await? {
            Ok(read) => read.found.ok_or_else(|| SdpError::UnexpectedResponse {
                http_status: 200,
                detail: "no entity in the answer".to_owned(),
            }),
            Err(response) => response.entity(&keys),
        }
    }

    /// Creates an item: POST `{"<key>": body}`.
    ///
    /// # Errors
    /// [`SdpError`]; missing mandatory fields are 4012.
    pub async fn create<B: Serialize + ?Sized>(&self, body: &B) -> Result<E, SdpError> {
        let call = ApiCall::post(self.segments.clone()).input_data(self.wrap(body)?);
        let response = self.client.execute(&call).await?;
        response.entity(&self.singular_keys())
    }

    /// Updates an item: PUT `{"<key>": body}` (partial).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn update<B: Serialize + ?Sized>(&self, id: &str, body: &B) -> Result<E, SdpError> {
        let call = ApiCall::put(self.item_segments(id)).input_data(self.wrap(body)?);
        let response = self.client.execute(&call).await?;
        response.entity(&self.singular_keys())
    }

    /// Deletes an item.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn delete(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.client
            .execute(&ApiCall::delete(self.item_segments(id)))
            .await
    }

    /// Runs an action on one item: `method /…/{id}/{action}` with an optional
    /// body wrapped in the write key (e.g. `PUT /requests/{id}/_close`).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn action(
        &self,
        method: reqwest::Method,
        id: &str,
        action: &str,
        body: Option<&Value>,
    ) -> Result<ApiResponse, SdpError> {
        let mut segments = self.item_segments(id);
        segments.push(action.to_owned());
        let mut call = ApiCall::new(method, segments);
        if let Some(body) = body {
            call = call.input_data(self.wrap(body)?);
        }
        self.client.execute(&call).await
    }
}

/// `{"<key>": body}` as JSON.
pub(crate) fn wrap<B: Serialize + ?Sized>(key: &str, body: &B) -> Result<Value, SdpError> {
    let value = serde_json::to_value(body).map_err(|e| SdpError::InvalidArgument {
        detail: format!("the body does not serialise: {e}"),
    })?;
    let mut outer = Map::new();
    outer.insert(key.to_owned(), value);
    Ok(Value::Object(outer))
}
