//! Connectors in and out of Signet, in formats other tools read.
//!
//! - [`postman`]: Postman collections. [`postman::import`] reads a v2.0 or v2.1 collection (and
//!   optionally a Postman environment) into one connector and the values of its instance, with a
//!   report of every choice it made — each setting Signet cannot honour exactly is named, never
//!   dropped silently; [`postman::export`] writes a connector as a v2.1 collection that Postman's
//!   published schema validates and that [`postman::import`] reads back to the same connector.
//!
//! Pure like the connector model beneath it: text in, text out, no IO.
//!
//! **Why not the `postman_collection` crate**: it is kept (0.3.1, March 2026) and models every
//! version, but it deserializes a collection into types whose errors are serde's ("data did not
//! match any variant"), while an import here must name the exact place of every problem
//! (`item[2].item[0].request.auth.oauth1[3].value`) and go on past what it does not understand
//! to report it. The format is small enough to read from `serde_json::Value` with paths; the
//! tests validate Signet's exports against Postman's own published v2.1 JSON Schema.
#![warn(missing_docs)]

pub mod postman;
