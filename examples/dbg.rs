fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = dorsi::io::ReadOptions::default();
    let r = if args[0] == "-" {
        dorsi::io::read_bytes("t.csv", b"t,acc_x,acc_y,acc_z\n0,1,2,3\n0.1,1,2\n", &opts)
    } else {
        dorsi::io::read(&args, &opts)
    };
    match r {
        Ok(r) => println!(
            "{:?}",
            (
                r.n_samples,
                r.sampling_rate_hz,
                r.imus.len(),
                &r.notes,
                &r.gaps
            )
        ),
        Err(e) => println!("ERR {e}"),
    }
}
