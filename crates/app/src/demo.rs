//! "Try it with the demo provider": the built-in provider started on a free port, and its
//! connector — made from the `signet-demo` preset on first use, its port kept current after —
//! saved with the demo consumer's throwaway credentials, ready to connect.

use std::collections::BTreeMap;

use signet_oauth1::{ErrorKind, Secret};
use signet_provider::{ProviderConfig, demo};
use signet_store::{ClientSecret, Credentials, InstanceChanges, NewInstance};

use crate::App;
use crate::api::{DemoProvider, DemoUser};
use crate::error::{AppError, Result};

/// The demo connector's name.
pub const DEMO_CONNECTOR: &str = "Signet demo provider";
/// The preset it is made from.
pub const DEMO_PRESET: &str = "signet-demo";

impl App {
    /// `demo_provider_start`: starts the demo provider (or finds it running) and saves its
    /// connector with the provider's port.
    pub async fn demo_provider_start(&self) -> Result<DemoProvider> {
        let port = {
            let mut slot = self.inner.demo.lock().await;
            if slot.is_none() {
                *slot = Some(signet_provider::start(ProviderConfig::demo()).await?);
            }
            let p = slot.as_ref().ok_or_else(|| {
                AppError::new(ErrorKind::Internal, "the demo provider did not start")
            })?;
            (p.url().to_owned(), p.addr().port())
        };
        let (url, port) = port;
        let store = self.store();
        let existing = store
            .connector_by_name(DEMO_CONNECTOR)?
            .filter(|c| c.definition.details.preset.as_deref() == Some(DEMO_PRESET));
        let view = match existing {
            Some(c) => {
                // The port changes with every start: keep every instance's value current.
                for i in store.instances_of(c.id)? {
                    let mut values = i.values.clone();
                    values.insert("port".into(), port.to_string());
                    store.update_instance(
                        i.id,
                        InstanceChanges {
                            values: Some(values),
                            ..InstanceChanges::default()
                        },
                    )?;
                }
                self.view(&c, None)?
            }
            None => {
                let preset = self
                    .catalog()
                    .find(DEMO_PRESET)
                    .map_err(|e| AppError::new(e.kind(), e.to_string()))?;
                let mut connector = preset.connector().connector;
                connector.details.name = DEMO_CONNECTOR.into();
                let (c, i) = store.create_connector(
                    connector,
                    NewInstance {
                        values: BTreeMap::from([
                            ("port".to_owned(), port.to_string()),
                            ("tenant".to_owned(), "wonderland".to_owned()),
                        ]),
                        credentials: Some(Credentials {
                            consumer_key: demo::CONSUMER_KEY.into(),
                            client_secret: ClientSecret::Shared(Secret::new(demo::CONSUMER_SECRET)),
                            token: None,
                        }),
                        ..NewInstance::default()
                    },
                )?;
                self.view(&c, Some(i.id))?
            }
        };
        Ok(DemoProvider {
            url,
            users: demo::USERS
                .iter()
                .map(|(username, password, display_name)| DemoUser {
                    username: (*username).into(),
                    password: (*password).into(),
                    display_name: (*display_name).into(),
                })
                .collect(),
            connector: view,
        })
    }
}
