//! Landlock tests - Common user space base: tools/testing/selftests/landlock/base_test.c
//! (Linux v6.18). Tests keep the C names and order; the raw syscalls (`sys_create_ruleset`,
//! `sys_add_rule`, `sys_restrict_self`) send exactly what C sends, NULL pointers, bad sizes and
//! bad flags included.
//!
//! Skips, where C would fail: every case needs Landlock (ABI 1), the errata query and the
//! logging flags need ABI 7; the cases that call `landlock_restrict_self()` without
//! no_new_privs need CAP_SYS_ADMIN, and `drop_caps()` needs CAP_SETPCAP, which C takes for
//! granted by running as root.

use std::os::fd::AsRawFd;

use landlock_test_core::fs::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::process::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use libc::{EXIT_SUCCESS, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY};
use nix::unistd::{SysconfVar, sysconf};

/// The ABI version of Linux v6.18, which base_test.c (v6.18) expects the kernel to report.
const LANDLOCK_ABI_V6_18: i32 = 7;

/// `sizeof(struct landlock_ruleset_attr)`.
const RULESET_ATTR_SIZE: usize = size_of::<RulesetAttr>();

/// C's `NULL` attribute.
fn null_attr() -> *const RulesetAttr {
    std::ptr::null()
}

/// `landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &attr, 0)` with the raw fd.
fn add_path_beneath_raw(ruleset_fd: i32, attr: &PathBeneathAttr) -> Result<(), Errno> {
    sys_add_rule(
        ruleset_fd,
        LANDLOCK_RULE_PATH_BENEATH,
        std::ptr::from_ref(attr).cast(),
        0,
    )
}

/// `landlock_restrict_self()` is tried without no_new_privs: it needs CAP_SYS_ADMIN.
#[track_caller]
fn require_restrict_without_no_new_privs() {
    require_privilege("landlock_restrict_self() without no_new_privs (CAP_SYS_ADMIN)");
}

test!(inconsistent_attr, || {
    require_abi(1, "Landlock rulesets");
    let page_size = assert_ok!(sysconf(SysconfVar::PAGE_SIZE));
    let page_size = page_size.expect("the page size is always defined") as usize;
    let mut buf = vec![0u8; page_size + 1];
    let ruleset_attr = |buf: &[u8]| buf.as_ptr().cast::<RulesetAttr>();

    // Checks copy_from_user().
    // The size if less than sizeof(struct landlock_attr_enforce).
    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(ruleset_attr(&buf), 0, 0)
    );
    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(ruleset_attr(&buf), 1, 0)
    );
    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(ruleset_attr(&buf), 7, 0)
    );

    // The size if less than sizeof(struct landlock_attr_enforce).
    assert_eq!(Err(Errno::EFAULT), sys_create_ruleset(null_attr(), 1, 0));

    assert_eq!(
        Err(Errno::EFAULT),
        sys_create_ruleset(null_attr(), RULESET_ATTR_SIZE, 0)
    );

    assert_eq!(
        Err(Errno::E2BIG),
        sys_create_ruleset(ruleset_attr(&buf), page_size + 1, 0)
    );

    // Checks minimal valid attribute size.
    assert_eq!(
        Err(Errno::ENOMSG),
        sys_create_ruleset(ruleset_attr(&buf), 8, 0)
    );
    assert_eq!(
        Err(Errno::ENOMSG),
        sys_create_ruleset(ruleset_attr(&buf), RULESET_ATTR_SIZE, 0)
    );
    assert_eq!(
        Err(Errno::ENOMSG),
        sys_create_ruleset(ruleset_attr(&buf), page_size, 0)
    );

    // Checks non-zero value.
    buf[page_size - 2] = b'.';
    assert_eq!(
        Err(Errno::E2BIG),
        sys_create_ruleset(ruleset_attr(&buf), page_size, 0)
    );

    assert_eq!(
        Err(Errno::E2BIG),
        sys_create_ruleset(ruleset_attr(&buf), page_size + 1, 0)
    );
});

