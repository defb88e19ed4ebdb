#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Data-centre table, `SDP_DATA_CENTER` parsing, URL overrides and layout.

use sdp_client::{CloudTarget, ConfigError, DataCenter, Endpoint, OnPremKeyHeader};

#[test]
fn each_data_center_maps_to_its_sdp_and_accounts_hosts() {
    let table = [
        (
            DataCenter::Us,
            "sdpondemand.manageengine.com",
            "accounts.zoho.com",
        ),
        (
            DataCenter::Eu,
            "sdpondemand.manageengine.eu",
            "accounts.zoho.eu",
        ),
        (
            DataCenter::In,
            "sdpondemand.manageengine.in",
            "accounts.zoho.in",
        ),
        (
            DataCenter::Au,
            "servicedeskplus.net.au",
            "accounts.zoho.com.au",
        ),
        (DataCenter::Cn, "servicedeskplus.cn", "accounts.zoho.com.cn"),
        (DataCenter::Jp, "servicedeskplus.jp", "accounts.zoho.jp"),
        (
            DataCenter::Ca,
            "servicedeskplus.ca",
            "accounts.zohocloud.ca",
        ),
        (DataCenter::Uk, "servicedeskplus.uk", "accounts.zoho.uk"),
        (DataCenter::Sa, "servicedeskplus.sa", "accounts.zoho.sa"),
        (DataCenter::Ae, "servicedeskplus.ae", "accounts.zoho.ae"),
    ];
    assert_eq!(table.len(), DataCenter::ALL.len());
    for (dc, sdp, accounts) in table {
        assert_eq!(dc.sdp_host(), sdp, "{dc}");
        assert_eq!(dc.accounts_host(), accounts, "{dc}");
        assert_eq!(dc.sdp_base_url(), format!("https://{sdp}"));
        assert_eq!(dc.accounts_url(), format!("https://{accounts}"));
        assert_eq!(DataCenter::from_sdp_host(sdp), Some(dc));
        assert_eq!(DataCenter::from_accounts_host(accounts), Some(dc));
        assert_eq!(dc.code().parse::<DataCenter>().unwrap(), dc);
        assert_eq!(dc.code().to_lowercase().parse::<DataCenter>().unwrap(), dc);
    }
}

#[test]
fn data_center_parsing_accepts_codes_suffixes_and_hosts() {
    let cases = [
        ("US", DataCenter::Us),
        ("com", DataCenter::Us),
        (" .com ", DataCenter::Us),
        ("eu", DataCenter::Eu),
        ("In", DataCenter::In),
        ("com.au", DataCenter::Au),
        ("AU", DataCenter::Au),
        ("com.cn", DataCenter::Cn),
        ("jp", DataCenter::Jp),
        ("zohocloud.ca", DataCenter::Ca),
        ("uk", DataCenter::Uk),
        ("sa", DataCenter::Sa),
        ("ae", DataCenter::Ae),
        ("accounts.zoho.eu", DataCenter::Eu),
        ("sdpondemand.manageengine.in", DataCenter::In),
        ("accounts.zoho.ca", DataCenter::Ca),
        ("accounts.zoho.cn", DataCenter::Cn),
        ("sdpondemand.manageengine.com.au", DataCenter::Au),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<DataCenter>().unwrap(), expected, "{text}");
    }
    let error = "mars".parse::<DataCenter>().unwrap_err();
    assert!(error.to_string().contains("mars"));
    assert_eq!(
        DataCenter::from_accounts_server("https://accounts.zoho.eu"),
        Some(DataCenter::Eu)
    );
}

#[test]
fn cloud_urls_follow_the_app_portal_layout() {
    let endpoint = Endpoint::for_data_center(DataCenter::Eu, Some("itdesk")).unwrap();
    let url = endpoint
        .url_for(&["requests", "42", "notes"], true)
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://sdpondemand.manageengine.eu/app/itdesk/api/v3/requests/42/notes"
    );
    // Portal discovery ignores the portal.
    let url = endpoint.url_for(&["portals"], false).unwrap();
    assert_eq!(
        url.as_str(),
        "https://sdpondemand.manageengine.eu/api/v3/portals"
    );

    let no_portal = Endpoint::for_data_center(DataCenter::Us, None).unwrap();
    assert_eq!(
        no_portal.url_for(&["requests"], true).unwrap().as_str(),
        "https://sdpondemand.manageengine.com/api/v3/requests"
    );
}

