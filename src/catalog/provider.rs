//! A provider: the organisation that runs offerings.

use super::enums::string_enum;
use serde::{Deserialize, Serialize};

string_enum! {
    /// What kind of organisation a provider is.
    ProviderKind {
        AssociationDivision = "association_division": "Association division",
        Chapter = "chapter": "State or regional association",
        StateLibrary = "state_library": "State library",
        LibrarySchool = "library_school": "Library school",
        Consortium = "consortium": "Consortium or network",
        Vendor = "vendor": "Vendor",
        Other = "other": "Other",
    }
}

/// One provider, field for field as `provider.schema.json` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub kind: ProviderKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}
