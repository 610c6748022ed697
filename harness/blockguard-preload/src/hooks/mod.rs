//! The interposed libc entry points, by class (DESIGN §3's table).
//!
//! # Safety
//! Every exported function here has the exact C signature of the glibc
//! function it replaces and forwards its arguments unchanged to that
//! function, resolved with `dlsym(RTLD_NEXT)`.
#![allow(unsafe_code)]

mod macros;
mod support;

pub mod disposition;
pub mod dl;
pub mod dns;
pub mod fds;
pub mod fs;
pub mod io;
pub mod poll;
pub mod process;
pub mod raw;
pub mod signal;
pub mod sleep;
pub mod sync;
pub mod thread;

macros::registry! {
    sleep::sleep, sleep::usleep, sleep::nanosleep, sleep::clock_nanosleep, sleep::pause,
    sleep::sigsuspend, sleep::sigtimedwait, sleep::sigwaitinfo, sleep::sigwait,
    sync::syscall, sync::pthread_join, sync::pthread_timedjoin_np, sync::pthread_clockjoin_np,
    sync::pthread_cond_wait, sync::pthread_cond_timedwait, sync::pthread_cond_clockwait,
    sync::pthread_mutex_lock, sync::pthread_mutex_timedlock, sync::pthread_rwlock_rdlock,
    sync::pthread_rwlock_wrlock, sync::pthread_rwlock_timedrdlock, sync::pthread_rwlock_timedwrlock,
    sync::pthread_spin_lock, sync::sem_wait, sync::sem_timedwait, sync::sem_clockwait,
    sync::pthread_barrier_wait,
    io::read, io::write, io::readv, io::writev, io::pread, io::pread64, io::pwrite, io::pwrite64,
    io::preadv, io::pwritev, io::recv, io::recvfrom, io::recvmsg, io::recvmmsg, io::send,
    io::sendto, io::sendmsg, io::sendmmsg, io::accept, io::accept4, io::connect,
    io::__read_chk, io::__recv_chk, io::__recvfrom_chk,
    fs::fsync, fs::fdatasync, fs::flock, fs::fcntl, fs::fcntl64, fs::open, fs::open64, fs::openat,
    fs::openat64, fs::__open_2, fs::__open64_2, fs::fread, fs::fread_unlocked, fs::__fread_chk,
    fs::fwrite, fs::fwrite_unlocked, fs::fgets, fs::fgets_unlocked, fs::__fgets_chk, fs::fputs,
    fs::fflush, fs::fflush_unlocked, fs::getline, fs::getdelim,
    process::wait, process::waitpid, process::wait3, process::wait4, process::waitid,
    process::system, process::pclose,
    dns::getaddrinfo, dns::getnameinfo, dns::gethostbyname, dns::gethostbyname2,
    dns::gethostbyname_r, dns::gethostbyname2_r, dns::gethostbyaddr, dns::res_query,
    dns::res_search, dns::__res_query, dns::__res_search, dns::res_send, dns::__res_send,
    poll::poll, poll::__poll_chk, poll::ppoll, poll::select, poll::pselect, poll::epoll_wait,
    poll::epoll_pwait, poll::epoll_pwait2,
}
