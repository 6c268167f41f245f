//! Schema inference's figures on a ~10 MB page of order-like items: input bytes, time, and the
//! memory the inference needs on top of its input, from `/proc/self/status` (Linux).
//!
//! `cargo run --release -p signet-connector --example schema_figures`
//!
//! `orders_json` is also the input of `benches/schema.rs`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use signet_connector::schema::SchemaBuilder;

/// A JSON array of order-like objects, about `target` bytes long, always the same: ids,
/// numbers, a nested customer, an email, decimal totals, currency, status, RFC 3339 times,
/// 1-4 order lines (objects) and a field that is `null` in two orders of three.
pub fn orders_json(target: usize) -> Vec<u8> {
    const STATUSES: [&str; 4] = ["pending", "paid", "shipped", "cancelled"];
    const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];
    let mut out = String::with_capacity(target + 4096);
    out.push('[');
    let mut i: u64 = 0;
    while out.len() < target {
        if i > 0 {
            out.push(',');
        }
        let customer = i * 7 % 5_003;
        let _ = write!(
            out,
            r##"{{"id":{id},"number":"#{number}","customer":{{"id":{customer},"name":"Customer {customer}","email":"customer{customer}@example.com"}},"email":"customer{customer}@example.com","total":{units}.{cents:02},"currency":"{currency}","status":"{status}","created_at":"2026-{month:02}-{day:02}T{hour:02}:{minute:02}:00Z","lines":["##,
            id = 5_000_000 + i,
            number = 1_001 + i,
            units = 10 + i * 13 % 490,
            cents = i * 37 % 100,
            currency = CURRENCIES[(i % 3) as usize],
            status = STATUSES[(i % 4) as usize],
            month = 1 + i % 12,
            day = 1 + i % 28,
            hour = i % 24,
            minute = i * 7 % 60,
        );
        for l in 0..1 + i % 4 {
            if l > 0 {
                out.push(',');
            }
            let sku = (i + l * 31) % 997;
            let _ = write!(
                out,
                r#"{{"sku":"SKU-{sku:04}","name":"Product {sku}","quantity":{q},"price":{p}.{c:02}}}"#,
                q = 1 + (i + l) % 5,
                p = 1 + sku % 99,
                c = sku % 100,
            );
        }
        if i.is_multiple_of(3) {
            out.push_str(r#"],"note":"Leave it at the door"}"#);
        } else {
            out.push_str(r#"],"note":null}"#);
        }
        i += 1;
    }
    out.push(']');
    out.into_bytes()
}

/// `VmHWM` and `VmRSS` in bytes.
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() {
    let Some((_, rss_start)) = memory() else {
        println!("no /proc/self/status here: the memory figures need Linux");
        return;
    };
    let input = orders_json(10 * 1024 * 1024);
    let (_, rss_input) = memory().unwrap_or_default();
    // Reset the high-water mark to the current RSS, so the next one is the inference's peak.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let (hwm_before, rss_before) = memory().unwrap_or_default();

    let start = Instant::now();
    let mut builder = SchemaBuilder::new();
    builder
        .add_array_elements(black_box(&input))
        .expect("the input is an array");
    let schema = black_box(builder.finish());
    let took = start.elapsed();
    let (hwm_after, rss_after) = memory().unwrap_or_default();

    let len = input.len() as u64;
    let base = if reset { rss_before } else { rss_input };
    let growth = hwm_after.saturating_sub(base);
    println!(
        "input: {len} bytes ({}), {} items",
        mib(len),
        schema.samples
    );
    println!(
        "inference: {:.1} ms, {:.0} MB/s, {} paths",
        took.as_secs_f64() * 1e3,
        len as f64 / took.as_secs_f64() / 1e6,
        schema.paths().len()
    );
    println!(
        "memory: RSS {} at start, {} with the input built, {} after inferring",
        mib(rss_start),
        mib(rss_input),
        mib(rss_after)
    );
    println!(
        "peak during inference: {} ({}), {} over the RSS before it = {:.3}x the input{}",
        mib(hwm_after),
        if reset {
            "VmHWM reset before inferring"
        } else {
            "VmHWM not resettable: an upper bound"
        },
        mib(growth),
        growth as f64 / len as f64,
        if hwm_before > base {
            format!(" (HWM was {} just after the reset)", mib(hwm_before))
        } else {
            String::new()
        }
    );
    println!(
        "peak over the start (input + inference): {:.2}x the input (target: at most 2x)",
        hwm_after.max(rss_input).saturating_sub(rss_start) as f64 / len as f64
    );
}