#[test]
fn base_url_with_app_portal_is_accepted() {
    let endpoint = Endpoint::cloud("https://helpdesk.example.com/app/hrdesk/", None).unwrap();
    assert_eq!(endpoint.portal(), Some("hrdesk"));
    assert_eq!(endpoint.base_url(), "https://helpdesk.example.com");
    assert_eq!(
        endpoint.api_root(),
        "https://helpdesk.example.com/app/hrdesk/api/v3"
    );
    let same = Endpoint::cloud(
        "https://helpdesk.example.com/app/hrdesk/api/v3",
        Some("hrdesk"),
    )
    .unwrap();
    assert_eq!(same, endpoint);
    let conflict =
        Endpoint::cloud("https://helpdesk.example.com/app/hrdesk", Some("itdesk")).unwrap_err();
    assert!(matches!(conflict, ConfigError::ConflictingPortal { .. }));
    let with_port = Endpoint::cloud("http://127.0.0.1:8080", Some("itdesk")).unwrap();
    assert_eq!(
        with_port.api_root(),
        "http://127.0.0.1:8080/app/itdesk/api/v3"
    );
}

#[test]
fn bad_urls_and_segments_are_refused() {
    assert!(Endpoint::cloud("ftp://example.com", None).is_err());
    assert!(Endpoint::cloud("not a url", None).is_err());
    assert!(Endpoint::cloud("https://example.com/?x=1", None).is_err());
    assert!(Endpoint::cloud("https://user:pw@example.com", None).is_err());
    assert!(Endpoint::for_data_center(DataCenter::Us, Some("it/desk")).is_err());
    let endpoint = Endpoint::for_data_center(DataCenter::Us, Some("itdesk")).unwrap();
    assert!(endpoint.url_for(&["requests", ".."], true).is_err());
    assert!(endpoint.url_for(&["requests", ""], true).is_err());
    // URL parsing drops tabs and newlines: ".\t." would become "..".
    assert!(endpoint.url_for(&["requests", ".\t."], true).is_err());
    assert!(endpoint.url_for(&["requests", "1\n2"], true).is_err());
    // A slash inside an id is encoded, never a path separator.
    let url = endpoint.url_for(&["requests", "1/../../x"], true).unwrap();
    assert_eq!(url.path(), "/app/itdesk/api/v3/requests/1%2F..%2F..%2Fx");
}

#[test]
fn custom_base_and_accounts_urls_override_the_data_center() {
    let target = CloudTarget::resolve(Some("eu"), None, None, Some("itdesk")).unwrap();
    assert_eq!(target.accounts_url, "https://accounts.zoho.eu");
    assert_eq!(
        target.endpoint.base_url(),
        "https://sdpondemand.manageengine.eu"
    );
    assert_eq!(target.endpoint.portal(), Some("itdesk"));

    let target = CloudTarget::resolve(
        Some("eu"),
        Some("https://helpdesk.example.com"),
        Some("https://accounts.example.net/"),
        None,
    )
    .unwrap();
    assert_eq!(target.endpoint.base_url(), "https://helpdesk.example.com");
    assert_eq!(target.accounts_url, "https://accounts.example.net");
    assert_eq!(target.data_center, Some(DataCenter::Eu));

    // Without a data centre, a known SDP host names it.
    let target = CloudTarget::resolve(
        None,
        Some("https://servicedeskplus.uk/app/itdesk"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(target.data_center, Some(DataCenter::Uk));
    assert_eq!(target.accounts_url, "https://accounts.zoho.uk");
    assert_eq!(target.endpoint.portal(), Some("itdesk"));

    // Nothing at all: US.
    let target = CloudTarget::resolve(None, None, Some(""), None).unwrap();
    assert_eq!(target.accounts_url, "https://accounts.zoho.com");
    assert_eq!(
        target.endpoint.base_url(),
        "https://sdpondemand.manageengine.com"
    );

    assert!(CloudTarget::resolve(Some("mars"), None, None, None).is_err());
}

#[test]
fn on_prem_uses_api_v3_without_portal_segment() {
    let endpoint = Endpoint::on_prem("https://sdp.example.com:8080/")
        .unwrap()
        .with_portal_id("301");
    assert!(endpoint.is_on_prem());
    assert_eq!(endpoint.portal_id(), Some("301"));
    assert_eq!(
        endpoint.on_prem_key_header(),
        Some(OnPremKeyHeader::Authtoken)
    );
    assert_eq!(
        endpoint.url_for(&["requests"], true).unwrap().as_str(),
        "https://sdp.example.com:8080/api/v3/requests"
    );
    let technician_key = endpoint.with_key_header(OnPremKeyHeader::TechnicianKey);
    assert_eq!(
        technician_key
            .on_prem_key_header()
            .map(OnPremKeyHeader::header_name),
        Some("TECHNICIAN_KEY")
    );
}
