//! `app_info` and `demo_provider_start`.

use signet_ipc::{
    AppInfo, CallbackMode, ConnectorDraft, DemoEndpoints, DemoProvider, DemoRsaConsumer, DemoUser,
    DraftCallback, DraftEndpoints, Endpoint, FlowMode, Placement, ResourceRequest, Secret,
    SignatureMethod,
};
use signet_provider::{ProviderConfig, RunningProvider, demo};
use tauri::{AppHandle, Runtime};

use crate::error::Result;
use crate::state::AppExt;

/// Version, data directory, and where the data key lives.
#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    let demo_provider_url = app
        .signet()
        .demo
        .lock()
        .await
        .as_ref()
        .map(|p| p.url().to_owned());
    let store = app.store();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: store.data_dir().display().to_string(),
        data_key_location: store.key_status().describe(),
        demo_provider_url,
    })
}

/// Starts the built-in demo provider (or returns the running one) with a ready-made step 1.
#[tauri::command]
pub async fn demo_provider_start<R: Runtime>(app: AppHandle<R>) -> Result<DemoProvider> {
    let mut slot = app.signet().demo.lock().await;
    if slot.is_none() {
        *slot = Some(signet_provider::start(ProviderConfig::demo()).await?);
    }
    let p = slot.as_ref().expect("started above");
    Ok(describe(p))
}

fn describe(p: &RunningProvider) -> DemoProvider {
    let endpoints = DemoEndpoints {
        request_token: p.request_token_url(),
        authorize: p.authorize_url(),
        access_token: p.access_token_url(),
        me: p.me_url(),
        echo: p.echo_url(),
    };
    let draft = ConnectorDraft {
        id: None,
        name: "Demo provider".into(),
        preset: Some("demo".into()),
        mode: FlowMode::ThreeLegged,
        consumer_key: demo::CONSUMER_KEY.into(),
        consumer_secret: Some(Secret::new(demo::CONSUMER_SECRET)),
        rsa_private_key_pem: None,
        signature_method: SignatureMethod::HmacSha1,
        placement: Placement::Header,
        realm: None,
        include_version: true,
        endpoints: DraftEndpoints {
            request_token: Endpoint::post(endpoints.request_token.clone()),
            authorize_url: endpoints.authorize.clone(),
            access_token: Endpoint::post(endpoints.access_token.clone()),
        },
        callback: DraftCallback {
            mode: CallbackMode::DeepLink,
            loopback_port: 0,
            loopback_path: "/callback".into(),
            oob_url: None,
        },
        authorize_params: Vec::new(),
        resource: Some(ResourceRequest::get(endpoints.me.clone())),
        token: None,
    };
    DemoProvider {
        url: p.url().to_owned(),
        endpoints,
        consumer_key: demo::CONSUMER_KEY.into(),
        consumer_secret: demo::CONSUMER_SECRET.into(),
        rsa: DemoRsaConsumer {
            consumer_key: demo::RSA_CONSUMER_KEY.into(),
            private_key_pem: demo::RSA_PRIVATE_KEY_PEM.into(),
        },
        users: demo::USERS
            .iter()
            .map(|(username, password, display_name)| DemoUser {
                username: (*username).into(),
                password: (*password).into(),
                display_name: (*display_name).into(),
            })
            .collect(),
        draft,
    }
}