test!(abi_version, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_FILE);
    // C asserts the kernel's ABI is that of its uapi header: an older kernel lacks what the
    // assertion is about, and skips; a newer one fails, as in C.
    require_abi(
        LANDLOCK_ABI_V6_18,
        "the ABI version base_test.c (Linux v6.18) checks",
    );
    assert_eq!(
        Ok(LANDLOCK_ABI_V6_18),
        sys_create_ruleset(null_attr(), 0, LANDLOCK_CREATE_RULESET_VERSION)
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(&ruleset_attr, 0, LANDLOCK_CREATE_RULESET_VERSION)
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(
            null_attr(),
            RULESET_ATTR_SIZE,
            LANDLOCK_CREATE_RULESET_VERSION
        )
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(
            &ruleset_attr,
            RULESET_ATTR_SIZE,
            LANDLOCK_CREATE_RULESET_VERSION
        )
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(null_attr(), 0, LANDLOCK_CREATE_RULESET_VERSION | 1 << 31)
    );
});

test!(errata, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_FILE);
    require_abi(7, "the errata query (LANDLOCK_CREATE_RULESET_ERRATA)");

    let errata = sys_create_ruleset(null_attr(), 0, LANDLOCK_CREATE_RULESET_ERRATA);
    // The errata bitmask will not be backported to tests.
    let errata = assert_ok!(errata);
    th_log!("errata: {errata:#x}");

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(&ruleset_attr, 0, LANDLOCK_CREATE_RULESET_ERRATA)
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(
            null_attr(),
            RULESET_ATTR_SIZE,
            LANDLOCK_CREATE_RULESET_ERRATA
        )
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(
            &ruleset_attr,
            RULESET_ATTR_SIZE,
            LANDLOCK_CREATE_RULESET_ERRATA
        )
    );

    // C checks only that this call fails (`ASSERT_EQ(-1, ...)`), not its errno.
    assert_true!(
        sys_create_ruleset(
            null_attr(),
            0,
            LANDLOCK_CREATE_RULESET_VERSION | LANDLOCK_CREATE_RULESET_ERRATA
        )
        .is_err()
    );
    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(null_attr(), 0, LANDLOCK_CREATE_RULESET_ERRATA | 1 << 31)
    );
});

// Tests ordering of syscall argument checks.
test!(create_ruleset_checks_ordering, || {
    let last_flag = LANDLOCK_CREATE_RULESET_ERRATA;
    let invalid_flag = last_flag << 1;
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_FILE);
    require_abi(1, "Landlock rulesets");

    // Checks priority for invalid flags.
    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(null_attr(), 0, invalid_flag)
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(&ruleset_attr, 0, invalid_flag)
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(null_attr(), RULESET_ATTR_SIZE, invalid_flag)
    );

    assert_eq!(
        Err(Errno::EINVAL),
        sys_create_ruleset(&ruleset_attr, RULESET_ATTR_SIZE, invalid_flag)
    );

    // Checks too big ruleset_attr size (C's -1 as a size_t).
    assert_eq!(
        Err(Errno::E2BIG),
        sys_create_ruleset(&ruleset_attr, usize::MAX, 0)
    );

    // Checks too small ruleset_attr size.
    assert_eq!(Err(Errno::EINVAL), sys_create_ruleset(&ruleset_attr, 0, 0));
    assert_eq!(Err(Errno::EINVAL), sys_create_ruleset(&ruleset_attr, 1, 0));

    // Checks valid call.
    let ruleset_fd = assert_ok!(sys_create_ruleset(&ruleset_attr, RULESET_ATTR_SIZE, 0));
    assert_eq!(Ok(()), close(ruleset_fd));
});

// Tests ordering of syscall argument checks.
test!(add_rule_checks_ordering, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_EXECUTE);
    let mut path_beneath_attr = PathBeneathAttr {
        allowed_access: LANDLOCK_ACCESS_FS_EXECUTE,
        parent_fd: -1,
    };
    require_abi(1, "Landlock rulesets");
    let ruleset_fd = assert_ok!(sys_create_ruleset(&ruleset_attr, RULESET_ATTR_SIZE, 0));

    // Checks invalid flags.
    assert_eq!(Err(Errno::EINVAL), sys_add_rule(-1, 0, std::ptr::null(), 1));

    // Checks invalid ruleset FD.
    assert_eq!(Err(Errno::EBADF), sys_add_rule(-1, 0, std::ptr::null(), 0));

    // Checks invalid rule type.
    assert_eq!(
        Err(Errno::EINVAL),
        sys_add_rule(ruleset_fd, 0, std::ptr::null(), 0)
    );

    // Checks invalid rule attr.
    assert_eq!(
        Err(Errno::EFAULT),
        sys_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, std::ptr::null(), 0)
    );

    // Checks invalid path_beneath.parent_fd.
    assert_eq!(
        Err(Errno::EBADF),
        add_path_beneath_raw(ruleset_fd, &path_beneath_attr)
    );

    // Checks valid call.
    let parent_fd = assert_ok!(open("/tmp", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    path_beneath_attr.parent_fd = parent_fd.as_raw_fd();
    assert_eq!(Ok(()), add_path_beneath_raw(ruleset_fd, &path_beneath_attr));
    assert_eq!(Ok(()), close(parent_fd));
    assert_eq!(Ok(()), close(ruleset_fd));
});

