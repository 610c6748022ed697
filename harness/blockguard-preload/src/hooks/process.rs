//! `process`: waiting for children. WNOHANG is calm.
#![allow(unsafe_code)]

use super::macros::hook;
use crate::classify::Call;
use blockguard_protocol::Class::Process;
use libc::{FILE, c_char, c_int, id_t, idtype_t, pid_t, rusage, siginfo_t};

fn unless_nohang(name: &'static str, options: c_int) -> Option<Call> {
    (options & libc::WNOHANG == 0).then(|| Call::new(name, Process))
}

hook! {
    /// wait(2)
    fn wait(status: *mut c_int) -> pid_t => |_| Some(Call::new("wait", Process));
    /// waitpid(2)
    fn waitpid(pid: pid_t, status: *mut c_int, options: c_int) -> pid_t
        => |_, _, options| unless_nohang("waitpid", options);
    /// wait3(2)
    fn wait3(status: *mut c_int, options: c_int, usage: *mut rusage) -> pid_t
        => |_, options, _| unless_nohang("wait3", options);
    /// wait4(2)
    fn wait4(pid: pid_t, status: *mut c_int, options: c_int, usage: *mut rusage) -> pid_t
        => |_, _, options, _| unless_nohang("wait4", options);
    /// waitid(2)
    fn waitid(idtype: idtype_t, id: id_t, info: *mut siginfo_t, options: c_int) -> c_int
        => |_, _, _, options| unless_nohang("waitid", options);
    /// system(3): runs a shell and waits for it.
    fn system(command: *const c_char) -> c_int => |_| Some(Call::new("system", Process));
    /// pclose(3): waits for the command.
    fn pclose(stream: *mut FILE) -> c_int => |_| Some(Call::new("pclose", Process));
}
