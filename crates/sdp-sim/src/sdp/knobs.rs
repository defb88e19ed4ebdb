//! Knobs of the SDP half where sources disagree or deployments differ
//! (`reference/sdp-api.md` §8). Part of [`crate::SimConfig`] as `config.sdp`.

/// Behaviour switches of the simulated SDP service.
#[derive(Debug, Clone)]
pub struct SdpKnobs {
    /// List key of request notes: `notes` (on-prem, live) or `request_notes` (one cloud client).
    pub notes_list_key: String,
    /// `row_count > 100`: `false` → 400/4001 (default), `true` → silently clamp to 100.
    pub clamp_row_count: bool,
    /// Setting a request's `category` (that has subcategories) makes `subcategory` mandatory.
    pub category_requires_subcategory: bool,
    /// Accept Python-repr `input_data` (`{'request': {...}}`, `True`, `None`).
    pub tolerate_single_quotes: bool,
    /// `closure_code` in `closure_info` must name a seeded closure code (else 4001).
    pub validate_closure_code: bool,
    /// Modules refused with 7001 (license) per portal: `(portal, module path)`.
    pub unlicensed_modules: Vec<(String, String)>,
}

impl Default for SdpKnobs {
    fn default() -> Self {
        Self {
            notes_list_key: "notes".to_owned(),
            clamp_row_count: false,
            category_requires_subcategory: true,
            tolerate_single_quotes: true,
            validate_closure_code: true,
            unlicensed_modules: vec![("hrdesk".to_owned(), "releases".to_owned())],
        }
    }
}
