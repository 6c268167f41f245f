//! Schema inference over a ~10 MB page of order-like items (`add_array_elements`), beside
//! what reading the same bytes costs with nothing inferred (`serde_json` skipping them) and
//! the way that builds a `serde_json::Value` first (`Value` then `add`).
//!
//! `cargo bench -p signet-connector --bench schema`; the memory figures come from
//! `cargo run --release -p signet-connector --example schema_figures`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::IgnoredAny;
use signet_connector::schema::SchemaBuilder;

// The input generator, shared with the figures example.
#[path = "../examples/schema_figures.rs"]
#[allow(dead_code)]
mod figures;

fn bench(c: &mut Criterion) {
    let input = figures::orders_json(10 * 1024 * 1024);
    let mut g = c.benchmark_group("schema");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("add_array_elements", |b| {
        b.iter(|| {
            let mut s = SchemaBuilder::new();
            s.add_array_elements(black_box(&input)).unwrap();
            s.finish()
        })
    });
    g.bench_function("read_only", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(&input)).unwrap())
    });
    g.bench_function("value_then_add", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&input)).unwrap();
            let mut s = SchemaBuilder::new();
            for item in v.as_array().into_iter().flatten() {
                s.add(item);
            }
            s.finish()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
