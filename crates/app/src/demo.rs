//! "Try it with the demo provider": the built-in provider, and its connector — made from the
//! `signet-demo` preset on first use, its port kept current after — saved with the demo
//! consumer's throwaway credentials, ready to connect.
//!
//! The provider keeps the access tokens it issues in the data directory
//! ([`DEMO_TOKEN_STORE`]) and starts on the port it had before when it is free, so a demo
//! connector stays connected from one run of the app (or of `signet call`) to the next. A call or
//! a connection of any connector made from the demo preset starts it when nothing answers on the
//! connector's port.

use std::collections::BTreeMap;
use std::time::Duration;

use signet_oauth1::{ErrorKind, Secret};
use signet_provider::{ProviderConfig, RunningProvider, demo};
use signet_store::{ClientSecret, Credentials, Instance, InstanceChanges, NewInstance};

use crate::App;
use crate::api::{DemoProvider, DemoUser};
use crate::error::{AppError, Result};

/// The demo connector's name.
pub const DEMO_CONNECTOR: &str = "Signet demo provider";
/// The preset it is made from.
pub const DEMO_PRESET: &str = "signet-demo";
/// The file in the data directory where the demo provider keeps the access tokens it issued.
pub const DEMO_TOKEN_STORE: &str = "demo-provider-tokens.json";

/// Whether something accepts connections on `127.0.0.1:port` (a demo provider started by
/// another process, `signet provider --port`, or this one).
async fn listening(port: u16) -> bool {
    port != 0
        && matches!(
            tokio::time::timeout(
                Duration::from_millis(500),
                tokio::net::TcpStream::connect(("127.0.0.1", port)),
            )
            .await,
            Ok(Ok(_))
        )
}

/// An instance's `port` value.
fn port_of(i: &Instance) -> u16 {
    i.values
        .get("port")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0)
}

impl App {
    /// `demo_provider_start`: starts the demo provider (or finds it running) and saves its
    /// connector with the provider's port.
    pub async fn demo_provider_start(&self) -> Result<DemoProvider> {
        let store = self.store();
        let existing = store
            .connector_by_name(DEMO_CONNECTOR)?
            .filter(|c| c.definition.details.preset.as_deref() == Some(DEMO_PRESET));
        let before = match &existing {
            Some(c) => store.instances_of(c.id)?.first().map_or(0, port_of),
            None => 0,
        };
        let (url, port) = self.demo_running(before).await?;
        let view = match existing {
            Some(c) => {
                // The port changes when the old one was taken: keep every instance current.
                for i in store.instances_of(c.id)? {
                    self.set_port(&i, port)?;
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

    /// The demo provider of this app (started on `port` when free, else on any port): its URL
    /// and port.
    async fn demo_running(&self, port: u16) -> Result<(String, u16)> {
        let mut slot = self.inner.demo.lock().await;
        if slot.is_none() {
            *slot = Some(self.start_demo(port).await?);
        }
        let p = slot
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorKind::Internal, "the demo provider did not start"))?;
        Ok((p.url().to_owned(), p.addr().port()))
    }

    async fn start_demo(&self, port: u16) -> Result<RunningProvider> {
        let config = || {
            ProviderConfig::demo().with_token_store(self.store().data_dir().join(DEMO_TOKEN_STORE))
        };
        if port != 0
            && let Ok(p) = signet_provider::start(config().with_port(port)).await
        {
            return Ok(p);
        }
        Ok(signet_provider::start(config()).await?)
    }

    fn set_port(&self, i: &Instance, port: u16) -> Result<()> {
        if port_of(i) == port {
            return Ok(());
        }
        let mut values = i.values.clone();
        values.insert("port".into(), port.to_string());
        self.store().update_instance(
            i.id,
            InstanceChanges {
                values: Some(values),
                ..InstanceChanges::default()
            },
        )?;
        Ok(())
    }

    /// Before a connector made from the demo preset connects or calls: when nothing answers on
    /// its port, start this app's demo provider (on that port when free, else on another one,
    /// which the instance then keeps).
    pub(crate) async fn ensure_demo(
        &self,
        instance: &Instance,
        connector: &signet_connector::Connector,
    ) -> Result<()> {
        if connector.details.preset.as_deref() != Some(DEMO_PRESET) {
            return Ok(());
        }
        let port = port_of(instance);
        if listening(port).await {
            return Ok(());
        }
        let (_, running) = self.demo_running(port).await?;
        self.set_port(instance, running)
    }
}
