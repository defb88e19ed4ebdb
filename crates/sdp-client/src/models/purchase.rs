//! Contracts and purchase orders.

use super::common::{LookupRef, NamedRef, SdpDateTime, UserInfo, UserRef};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A contract.
    pub struct Contract {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// Description.
        pub description: String,
        /// Contract number.
        pub contract_number: String,
        /// Vendor.
        pub vendor: NamedRef,
        /// Status.
        pub status: NamedRef,
        /// Owner.
        pub owner: UserInfo,
        /// Active from.
        pub from_date: SdpDateTime,
        /// Active until.
        pub to_date: SdpDateTime,
    }
}

entity!(Contract, "contracts", "contract", "contracts");
module!(Contract, new = ContractInput, update = ContractInput);

sdp_model! {
    /// Body of a contract create or update.
    pub struct ContractInput {
        /// Name.
        pub name: String,
        /// Description.
        pub description: String,
        /// Contract number.
        pub contract_number: String,
        /// Vendor.
        pub vendor: LookupRef,
        /// Owner.
        pub owner: UserRef,
        /// Active from.
        pub from_date: SdpDateTime,
        /// Active until.
        pub to_date: SdpDateTime,
    }
}

sdp_model! {
    /// A purchase order.
    pub struct PurchaseOrder {
        /// Id.
        pub id: String,
        /// Display id.
        pub display_id: String,
        /// Name.
        pub name: String,
        /// PO number.
        pub po_number: String,
        /// Vendor.
        pub vendor: NamedRef,
        /// Status.
        pub status: NamedRef,
        /// Owner.
        pub owner: UserInfo,
        /// Ordered.
        pub ordered_date: SdpDateTime,
        /// Required by.
        pub required_date: SdpDateTime,
        /// Total price (a display string in some editions).
        pub total_price: String,
    }
}

entity!(
    PurchaseOrder,
    "purchase_orders",
    "purchase_order",
    "purchase_orders"
);
module!(
    PurchaseOrder,
    new = PurchaseOrderInput,
    update = PurchaseOrderInput
);

sdp_model! {
    /// Body of a purchase-order create or update.
    pub struct PurchaseOrderInput {
        /// Name.
        pub name: String,
        /// PO number.
        pub po_number: String,
        /// Vendor.
        pub vendor: LookupRef,
        /// Owner.
        pub owner: UserRef,
        /// Required by.
        pub required_date: SdpDateTime,
    }
}
