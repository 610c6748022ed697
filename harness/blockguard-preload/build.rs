//! The runtime carries a GNU build id whatever the linker's default: it
//! names the runtime's folder of shared names (`stack::shared_names`).

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,--build-id=sha1");
}
