//! A FASTA and its .fai (the input split at the first NUL byte): never panics.
#![no_main]
use immunoprofile::io::fasta::Reference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let fa = dir.path().join("r.fa");
    let (seq, fai) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    std::fs::write(&fa, seq).unwrap();
    if let Some(fai) = fai {
        std::fs::write(dir.path().join("r.fa.fai"), fai).unwrap();
    }
    if let Ok(mut r) = Reference::open(&fa) {
        let names: Vec<String> = r.contigs().iter().map(|(n, _)| n.clone()).collect();
        for n in names {
            let _ = r.fetch_contig(&n);
        }
    }
});
