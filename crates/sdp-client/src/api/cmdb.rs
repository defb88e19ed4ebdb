//! CMDB configuration items (reference §5.4): `/cmdb`, `/cmdb/{ci_type}`,
//! `/cmdb/{id}/ci_relationships`.

use super::collection::{Collection, Page};
use crate::client::SdpClient;
use crate::entity::Entity;
use crate::error::SdpError;
use crate::models::{CiRelationship, ConfigurationItem};
use crate::query::list_info::ListInfo;

/// CMDB operations.
#[derive(Clone, Debug)]
pub struct CmdbApi<'c> {
    client: &'c SdpClient,
}

impl<'c> CmdbApi<'c> {
    pub(crate) fn new(client: &'c SdpClient) -> Self {
        CmdbApi { client }
    }

    /// CIs of one type (`/cmdb/ci_computer`) or of all types (`/cmdb`).
    pub fn collection(&self, ci_type: Option<&str>) -> Collection<'c, ConfigurationItem> {
        let mut segments = vec![ConfigurationItem::SEGMENT.to_owned()];
        segments.extend(ci_type.map(str::to_owned));
        Collection::new(self.client, segments)
    }

    /// One page of CIs.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn list(
        &self,
        ci_type: Option<&str>,
        list_info: &ListInfo,
    ) -> Result<Page<ConfigurationItem>, SdpError> {
        self.collection(ci_type).list(list_info).await
    }

    /// One CI.
    ///
    /// # Errors
    /// [`SdpError`]; a missing id is 4007.
    pub async fn get(
        &self,
        ci_type: Option<&str>,
        id: &str,
    ) -> Result<ConfigurationItem, SdpError> {
        self.collection(ci_type).get(id).await
    }

    /// Relationships of one CI.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn relationships(&self, id: &str) -> Result<Vec<CiRelationship>, SdpError> {
        let collection = self
            .client
            .collection::<CiRelationship>([ConfigurationItem::SEGMENT, id]);
        Ok(collection.list(&ListInfo::new()).await?.items)
    }
}
