fn main() {
    let root = std::env::args().nth(1).unwrap();
    let mut files = vec![];
    for e in ignore::WalkBuilder::new(&root).build() {
        let e = e.unwrap();
        if e.path().extension().map_or(false, |x| x == "tf") { files.push(std::fs::read_to_string(e.path()).unwrap_or_default()); }
    }
    let t = std::time::Instant::now();
    let mut errs = 0;
    for f in &files {
        let f = f.trim_start_matches('\u{feff}');
        if let Err(e) = hcl_edit::parser::parse_body(f) { errs += 1; if errs < 30 { eprintln!("{e}"); } }
    }
    println!("{} files, {} errors, {:?}", files.len(), errs, t.elapsed());
}
