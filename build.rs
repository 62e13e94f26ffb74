//! Embeds the demo history (`examples/demo/`) into the binary for `kneeguard demo`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".fit") || n.ends_with(".gpx") || n.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from("/// The demo history's files: (name, bytes).\npub const DEMO_FILES: &[(&str, &[u8])] = &[\n");
    for name in names {
        let path = dir.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("demo_files.rs");
    std::fs::write(out, code).expect("write demo_files.rs");
}