// Tests ordering of syscall argument and permission checks.
test!(restrict_self_checks_ordering, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_EXECUTE);
    let mut path_beneath_attr = PathBeneathAttr {
        allowed_access: LANDLOCK_ACCESS_FS_EXECUTE,
        parent_fd: -1,
    };
    require_abi(1, "Landlock rulesets");
    let ruleset_fd = assert_ok!(sys_create_ruleset(&ruleset_attr, RULESET_ATTR_SIZE, 0));

    let parent_fd = assert_ok!(open("/tmp", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    path_beneath_attr.parent_fd = parent_fd.as_raw_fd();
    assert_eq!(Ok(()), add_path_beneath_raw(ruleset_fd, &path_beneath_attr));
    assert_eq!(Ok(()), close(parent_fd));

    // Checks unprivileged enforcement without no_new_privs.
    drop_caps();
    assert_eq!(Err(Errno::EPERM), sys_restrict_self(-1, u32::MAX));
    assert_eq!(Err(Errno::EPERM), sys_restrict_self(-1, 0));
    assert_eq!(Err(Errno::EPERM), sys_restrict_self(ruleset_fd, 0));

    assert_eq!(Ok(()), set_no_new_privs());

    // Checks invalid flags.
    assert_eq!(Err(Errno::EINVAL), sys_restrict_self(-1, u32::MAX));

    // Checks invalid ruleset FD.
    assert_eq!(Err(Errno::EBADF), sys_restrict_self(-1, 0));

    // Checks valid call.
    assert_eq!(Ok(()), sys_restrict_self(ruleset_fd, 0));
    assert_eq!(Ok(()), close(ruleset_fd));
});

test!(restrict_self_fd, || {
    require_abi(1, "Landlock");
    require_restrict_without_no_new_privs();
    let fd = assert_ok!(open("/dev/null", O_RDONLY | O_CLOEXEC));

    expect_eq!(Err(Errno::EBADFD), sys_restrict_self(fd.as_raw_fd(), 0));
});

test!(restrict_self_fd_flags, || {
    require_abi(7, "the logging flags of landlock_restrict_self()");
    require_restrict_without_no_new_privs();
    let fd = assert_ok!(open("/dev/null", O_RDONLY | O_CLOEXEC));

    // LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF accepts -1 but not any file descriptor.
    expect_eq!(
        Err(Errno::EBADFD),
        sys_restrict_self(fd.as_raw_fd(), LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)
    );
});

test!(restrict_self_flags, || {
    let last_flag = LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF;
    require_abi(7, "the logging flags of landlock_restrict_self()");
    require_restrict_without_no_new_privs();

    // Tests invalid flag combinations.

    expect_eq!(Err(Errno::EINVAL), sys_restrict_self(-1, last_flag << 1));

    expect_eq!(Err(Errno::EINVAL), sys_restrict_self(-1, u32::MAX));

    // Tests valid flag combinations.

    expect_eq!(Err(Errno::EBADF), sys_restrict_self(-1, 0));

    expect_eq!(
        Err(Errno::EBADF),
        sys_restrict_self(-1, LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF)
    );

    expect_eq!(
        Err(Errno::EBADF),
        sys_restrict_self(
            -1,
            LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF | LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
        )
    );

    expect_eq!(
        Err(Errno::EBADF),
        sys_restrict_self(
            -1,
            LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON | LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
        )
    );

    expect_eq!(
        Err(Errno::EBADF),
        sys_restrict_self(-1, LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON)
    );

    expect_eq!(
        Err(Errno::EBADF),
        sys_restrict_self(
            -1,
            LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF | LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
        )
    );

    // Tests with an invalid ruleset_fd.

    expect_eq!(
        Err(Errno::EBADF),
        sys_restrict_self(-2, LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)
    );

    expect_eq!(
        Ok(()),
        sys_restrict_self(-1, LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)
    );
});

