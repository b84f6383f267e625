//! Cases with a known outcome each, named after it. Run by `tests/`, never on its own by
//! `cargo test` (it fails on purpose).

use landlock_test_core::assert_eq;
use landlock_test_core::prelude::*;
use nix::unistd::{ForkResult, Pid, fork};

test!(pass, || {
    expect_eq!(4, 2 + 2);
});

test!(expect_fails_and_goes_on, || {
    let seen = 3;
    expect_eq!(4, seen, "the message of {}", "TH_LOG");
    println!("after the failed expectation");
});

test!(assert_ends_body, || {
    assert_eq!(1, 2);
    println!("unreachable");
});

test!(skip_with_reason, || {
    skip!("no {} here", "feature");
});

test!(panics, || {
    panic!("deliberate panic");
});

test!(crashes, || {
    // SAFETY: none; this is the deliberate crash this case exists for.
    unsafe { std::ptr::null_mut::<u8>().write_volatile(1) };
});

test!(expected_signal, signal = libc::SIGABRT, || {
    std::process::abort();
});

test!(hangs, timeout = 1, || {
    std::thread::sleep(std::time::Duration::from_secs(100));
});

test!(exits_early, || {
    std::process::exit(0);
});

test!(xfails, xfail, || {
    expect_true!(false);
});

test!(xpasses, xfail, || {});

test!(child_failure_counts, || {
    fork_child(|| {
        expect_eq!(1, 0);
    })
    .join();
});

test!(starts_in_an_empty_private_directory, || {
    let cwd = std::env::current_dir().unwrap();
    expect_true!(cwd.starts_with(std::env::temp_dir()), "{}", cwd.display());
    expect_eq!(0, std::fs::read_dir(".").unwrap().count());
});

test!(leaves_a_file, || {
    expect_true!(std::fs::write("junk", b"left behind").is_ok());
});

test!(fails_and_leaves_a_file, || {
    expect_true!(std::fs::write("junk", b"left behind").is_ok());
    panic!("and fails");
});

fixture! {
    fx {
        value: u32,
    }
    setup: |variant| {
        println!("setup {}", variant.base);
        if variant.base == 99 {
            skip!("setup skips variant {}", variant.base);
        }
        Self { value: variant.base }
    },
    teardown: |self, variant| {
        println!("teardown {}", self.value);
    },
}

variant! {
    fx {
        base: u32,
    }
    one { base: 1 }
    two { base: 2 }
}

variant! {
    fx:
    skipping { base: 99 }
}

test_f!(fx, teardown_after_assert, |self, variant| {
    assert_eq!(variant.base, self.value + 1);
});

test_f!(fx, xfail_one, xfail = [one], |self, variant| {
    expect_eq!(2, self.value);
});

fixture! {
    #[derive(Clone, Copy)]
    restricting {
        tag: u32,
    }
    setup: |_| Self { tag: 7 },
    teardown_parent: |self, _| {
        // The parent sees what the body wrote, and is not restricted.
        println!("teardown_parent sees tag {}", self.tag);
        expect_true!(std::fs::File::open("/proc/self/status").is_ok());
    },
}

test_f!(restricting, restricts_itself, |self, _| {
    self.tag = 8;
    let ruleset = create_ruleset(&RulesetAttr::fs(access_fs_all()));
    assert_true!(ruleset.is_ok());
    enforce_ruleset(ruleset.unwrap());
    let denied = std::fs::File::open("/proc/self/status").map_err(|e| e.raw_os_error());
    assert_eq!(Err(Some(libc::EACCES)), denied.map(drop));
});

test!(prints_its_user_namespace, || {
    let map = std::fs::read_to_string("/proc/self/uid_map").unwrap();
    println!(
        "uid_map {}",
        map.split_whitespace().collect::<Vec<_>>().join(" ")
    );
});

fixture! {
    after {}
    setup: |_| Self {},
}

// Declared after `restricting`, so it runs after it: the runner that forked both was not
// restricted by the first.
test_f!(after, not_restricted, |_, _| {
    let status = std::fs::read_to_string("/proc/self/status");
    assert_true!(status.is_ok());
    expect_true!(status.unwrap().contains("NoNewPrivs:\t0"));
});

test_f!(after, leaves_a_sleeper, |_, _| {
    let sleeper = fork_child(|| {
        println!("sleeper started");
        std::thread::sleep(std::time::Duration::from_secs(1000));
    });
    println!("sleeper pid {}", sleeper.pid());
});

fixture! {
    escapee {}
    setup: |_| Self {},
}

