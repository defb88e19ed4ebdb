//! Assets and CMDB configuration items (reference §5.4).

use serde_json::{Map, Value};

use super::common::{LookupRef, NamedRef, SdpDateTime, UserInfo, UserRef};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// An asset.
    pub struct Asset {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// Product.
        pub product: NamedRef,
        /// Product type.
        pub product_type: NamedRef,
        /// State (`In Use`, `In Store`, …).
        pub state: NamedRef,
        /// Asset tag.
        pub asset_tag: String,
        /// Serial number.
        pub serial_number: String,
        /// Barcode.
        pub barcode: String,
        /// Assigned user.
        pub user: UserInfo,
        /// Department.
        pub department: NamedRef,
        /// Site.
        pub site: NamedRef,
        /// Vendor.
        pub vendor: NamedRef,
        /// Acquired.
        pub acquisition_date: SdpDateTime,
        /// Warranty end.
        pub warranty_expiry: SdpDateTime,
    }
}

entity!(Asset, "assets", "asset", "assets");
module!(Asset, new = AssetInput, update = AssetInput);

sdp_model! {
    /// Body of an asset create or update (`name` and `product` on create; a
    /// flat `asset_type` is refused).
    pub struct AssetInput {
        /// Name.
        pub name: String,
        /// Product.
        pub product: LookupRef,
        /// State.
        pub state: LookupRef,
        /// Asset tag.
        pub asset_tag: String,
        /// Serial number.
        pub serial_number: String,
        /// Barcode.
        pub barcode: String,
        /// Assigned user.
        pub user: UserRef,
        /// Department.
        pub department: LookupRef,
        /// Site.
        pub site: LookupRef,
        /// Vendor.
        pub vendor: LookupRef,
    }
}

sdp_model! {
    /// A CMDB configuration item. Its attributes vary by CI type; the common
    /// ones are typed, the rest stay in `extra`.
    pub struct ConfigurationItem {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// CI type (`ci_type` or `module_type`).
        pub ci_type: NamedRef,
        /// Description.
        pub description: String,
        /// Site.
        pub site: NamedRef,
        /// Owner.
        pub owned_by: UserInfo,
        /// Created.
        pub created_time: SdpDateTime,
        /// Type-specific attributes, when grouped by SDP.
        pub attributes: Map<String, Value>,
    }
}

// CI lists come under varying keys; the generic reader falls back to the
// only array in the answer.
entity!(
    ConfigurationItem,
    "cmdb",
    "ci",
    "cmdb",
    singular_aliases = ["cmdb", "configuration_item"],
    plural_aliases = ["cis", "configuration_items"]
);

sdp_model! {
    /// A CI relationship.
    pub struct CiRelationship {
        /// Id.
        pub id: String,
        /// Relationship type.
        pub relationship_type: NamedRef,
        /// The related CI.
        pub ci: ConfigurationItem,
    }
}

entity!(
    CiRelationship,
    "ci_relationships",
    "ci_relationship",
    "ci_relationships"
);