test!(ruleset_fd_io, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_FILE);
    let mut buf = [0u8];

    drop_caps();
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

    assert_eq!(Err(Errno::EINVAL), write(&ruleset_fd, b"."));
    assert_eq!(Err(Errno::EINVAL), read(&ruleset_fd, &mut buf));

    assert_eq!(Ok(()), close(ruleset_fd));
});

// Tests enforcement of a ruleset FD transferred through a UNIX socket.
test!(ruleset_fd_transfer, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_DIR);

    drop_caps();

    // Creates a test ruleset with a simple rule.
    let ruleset_fd_tx = assert_ok!(create_ruleset(&ruleset_attr));
    let parent_fd = assert_ok!(open("/tmp", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    let path_beneath_attr = PathBeneathAttr::new(LANDLOCK_ACCESS_FS_READ_DIR, &parent_fd);
    assert_eq!(Ok(()), add_rule(&ruleset_fd_tx, &path_beneath_attr));
    assert_eq!(Ok(()), close(parent_fd));

    // Sends the ruleset FD over a socketpair and then close it.
    let (socket_fd0, socket_fd1) = assert_ok!(unix_socketpair());
    assert_eq!(Ok(()), send_fd(&socket_fd0, &ruleset_fd_tx));
    assert_eq!(Ok(()), close(socket_fd0));
    assert_eq!(Ok(()), close(ruleset_fd_tx));

    let child = fork_child(|| {
        let ruleset_fd_rx = assert_ok!(recv_fd(&socket_fd1));
        assert_eq!(Ok(()), close_in_child(&socket_fd1));

        // Enforces the received ruleset on the child.
        assert_eq!(Ok(()), set_no_new_privs());
        assert_eq!(Ok(()), sys_restrict_self(ruleset_fd_rx.as_raw_fd(), 0));
        assert_eq!(Ok(()), close(ruleset_fd_rx));

        // Checks that the ruleset enforcement.
        assert_eq!(
            Err(Errno::EACCES),
            open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC).map(drop)
        );
        let dir_fd = assert_ok!(open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        assert_eq!(Ok(()), close(dir_fd));
    });

    assert_eq!(Ok(()), close(socket_fd1));

    // Checks that the parent is unrestricted.
    let dir_fd = assert_ok!(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    assert_eq!(Ok(()), close(dir_fd));
    let dir_fd = assert_ok!(open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    assert_eq!(Ok(()), close(dir_fd));

    let status = child.wait();
    assert_true!(wifexited(status));
    assert_eq!(Some(EXIT_SUCCESS), wexitstatus(status));
});

test!(cred_transfer, || {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_DIR);

    drop_caps();

    let dir_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    expect_true!(dir_fd.is_ok());
    if let Ok(dir_fd) = dir_fd {
        expect_eq!(Ok(()), close(dir_fd));
    }

    // Denies opening directories.
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
    expect_eq!(Ok(()), set_no_new_privs());
    assert_eq!(Ok(()), sys_restrict_self(ruleset_fd.as_raw_fd(), 0));
    expect_eq!(Ok(()), close(ruleset_fd));

    // Checks ruleset enforcement.
    expect_eq!(
        Err(Errno::EACCES),
        open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC).map(drop)
    );

    // Needed for KEYCTL_SESSION_TO_PARENT permission checks
    let joined = keyctl_join_session_keyring();
    expect_true!(joined.is_ok(), "Failed to join session keyring: {joined:?}");

    let child = fork_child(|| {
        // Checks ruleset enforcement.
        expect_eq!(
            Err(Errno::EACCES),
            open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC).map(drop)
        );

        // KEYCTL_SESSION_TO_PARENT is a no-op unless we have a different session keyring in
        // the child, so make that happen.
        expect_true!(keyctl_join_session_keyring().is_ok());

        // KEYCTL_SESSION_TO_PARENT installs credentials on the parent that never go through
        // the cred_prepare hook, this path uses cred_transfer instead.
        expect_eq!(Ok(()), keyctl_session_to_parent());

        // Re-checks ruleset enforcement.
        expect_eq!(
            Err(Errno::EACCES),
            open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC).map(drop)
        );
    });

    let status = child.wait();
    expect_true!(wifexited(status));
    expect_eq!(Some(EXIT_SUCCESS), wexitstatus(status));

    // Re-checks ruleset enforcement.
    expect_eq!(
        Err(Errno::EACCES),
        open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC).map(drop)
    );
});

test_harness_main!();