variant! {
    escapee {
        leave: fn() -> nix::Result<()>,
    }
    setpgid { leave: || nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0)) }
    setsid { leave: || nix::unistd::setsid().map(drop) }
}

// A grandchild leaves the case's process group and outlives its parent: the runner must still
// end it with the case. It says its pid only once it has left, so the case ends after that.
test_f!(escapee, leaves_a_process, |_, variant| {
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    // SAFETY: the case process is single-threaded.
    if let ForkResult::Child = unsafe { fork() }.unwrap() {
        // SAFETY: the child of a single-threaded process is single-threaded too.
        if let ForkResult::Child = unsafe { fork() }.unwrap() {
            (variant.leave)().unwrap();
            let pid = std::process::id().to_string();
            nix::unistd::write(&write_end, pid.as_bytes()).unwrap();
            drop(write_end);
            std::thread::sleep(std::time::Duration::from_secs(1000));
        }
        // SAFETY: _exit(2) takes an integer and never returns: the middle process ends at
        // once, orphaning the grandchild.
        unsafe { libc::_exit(0) }
    }
    drop(write_end);
    let mut pid = [0u8; 16];
    let n = nix::unistd::read(&read_end, &mut pid).unwrap();
    println!("escapee pid {}", String::from_utf8_lossy(&pid[..n]));
});

fixture! {
    chatty {}
    setup: |_| Self {},
}

variant! {
    chatty {
        id: u32,
    }
    a { id: 1 }
    b { id: 2 }
}

// Both variants print at the same time under --test-threads 2; each case's lines must still
// come out together, after its result.
test_f!(chatty, prints_many_lines, |_, variant| {
    for i in 0..100 {
        println!("chatty {} line {i}", variant.id);
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
});

// Bind-mounts the directory named by $SENTINEL_DIR (when set) into its working directory, in the
// runner's mount namespace, and leaves it there: the runner must detach it, never delete
// through it.
test!(leaves_a_mount, || {
    let Some(sentinel) = std::env::var_os("SENTINEL_DIR") else {
        skip!("SENTINEL_DIR names no directory to bind-mount");
    };
    assert_true!(std::fs::create_dir("m").is_ok());
    let mounted = nix::mount::mount(
        Some(sentinel.as_os_str()),
        "m",
        None::<&str>,
        nix::mount::MsFlags::MS_BIND,
        None::<&str>,
    );
    assert_eq!(Ok(()), mounted);
});

/// Holds a file no other case of its group may hold at the same time.
fn hold_exclusive_file() {
    let path = std::env::temp_dir().join(format!("landlock-test-group-{}", nix::unistd::getppid()));
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    assert_true!(
        created.is_ok(),
        "another case of the group holds {}",
        path.display()
    );
    std::thread::sleep(std::time::Duration::from_millis(50));
    expect_true!(std::fs::remove_file(&path).is_ok());
}

test!(exclusive_first, exclusive = group, || hold_exclusive_file());
test!(exclusive_second, exclusive = group, || hold_exclusive_file(
));

/// Set to a file's path: `group`'s teardown appends a line there.
const TEARDOWN_LOG_ENV: &str = "DELIBERATE_TEARDOWN_LOG";
/// Set: `group`'s teardown fails.
const TEARDOWN_FAIL_ENV: &str = "DELIBERATE_TEARDOWN_FAIL";

#[landlock_test_core::__private::linkme::distributed_slice(
    landlock_test_core::__private::GROUP_TEARDOWNS
)]
#[linkme(crate = landlock_test_core::__private::linkme)]
static GROUP_TEARDOWN: landlock_test_core::__private::GroupTeardown =
    landlock_test_core::__private::GroupTeardown {
        group: "group",
        run: group_teardown,
    };

/// Notes that it ran, and whether a case of the group still held the group's file then.
fn group_teardown() -> Result<(), String> {
    if std::env::var_os(TEARDOWN_FAIL_ENV).is_some() {
        return Err("deliberate teardown failure".to_owned());
    }
    let Some(log) = std::env::var_os(TEARDOWN_LOG_ENV) else {
        return Ok(());
    };
    let held = std::env::temp_dir()
        .join(format!("landlock-test-group-{}", nix::unistd::getppid()))
        .exists();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .map_err(|e| e.to_string())?;
    std::io::Write::write_all(
        &mut file,
        format!("teardown, file held: {held}\n").as_bytes(),
    )
    .map_err(|e| e.to_string())
}

// Declared last, run with the other plain tests: C's fixture list starts with `global`.
test!(declared_last, || {});

// The listen mode's header line, or its configuration error before any case runs.
test_harness_main!(landlock_test_core::net::listen::describe_listen_mode());
