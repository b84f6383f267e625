//! Landlock tests - Filesystem: tools/testing/selftests/landlock/fs_test.c (Linux v6.18).
//! Fixtures, variants and tests keep the C names and order; the layouts, the `test_*` helpers
//! and the rulesets from path rules are in `landlock_test_core::fs`.
//!
//! The programs that the tests execute (C's true.c, wait-pipe.c, sandbox-and-launch.c) are
//! this package's binaries (src/bin/), found where cargo built them.
//!
//! Where C hard-codes `ACCESS_ALL` and `ACCESS_LAST` for the kernel it ships with, they are
//! derived from the running ABI here ([`access_fs_all`], [`access_fs_last`]); a case that
//! needs a right the running kernel lacks skips with the reason ([`require_access_fs`]).

use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::OnceLock;

use landlock_test_core::abi::errata;
use landlock_test_core::assert_eq;
use landlock_test_core::audit::{self, prelude::*};
use landlock_test_core::fs::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::process::prelude::{
    close_in_child, read_byte, wexitstatus, wifexited, write_byte,
};
use libc::{
    AT_EMPTY_PATH, AT_REMOVEDIR, O_CLOEXEC, O_DIRECTORY, O_PATH, O_RDONLY, O_RDWR, O_TRUNC,
    O_WRONLY, S_IFBLK, S_IFCHR, S_IFIFO, S_IFREG, S_IFSOCK, mode_t,
};

/// C's `ACCESS_ALL`: every filesystem right of the running kernel.
fn access_all() -> u64 {
    access_fs_all().bits()
}

fixture! {
    #[derive(Clone, Copy)]
    layout0 {}
    setup: |_| {
        prepare_layout();
        Self {}
    },
    teardown_parent: |self, _| {
        cleanup_layout();
    },
}

fixture! {
    #[derive(Clone, Copy)]
    layout1 {}
    setup: |_| {
        prepare_layout();
        create_layout1();
        Self {}
    },
    teardown_parent: |self, _| {
        remove_layout1();
        cleanup_layout();
    },
}

test_f!(layout1, no_restriction, |_, _| {
    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file2_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file2_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));

    assert_eq!(Ok(()), test_open(dir_s2d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s2d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s2d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s2d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s2d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s2d3, O_RDONLY));

    assert_eq!(Ok(()), test_open(dir_s3d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s3d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s3d3, O_RDONLY));
});

test_f!(layout1, inval, |_, _| {
    let mut path_beneath = PathBeneathAttr {
        allowed_access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        parent_fd: -1,
    };
    let ruleset_attr =
        RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE);

    let parent_fd = assert_ok!(open(dir_s1d2, O_PATH | O_DIRECTORY | O_CLOEXEC));
    path_beneath.parent_fd = parent_fd.as_raw_fd();

    let ruleset_fd = assert_ok!(open(dir_s1d1, O_PATH | O_DIRECTORY | O_CLOEXEC));
    // Returns EBADF because ruleset_fd is not a landlock-ruleset FD.
    assert_eq!(Err(Errno::EBADF), add_rule(&ruleset_fd, &path_beneath));
    assert_eq!(Ok(()), close(ruleset_fd));

    let ruleset_fd = assert_ok!(open(dir_s1d1, O_DIRECTORY | O_CLOEXEC));
    // Returns EBADFD because ruleset_fd is not a valid ruleset.
    assert_eq!(Err(Errno::EBADFD), add_rule(&ruleset_fd, &path_beneath));
    assert_eq!(Ok(()), close(ruleset_fd));

    // Gets a real ruleset.
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
    assert_eq!(Ok(()), add_rule(&ruleset_fd, &path_beneath));
    assert_eq!(Ok(()), close(parent_fd));

    // Tests without O_PATH.
    let parent_fd = assert_ok!(open(dir_s1d2, O_DIRECTORY | O_CLOEXEC));
    path_beneath.parent_fd = parent_fd.as_raw_fd();
    assert_eq!(Ok(()), add_rule(&ruleset_fd, &path_beneath));
    assert_eq!(Ok(()), close(parent_fd));

    // Tests with a ruleset FD.
    path_beneath.parent_fd = ruleset_fd.as_raw_fd();
    assert_eq!(Err(Errno::EBADFD), add_rule(&ruleset_fd, &path_beneath));

    // Checks unhandled allowed_access.
    let parent_fd = assert_ok!(open(dir_s1d2, O_PATH | O_DIRECTORY | O_CLOEXEC));
    path_beneath.parent_fd = parent_fd.as_raw_fd();

    // Test with legitimate values.
    path_beneath.allowed_access |= LANDLOCK_ACCESS_FS_EXECUTE;
    assert_eq!(Err(Errno::EINVAL), add_rule(&ruleset_fd, &path_beneath));
    path_beneath.allowed_access &= !LANDLOCK_ACCESS_FS_EXECUTE;

    // Tests with denied-by-default access right.
    path_beneath.allowed_access |= LANDLOCK_ACCESS_FS_REFER;
    assert_eq!(Err(Errno::EINVAL), add_rule(&ruleset_fd, &path_beneath));
    path_beneath.allowed_access &= !LANDLOCK_ACCESS_FS_REFER;

    // Test with unknown (64-bits) value.
    path_beneath.allowed_access |= 1 << 60;
    assert_eq!(Err(Errno::EINVAL), add_rule(&ruleset_fd, &path_beneath));
    path_beneath.allowed_access &= !(1 << 60);

    // Test with no access.
    path_beneath.allowed_access = 0;
    assert_eq!(Err(Errno::ENOMSG), add_rule(&ruleset_fd, &path_beneath));

    assert_eq!(Ok(()), close(parent_fd));

    // Enforces the ruleset.
    enforce_ruleset(&ruleset_fd);

    assert_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout1, file_and_dir_access_rights, |_, _| {
    let ruleset_attr = RulesetAttr::fs(access_all());
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

    // Tests access rights for files.
    let file_fd = assert_ok!(open(file1_s1d2, O_PATH | O_CLOEXEC));

    // Tests access rights for directories.
    let dir_fd = assert_ok!(open(dir_s1d2, O_PATH | O_DIRECTORY | O_CLOEXEC));

    for access in bits_up_to(access_fs_last()) {
        assert_eq!(
            Ok(()),
            add_rule(&ruleset_fd, &PathBeneathAttr::new(access, &dir_fd))
        );

        let err = add_rule(&ruleset_fd, &PathBeneathAttr::new(access, &file_fd));
        if access & access_fs_file() != 0 {
            assert_eq!(Ok(()), err, "access {access:#x}");
        } else {
            assert_eq!(Err(Errno::EINVAL), err, "access {access:#x}");
        }
    }
    assert_eq!(Ok(()), close(file_fd));
    assert_eq!(Ok(()), close(dir_fd));
    assert_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout0, ruleset_with_unknown_access, |_, _| {
    for access_mask in bits_down_to(access_fs_last()) {
        let ruleset_attr = RulesetAttr::fs(access_mask);

        assert_eq!(
            Err(Errno::EINVAL),
            create_ruleset(&ruleset_attr).map(drop),
            "access_mask {access_mask:#x}"
        );
    }
});

test_f!(layout0, rule_with_unknown_access, |_, _| {
    let ruleset_attr = RulesetAttr::fs(access_all());
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

    let parent_fd = assert_ok!(open(TMP_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC));

    for access in bits_down_to(access_fs_last()) {
        expect_eq!(
            Err(Errno::EINVAL),
            add_rule(&ruleset_fd, &PathBeneathAttr::new(access, &parent_fd)),
            "access {access:#x}"
        );
    }
    assert_eq!(Ok(()), close(parent_fd));
    assert_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout1, rule_with_unhandled_access, |_, _| {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_EXECUTE);

    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

    let parent_fd = assert_ok!(open(file1_s1d2, O_PATH | O_CLOEXEC));

    for access in (0..64).map(|bit| 1u64 << bit) {
        let err = add_rule(&ruleset_fd, &PathBeneathAttr::new(access, &parent_fd));
        if access == ruleset_attr.handled_access_fs {
            expect_eq!(Ok(()), err);
        } else {
            expect_eq!(Err(Errno::EINVAL), err, "access {access:#x}");
        }
    }

    expect_eq!(Ok(()), close(parent_fd));
    expect_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout0, proc_nsfs, |_, _| {
    let rules = [Rule {
        path: "/dev/null",
        access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
    }];
    let ruleset_fd = create_ruleset_with(rules[0].access | LANDLOCK_ACCESS_FS_READ_DIR, &rules);

    assert_eq!(Ok(()), test_open("/proc/self/ns/mnt", O_RDONLY));

    enforce_ruleset(&ruleset_fd);

    assert_eq!(Err(Errno::EACCES), test_open("/", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open("/dev", O_RDONLY));
    assert_eq!(Ok(()), test_open("/dev/null", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open("/dev/full", O_RDONLY));

    assert_eq!(Err(Errno::EACCES), test_open("/proc", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open("/proc/self", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open("/proc/self/ns", O_RDONLY));
    // Because nsfs is an internal filesystem, /proc/self/ns/mnt is a disconnected path. Such
    // path cannot be identified and must then be allowed.
    assert_eq!(Ok(()), test_open("/proc/self/ns/mnt", O_RDONLY));

    // Checks that it is not possible to add nsfs-like filesystem references to a ruleset.
    let parent_fd = assert_ok!(open("/proc/self/ns/mnt", O_PATH | O_CLOEXEC));
    let path_beneath = PathBeneathAttr::new(
        LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        &parent_fd,
    );
    assert_eq!(Err(Errno::EBADFD), add_rule(&ruleset_fd, &path_beneath));
    assert_eq!(Ok(()), close(parent_fd));
});

test_f!(layout0, unpriv, |_, _| {
    let rules = [Rule {
        path: TMP_DIR,
        access: ACCESS_RO,
    }];

    drop_caps();

    let ruleset_fd = create_ruleset_with(ACCESS_RO, &rules);
    assert_eq!(
        Err(Errno::EPERM),
        sys_restrict_self(ruleset_fd.as_raw_fd(), 0)
    );

    // enforce_ruleset() calls prctl(no_new_privs).
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout1, effective_access, |_, _| {
    let rules = [
        Rule {
            path: dir_s1d2,
            access: ACCESS_RO,
        },
        Rule {
            path: file1_s2d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    let mut buf = [0u8];

    enforce_fs(ACCESS_RW, &rules);

    // Tests on a directory (with or without O_PATH).
    assert_eq!(Err(Errno::EACCES), test_open("/", O_RDONLY));
    assert_eq!(Ok(()), test_open("/", O_RDONLY | O_PATH));
    assert_eq!(Err(Errno::EACCES), test_open(dir_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY | O_PATH));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d1, O_RDONLY | O_PATH));

    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));

    // Tests on a file (with or without O_PATH).
    assert_eq!(Err(Errno::EACCES), test_open(dir_s2d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s2d2, O_RDONLY | O_PATH));

    assert_eq!(Ok(()), test_open(file1_s2d2, O_RDONLY));

    // Checks effective read and write actions.
    let reg_fd = assert_ok!(open(file1_s2d2, O_RDWR | O_CLOEXEC));
    assert_eq!(Ok(1), write(&reg_fd, b"."));
    assert_eq!(Ok(0), lseek(&reg_fd, 0, Whence::SeekSet));
    assert_eq!(Ok(1), read(&reg_fd, &mut buf));
    assert_eq!(b'.', buf[0]);
    assert_eq!(Ok(()), close(reg_fd));

    // Just in case, double-checks effective actions.
    let reg_fd = assert_ok!(open(file1_s2d2, O_RDONLY | O_CLOEXEC));
    assert_eq!(Err(Errno::EBADF), write(&reg_fd, &buf));
    assert_eq!(Ok(()), close(reg_fd));
});

test_f!(layout1, unhandled_access, |_, _| {
    let rules = [Rule {
        path: dir_s1d2,
        access: ACCESS_RO,
    }];
    // Here, we only handle read accesses, not write accesses.
    enforce_fs(ACCESS_RO, &rules);

    // Because the policy does not handle LANDLOCK_ACCESS_FS_WRITE_FILE, opening for write-only
    // should be allowed, but not read-write.
    assert_eq!(Ok(()), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDWR));

    assert_eq!(Ok(()), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDWR));
});

test_f!(layout1, ruleset_overlap, |_, _| {
    let rules = [
        // These rules should be ORed among them.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
        },
    ];
    enforce_fs(ACCESS_RW, &rules);

    // Checks s1d1 hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d2 hierarchy.
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDWR));
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // Checks s1d3 hierarchy.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_WRONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDWR));
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));
});

test_f!(layout1, layer_rule_unions, |_, _| {
    let layer1 = [
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        // dir_s1d3 should allow READ_FILE and WRITE_FILE (O_RDWR).
        Rule {
            path: dir_s1d3,
            access: LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    let layer2 = [
        // Doesn't change anything from layer1.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    let layer3 = [
        // Only allows write (but not read) to dir_s1d3.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    enforce_fs(ACCESS_RW, &layer1);

    // Checks s1d1 hierarchy with layer1.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d2 hierarchy with layer1.
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d3 hierarchy with layer1.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_WRONLY));
    // dir_s1d3 should allow READ_FILE and WRITE_FILE (O_RDWR).
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Doesn't change anything from layer1.
    enforce_fs(ACCESS_RW, &layer2);

    // Checks s1d1 hierarchy with layer2.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d2 hierarchy with layer2.
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d3 hierarchy with layer2.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_WRONLY));
    // dir_s1d3 should allow READ_FILE and WRITE_FILE (O_RDWR).
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Only allows write (but not read) to dir_s1d3.
    enforce_fs(ACCESS_RW, &layer3);

    // Checks s1d1 hierarchy with layer3.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d2 hierarchy with layer3.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Checks s1d3 hierarchy with layer3.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_WRONLY));
    // dir_s1d3 should now deny READ_FILE and WRITE_FILE (O_RDWR).
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_RDWR));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );
});

test_f!(layout1, non_overlapping_accesses, |_, _| {
    let layer1 = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_MAKE_REG,
    }];
    let layer2 = [Rule {
        path: dir_s1d3,
        access: LANDLOCK_ACCESS_FS_REMOVE_FILE,
    }];

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file1_s1d2));

    enforce_fs(LANDLOCK_ACCESS_FS_MAKE_REG, &layer1);

    assert_eq!(Err(Errno::EACCES), mknod(file1_s1d1, S_IFREG | 0o700, 0));
    assert_eq!(Ok(()), mknod(file1_s1d2, S_IFREG | 0o700, 0));
    assert_eq!(Ok(()), unlink(file1_s1d2));

    enforce_fs(LANDLOCK_ACCESS_FS_REMOVE_FILE, &layer2);

    // Unchanged accesses for file creation.
    assert_eq!(Err(Errno::EACCES), mknod(file1_s1d1, S_IFREG | 0o700, 0));
    assert_eq!(Ok(()), mknod(file1_s1d2, S_IFREG | 0o700, 0));

    // Checks file removing.
    assert_eq!(Err(Errno::EACCES), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));
});

test_f!(layout1, interleaved_masked_accesses, |_, _| {
    // Checks overly restrictive rules:
    // layer 1: allows R   s1d1/s1d2/s1d3/file1
    // layer 2: allows RW  s1d1/s1d2/s1d3
    //          allows  W  s1d1/s1d2
    //          denies R   s1d1/s1d2
    // layer 3: allows R   s1d1
    // layer 4: allows R   s1d1/s1d2
    //          denies  W  s1d1/s1d2
    // layer 5: allows R   s1d1/s1d2
    // layer 6: allows   X ----
    // layer 7: allows  W  s1d1/s1d2
    //          denies R   s1d1/s1d2
    let layer1_read = [
        // Allows read access to file1_s1d3 with the first layer.
        Rule {
            path: file1_s1d3,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
    ];
    // First rule with write restrictions.
    let layer2_read_write = [
        // Start by granting read-write access via its parent directory...
        Rule {
            path: dir_s1d3,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
        // ...but also denies read access via its grandparent directory.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    let layer3_read = [
        // Allows read access via its great-grandparent directory.
        Rule {
            path: dir_s1d1,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
    ];
    let layer4_read_write = [
        // Try to confuse the deny access by denying write (but not read) access via its
        // grandparent directory.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
    ];
    let layer5_read = [
        // Try to override layer2's deny read access by explicitly allowing read access via
        // file1_s1d3's grandparent.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
    ];
    let layer6_execute = [
        // Restricts an unrelated file hierarchy with a new access (non-overlapping) type.
        Rule {
            path: dir_s2d1,
            access: LANDLOCK_ACCESS_FS_EXECUTE,
        },
    ];
    let layer7_read_write = [
        // Finally, denies read access to file1_s1d3 via its grandparent.
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    let read_write = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE;

    enforce_fs(LANDLOCK_ACCESS_FS_READ_FILE, &layer1_read);

    // Checks that read access is granted for file1_s1d3 with layer 1.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDWR));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file2_s1d3, O_WRONLY));

    enforce_fs(read_write, &layer2_read_write);

    // Checks that previous access rights are unchanged with layer 2.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDWR));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file2_s1d3, O_WRONLY));

    enforce_fs(LANDLOCK_ACCESS_FS_READ_FILE, &layer3_read);

    // Checks that previous access rights are unchanged with layer 3.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDWR));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file2_s1d3, O_WRONLY));

    // This time, denies write access for the file hierarchy.
    enforce_fs(read_write, &layer4_read_write);

    // Checks that the only change with layer 4 is that write access is denied.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_WRONLY));

    enforce_fs(LANDLOCK_ACCESS_FS_READ_FILE, &layer5_read);

    // Checks that previous access rights are unchanged with layer 5.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));

    enforce_fs(LANDLOCK_ACCESS_FS_EXECUTE, &layer6_execute);

    // Checks that previous access rights are unchanged with layer 6.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));

    enforce_fs(read_write, &layer7_read_write);

    // Checks read access is now denied with layer 7.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_WRONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file2_s1d3, O_RDONLY));
});

test_f!(layout1, inherit_subset, |_, _| {
    let rules = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
    }];
    let ruleset_fd = create_ruleset_with(ACCESS_RW, &rules);

    enforce_ruleset(&ruleset_fd);

    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // Write access is forbidden.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    // Readdir access is allowed.
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // Write access is forbidden.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    // Readdir access is allowed.
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));

    // Tests shared rule extension: the following rules should not grant any new access, only
    // remove some. Once enforced, these rules are ANDed with the previous ones.
    add_path_beneath(&ruleset_fd, LANDLOCK_ACCESS_FS_WRITE_FILE, dir_s1d2);
    // According to ruleset_fd, dir_s1d2 should now have the LANDLOCK_ACCESS_FS_READ_FILE and
    // LANDLOCK_ACCESS_FS_WRITE_FILE access rights (even if this directory is opened a second
    // time). However, when enforcing this updated ruleset, the ruleset tied to the current
    // process (i.e. its domain) will still only have the dir_s1d2 with
    // LANDLOCK_ACCESS_FS_READ_FILE and LANDLOCK_ACCESS_FS_READ_DIR accesses, but
    // LANDLOCK_ACCESS_FS_WRITE_FILE must not be allowed because it would be a privilege
    // escalation.
    enforce_ruleset(&ruleset_fd);

    // Same tests and results as above.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // It is still forbidden to write in file1_s1d2.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    // Readdir access is still allowed.
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // It is still forbidden to write in file1_s1d3.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    // Readdir access is still allowed.
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));

    // Try to get more privileges by adding new access rights to the parent directory: dir_s1d1.
    add_path_beneath(&ruleset_fd, ACCESS_RW, dir_s1d1);
    enforce_ruleset(&ruleset_fd);

    // Same tests and results as above.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // It is still forbidden to write in file1_s1d2.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    // Readdir access is still allowed.
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // It is still forbidden to write in file1_s1d3.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    // Readdir access is still allowed.
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));

    // Now, dir_s1d3 get a new rule tied to it, only allowing LANDLOCK_ACCESS_FS_WRITE_FILE.
    // The (kernel internal) difference is that there was no rule tied to it before.
    add_path_beneath(&ruleset_fd, LANDLOCK_ACCESS_FS_WRITE_FILE, dir_s1d3);
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Same tests and results as above, except for open(dir_s1d3) which is now denied because
    // the new rule mask the rule previously inherited from dir_s1d2.

    // Same tests and results as above.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    // It is still forbidden to write in file1_s1d2.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    // Readdir access is still allowed.
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // It is still forbidden to write in file1_s1d3.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    // Readdir of dir_s1d3 is still allowed because of the OR policy inside the same layer.
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));
});

test_f!(layout1, inherit_superset, |_, _| {
    let rules = [Rule {
        path: dir_s1d3,
        access: ACCESS_RO,
    }];
    let ruleset_fd = create_ruleset_with(ACCESS_RW, &rules);

    enforce_ruleset(&ruleset_fd);

    // Readdir access is denied for dir_s1d2.
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d2, O_RDONLY | O_DIRECTORY)
    );
    // Readdir access is allowed for dir_s1d3.
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));
    // File access is allowed for file1_s1d3.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));

    // Now dir_s1d2, parent of dir_s1d3, gets a new rule tied to it.
    add_path_beneath(
        &ruleset_fd,
        LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
        dir_s1d2,
    );
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Readdir access is still denied for dir_s1d2.
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d2, O_RDONLY | O_DIRECTORY)
    );
    // Readdir access is still allowed for dir_s1d3.
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY | O_DIRECTORY));
    // File access is still allowed for file1_s1d3.
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
});

test_f!(layout0, max_layers, |_, _| {
    let rules = [Rule {
        path: TMP_DIR,
        access: ACCESS_RO,
    }];
    let ruleset_fd = create_ruleset_with(ACCESS_RW, &rules);

    for _ in 0..LANDLOCK_MAX_NUM_LAYERS {
        enforce_ruleset(&ruleset_fd);
    }

    for _ in 0..2 {
        assert_eq!(
            Err(Errno::E2BIG),
            sys_restrict_self(ruleset_fd.as_raw_fd(), 0)
        );
    }
    assert_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout1, empty_or_same_ruleset, |_, _| {
    let mut ruleset_attr = RulesetAttr::default();

    // Tests empty handled_access_fs.
    assert_eq!(Err(Errno::ENOMSG), create_ruleset(&ruleset_attr).map(drop));

    // Enforces policy which deny read access to all files.
    ruleset_attr.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE;
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));

    // Nests a policy which deny read access to all directories.
    ruleset_attr.handled_access_fs = LANDLOCK_ACCESS_FS_READ_DIR;
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(dir_s1d1, O_RDONLY));

    // Enforces a second time with the same ruleset.
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));
});

test_f!(layout1, rule_on_mountpoint, |_, _| {
    let rules = [
        Rule {
            path: dir_s1d1,
            access: ACCESS_RO,
        },
        Rule {
            // dir_s3d2 is a mount point.
            path: dir_s3d2,
            access: ACCESS_RO,
        },
    ];
    enforce_fs(ACCESS_RW, &rules);

    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));

    assert_eq!(Err(Errno::EACCES), test_open(dir_s2d1, O_RDONLY));

    assert_eq!(Err(Errno::EACCES), test_open(dir_s3d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s3d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s3d3, O_RDONLY));
});

test_f!(layout1, rule_over_mountpoint, |_, _| {
    let rules = [
        Rule {
            path: dir_s1d1,
            access: ACCESS_RO,
        },
        Rule {
            // dir_s3d2 is a mount point.
            path: dir_s3d1,
            access: ACCESS_RO,
        },
    ];
    enforce_fs(ACCESS_RW, &rules);

    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));

    assert_eq!(Err(Errno::EACCES), test_open(dir_s2d1, O_RDONLY));

    assert_eq!(Ok(()), test_open(dir_s3d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s3d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s3d3, O_RDONLY));
});

// This test verifies that we can apply a landlock rule on the root directory (which might
// require special handling).
test_f!(layout1, rule_over_root_allow_then_deny, |_, _| {
    let mut rules = [Rule {
        path: "/",
        access: ACCESS_RO,
    }];
    enforce_fs(ACCESS_RW, &rules);

    // Checks allowed access.
    assert_eq!(Ok(()), test_open("/", O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));

    rules[0].access = LANDLOCK_ACCESS_FS_READ_FILE;
    enforce_fs(ACCESS_RW, &rules);

    // Checks denied access (on a directory).
    assert_eq!(Err(Errno::EACCES), test_open("/", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(dir_s1d1, O_RDONLY));
});

test_f!(layout1, rule_over_root_deny, |_, _| {
    let rules = [Rule {
        path: "/",
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];
    enforce_fs(ACCESS_RW, &rules);

    // Checks denied access (on a directory).
    assert_eq!(Err(Errno::EACCES), test_open("/", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(dir_s1d1, O_RDONLY));
});

test_f!(layout1, rule_inside_mount_ns, |_, _| {
    let rules = [Rule {
        path: "s3d3",
        access: ACCESS_RO,
    }];

    set_cap(Cap::SysAdmin);
    assert_eq!(
        Ok(()),
        pivot_root(dir_s3d2, dir_s3d3),
        "Failed to pivot root"
    );
    assert_eq!(Ok(()), chdir("/"));
    clear_cap(Cap::SysAdmin);

    enforce_fs(ACCESS_RW, &rules);

    assert_eq!(Ok(()), test_open("s3d3", O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open("/", O_RDONLY));
});

test_f!(layout1, mount_and_pivot, |_, _| {
    let rules = [Rule {
        path: dir_s3d2,
        access: ACCESS_RO,
    }];
    enforce_fs(ACCESS_RW, &rules);

    set_cap(Cap::SysAdmin);
    assert_eq!(
        Err(Errno::EPERM),
        mount(None, dir_s3d2, None, MsFlags::MS_RDONLY, None)
    );
    assert_eq!(Err(Errno::EPERM), pivot_root(dir_s3d2, dir_s3d3));
    clear_cap(Cap::SysAdmin);
});

test_f!(layout1, move_mount, |_, _| {
    let rules = [Rule {
        path: dir_s3d2,
        access: ACCESS_RO,
    }];
    let ruleset_fd = create_ruleset_with(ACCESS_RW, &rules);

    set_cap(Cap::SysAdmin);
    assert_eq!(
        Ok(()),
        move_mount(dir_s3d2, dir_s1d2),
        "Failed to move mount"
    );

    assert_eq!(Ok(()), move_mount(dir_s1d2, dir_s3d2));
    clear_cap(Cap::SysAdmin);

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    set_cap(Cap::SysAdmin);
    assert_eq!(Err(Errno::EPERM), move_mount(dir_s3d2, dir_s1d2));
    clear_cap(Cap::SysAdmin);
});

test_f!(layout1, topology_changes_with_net_only, |_, _| {
    require_abi(4, "network rules (handled_access_net)");
    let ruleset_net = RulesetAttr {
        handled_access_net: LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
        ..RulesetAttr::default()
    };

    // Add network restrictions.
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_net));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Mount, remount, move_mount, umount, and pivot_root checks.
    set_cap(Cap::SysAdmin);
    assert_eq!(Ok(()), mount_opt(&MNT_TMP, dir_s1d2));
    assert_eq!(
        Ok(()),
        mount(
            None,
            dir_s1d2,
            None,
            MsFlags::MS_PRIVATE | MsFlags::MS_REC,
            None
        )
    );
    assert_eq!(Ok(()), move_mount(dir_s1d2, dir_s2d2));
    assert_eq!(Ok(()), umount(dir_s2d2));
    assert_eq!(Ok(()), pivot_root(dir_s3d2, dir_s3d3));
    assert_eq!(Ok(()), chdir("/"));
    clear_cap(Cap::SysAdmin);
});

test_f!(layout1, topology_changes_with_net_and_fs, |_, _| {
    require_abi(4, "network rules (handled_access_net)");
    let ruleset_net_fs = RulesetAttr {
        handled_access_net: LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
        handled_access_fs: LANDLOCK_ACCESS_FS_EXECUTE,
        ..RulesetAttr::default()
    };

    // Add network and filesystem restrictions.
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_net_fs));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Mount, remount, move_mount, umount, and pivot_root checks.
    set_cap(Cap::SysAdmin);
    assert_eq!(Err(Errno::EPERM), mount_opt(&MNT_TMP, dir_s1d2));
    assert_eq!(
        Err(Errno::EPERM),
        mount(
            None,
            dir_s3d2,
            None,
            MsFlags::MS_PRIVATE | MsFlags::MS_REC,
            None
        )
    );
    assert_eq!(Err(Errno::EPERM), move_mount(dir_s3d2, dir_s2d2));
    assert_eq!(Err(Errno::EPERM), umount(dir_s3d2));
    assert_eq!(Err(Errno::EPERM), pivot_root(dir_s3d2, dir_s3d3));
    clear_cap(Cap::SysAdmin);
});

test_f!(layout1, release_inodes, |_, _| {
    let rules = [
        Rule {
            path: dir_s1d1,
            access: ACCESS_RO,
        },
        Rule {
            path: dir_s3d2,
            access: ACCESS_RO,
        },
        Rule {
            path: dir_s3d3,
            access: ACCESS_RO,
        },
    ];
    let ruleset_fd = create_ruleset_with(ACCESS_RW, &rules);

    // Unmount a file hierarchy while it is being used by a ruleset.
    set_cap(Cap::SysAdmin);
    assert_eq!(Ok(()), umount(dir_s3d2));
    clear_cap(Cap::SysAdmin);

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    assert_eq!(Ok(()), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(dir_s3d2, O_RDONLY));
    // This dir_s3d3 would not be allowed and does not exist anyway.
    assert_eq!(Err(Errno::ENOENT), test_open(dir_s3d3, O_RDONLY));
});

// This test checks that a rule on a directory used as a mount point does not grant access to
// the mount covering it. It is a generalization of the bind mount case in
// layout3_fs.hostfs.release_inodes that tests hidden mount points.
test_f!(layout1, covered_rule, |_, _| {
    let layer1 = [Rule {
        path: dir_s3d2,
        access: LANDLOCK_ACCESS_FS_READ_DIR,
    }];

    // Unmount to simplify FIXTURE_TEARDOWN.
    set_cap(Cap::SysAdmin);
    assert_eq!(Ok(()), umount(dir_s3d2));
    clear_cap(Cap::SysAdmin);

    // Creates a ruleset with the future hidden directory.
    let ruleset_fd = create_ruleset_with(LANDLOCK_ACCESS_FS_READ_DIR, &layer1);

    // Covers with a new mount point.
    set_cap(Cap::SysAdmin);
    assert_eq!(Ok(()), mount_opt(&MNT_TMP, dir_s3d2));
    clear_cap(Cap::SysAdmin);

    assert_eq!(Ok(()), test_open(dir_s3d2, O_RDONLY));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Checks that access to the new mount point is denied.
    assert_eq!(Err(Errno::EACCES), test_open(dir_s3d2, O_RDONLY));
});

#[derive(Clone, Copy, PartialEq, Eq)]
enum RelativeAccess {
    Open,
    Chdir,
    ChrootOnly,
    ChrootChdir,
}

fn test_relative_path(rel: RelativeAccess) {
    use RelativeAccess::*;

    // Common layer to check that chroot doesn't ignore it (i.e. a chroot is not a disconnected
    // root directory).
    let layer1_base = [Rule {
        path: TMP_DIR,
        access: ACCESS_RO,
    }];
    let layer2_subs = [
        Rule {
            path: dir_s1d2,
            access: ACCESS_RO,
        },
        Rule {
            path: dir_s2d2,
            access: ACCESS_RO,
        },
    ];

    enforce_fs(ACCESS_RW, &layer1_base);

    let ruleset_fd = create_ruleset_with(ACCESS_RW, &layer2_subs);

    match rel {
        Open | Chdir => {}
        ChrootOnly => assert_eq!(Ok(()), chdir(dir_s2d2)),
        ChrootChdir => assert_eq!(Ok(()), chdir(dir_s1d2)),
    }

    set_cap(Cap::SysChroot);
    enforce_ruleset(&ruleset_fd);

    let mut opened: Option<OwnedFd> = None;
    match rel {
        Open => opened = Some(assert_ok!(open(dir_s1d2, O_DIRECTORY))),
        Chdir => assert_eq!(Ok(()), chdir(dir_s1d2)),
        // Do chroot into dir_s1d2 (relative to dir_s2d2).
        ChrootOnly => assert_eq!(Ok(()), chroot("../../s1d1/s1d2"), "Failed to chroot"),
        // Do chroot into dir_s1d2.
        ChrootChdir => assert_eq!(Ok(()), chroot("."), "Failed to chroot"),
    }
    let dirfd: BorrowedFd<'_> = opened.as_ref().map_or(AT_FDCWD, |fd| fd.as_fd());

    let parent = if rel == ChrootChdir {
        Ok(())
    } else {
        Err(Errno::EACCES)
    };
    assert_eq!(parent, test_open_rel(dirfd, "..", O_RDONLY));
    assert_eq!(Ok(()), test_open_rel(dirfd, ".", O_RDONLY));

    if rel == ChrootOnly {
        // The current directory is dir_s2d2.
        assert_eq!(Ok(()), test_open_rel(dirfd, "./s2d3", O_RDONLY));
    } else {
        // The current directory is dir_s1d2.
        assert_eq!(Ok(()), test_open_rel(dirfd, "./s1d3", O_RDONLY));
    }

    if rel == ChrootOnly || rel == ChrootChdir {
        // Checks the root dir_s1d2.
        assert_eq!(Ok(()), test_open_rel(dirfd, "/..", O_RDONLY));
        assert_eq!(Ok(()), test_open_rel(dirfd, "/", O_RDONLY));
        assert_eq!(Ok(()), test_open_rel(dirfd, "/f1", O_RDONLY));
        assert_eq!(Ok(()), test_open_rel(dirfd, "/s1d3", O_RDONLY));
    }

    if rel != ChrootChdir {
        assert_eq!(
            Err(Errno::EACCES),
            test_open_rel(dirfd, "../../s1d1", O_RDONLY)
        );
        assert_eq!(Ok(()), test_open_rel(dirfd, "../../s1d1/s1d2", O_RDONLY));
        assert_eq!(
            Ok(()),
            test_open_rel(dirfd, "../../s1d1/s1d2/s1d3", O_RDONLY)
        );

        assert_eq!(
            Err(Errno::EACCES),
            test_open_rel(dirfd, "../../s2d1", O_RDONLY)
        );
        assert_eq!(Ok(()), test_open_rel(dirfd, "../../s2d1/s2d2", O_RDONLY));
        assert_eq!(
            Ok(()),
            test_open_rel(dirfd, "../../s2d1/s2d2/s2d3", O_RDONLY)
        );
    }

    if let Some(fd) = opened {
        assert_eq!(Ok(()), close(fd));
    }
    assert_eq!(Ok(()), close(ruleset_fd));
}

test_f!(layout1, relative_open, |_, _| {
    test_relative_path(RelativeAccess::Open);
});

test_f!(layout1, relative_chdir, |_, _| {
    test_relative_path(RelativeAccess::Chdir);
});

test_f!(layout1, relative_chroot_only, |_, _| {
    test_relative_path(RelativeAccess::ChrootOnly);
});

test_f!(layout1, relative_chroot_chdir, |_, _| {
    test_relative_path(RelativeAccess::ChrootChdir);
});

// The helper programs, built by this package (src/bin/): C runs them from the current
// directory (`./true`); a test here finds them where cargo built them.
const BIN_TRUE: &str = env!("CARGO_BIN_EXE_true");
const BIN_SANDBOX_AND_LAUNCH: &str = env!("CARGO_BIN_EXE_sandbox-and-launch");
const BIN_WAIT_PIPE: &str = env!("CARGO_BIN_EXE_wait-pipe");

/// Copies the content of `src_path` over the existing file `dst_path` (C's `copy_file()`).
#[track_caller]
fn copy_file(src_path: &str, dst_path: &str) {
    let dst_fd = assert_ok!(
        open(dst_path, O_WRONLY | O_TRUNC | O_CLOEXEC),
        "Failed to open \"{dst_path}\""
    );
    let src_fd = assert_ok!(
        open(src_path, O_RDONLY | O_CLOEXEC),
        "Failed to open \"{src_path}\""
    );
    let size = assert_ok!(nix::sys::stat::fstat(&src_fd)).st_size as u64;
    let (mut src, mut dst) = (std::fs::File::from(src_fd), std::fs::File::from(dst_fd));
    assert_eq!(
        Ok(size),
        std::io::copy(&mut src, &mut dst).map_err(|err| err.to_string())
    );
}

/// Executes `path` in a child process, which must fail with `err` or run it (C's
/// `test_execute()`): the child exits with 2 after the expected failure, with the program's 0
/// after running it.
#[track_caller]
fn test_execute(err: Option<Errno>, path: &str) {
    let child = fork_child(|| {
        let path_c = CString::new(path).expect("paths have no NUL");
        // Returns only on failure.
        let ret = nix::unistd::execve::<_, &CStr>(&path_c, &[&path_c], &[]);
        assert_eq!(
            err.map_or(Ok(()), Err),
            ret.map(|never| match never {}),
            "Failed to execute \"{path}\""
        );
        // SAFETY: _exit(2) takes an integer and never returns; it ends this forked process
        // without running the parent's exit handlers.
        unsafe { libc::_exit(2) }
    });
    let status = child.wait();
    assert_true!(wifexited(status));
    assert_eq!(
        Some(if err.is_some() { 2 } else { 0 }),
        wexitstatus(status),
        "Unexpected return code for \"{path}\""
    );
}

/// Whether `execveat(2)` knows `AT_EXECVE_CHECK` (Linux 6.14): probed on a directory, which
/// it refuses with `EACCES` after checking the flags, where an older kernel refuses the flag
/// with `EINVAL`.
fn has_execve_check() -> bool {
    sys_execve_check(c"/") != Err(Errno::EINVAL)
}

/// `execveat(AT_FDCWD, path, [path], [], AT_EMPTY_PATH | AT_EXECVE_CHECK)`: checks whether
/// `path` may be executed, without executing it. A raw system call: nix's `execveat` takes
/// any return for a failure, as it is for an execution.
fn sys_execve_check(path: &CStr) -> Result<(), Errno> {
    let argv = [path.as_ptr(), std::ptr::null()];
    let envp = [std::ptr::null::<libc::c_char>()];
    // SAFETY: path is a NUL-terminated string, argv and envp are NULL-terminated arrays of
    // them, all alive for the call; with AT_EXECVE_CHECK the call returns.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_execveat,
            libc::AT_FDCWD,
            path.as_ptr(),
            argv.as_ptr(),
            envp.as_ptr(),
            AT_EMPTY_PATH | libc::AT_EXECVE_CHECK,
        )
    };
    Errno::result(ret).map(drop)
}

/// Checks that `path` may be executed, or fails with `err` (C's `test_check_exec()`). A kernel
/// without `AT_EXECVE_CHECK` (before 6.14) rejects the flag where C's check fails: the check
/// is left out there, with a note, so that the execution checks still run.
#[track_caller]
fn test_check_exec(err: Option<Errno>, path: &str) {
    if !has_execve_check() {
        th_log!("execveat(2) has no AT_EXECVE_CHECK (Linux 6.14): not checking \"{path}\"");
        return;
    }
    let path_c = CString::new(path).expect("paths have no NUL");
    expect_eq!(err.map_or(Ok(()), Err), sys_execve_check(&path_c));
}

/// The program interpreter (dynamic loader) that the kernel also executes to run `path`, from
/// its ELF `PT_INTERP` header: `None` for a statically linked program.
fn elf_interpreter(path: &str) -> Option<String> {
    const PT_INTERP: u32 = 3;
    let elf = std::fs::read(path).ok()?;
    let uint = |at: usize, len: usize| -> Option<usize> {
        let bytes = elf.get(at..at + len)?;
        Some(bytes.iter().rev().fold(0, |n, &b| n << 8 | usize::from(b)))
    };
    // ELF64, little-endian: e_phoff, e_phentsize, e_phnum.
    if elf.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let (phoff, phentsize, phnum) = (uint(0x20, 8)?, uint(0x36, 2)?, uint(0x38, 2)?);
    (0..phnum).find_map(|i| {
        let ph = phoff + i * phentsize;
        if uint(ph, 4)? != PT_INTERP as usize {
            return None;
        }
        let (offset, size) = (uint(ph + 8, 8)?, uint(ph + 32, 8)?);
        let interp = elf.get(offset..offset + size)?;
        let interp = interp.strip_suffix(&[0]).unwrap_or(interp);
        String::from_utf8(interp.to_vec()).ok()
    })
}

test_f!(layout1, execute, |_, _| {
    // C links its true statically. The Rust helper is linked dynamically (Cargo links one
    // binary of a package statically only with crt-static for the whole build), and the kernel
    // executes its dynamic loader too, which Landlock checks as any executed file: allowing
    // that one file keeps every check on the layout as in C.
    let interpreter = elf_interpreter(BIN_TRUE);
    let rules: Vec<Rule<'_>> = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_EXECUTE,
    }]
    .into_iter()
    .chain(interpreter.as_deref().map(|path| Rule {
        path,
        access: LANDLOCK_ACCESS_FS_EXECUTE,
    }))
    .collect();

    copy_file(BIN_TRUE, file1_s1d1);
    copy_file(BIN_TRUE, file1_s1d2);
    copy_file(BIN_TRUE, file1_s1d3);

    // Checks before file1_s1d1 being denied.
    test_execute(None, file1_s1d1);
    test_check_exec(None, file1_s1d1);

    enforce_fs(rules[0].access, &rules);

    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d1, O_RDONLY));
    test_execute(Some(Errno::EACCES), file1_s1d1);
    test_check_exec(Some(Errno::EACCES), file1_s1d1);

    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    test_execute(None, file1_s1d2);
    test_check_exec(None, file1_s1d2);

    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    test_execute(None, file1_s1d3);
    test_check_exec(None, file1_s1d3);
});

test_f!(layout1, umount_sandboxer, |_, _| {
    // The sandboxer scopes signals, the one thing it restricts: C fails on an older kernel.
    require_abi(6, "a ruleset scoping signals (sandbox-and-launch)");

    copy_file(BIN_SANDBOX_AND_LAUNCH, file1_s3d3);
    // Without close-on-exec, as the executed programs use them.
    let (pipe_child_r, pipe_child_w) = assert_ok!(nix::unistd::pipe());
    let (pipe_parent_r, pipe_parent_w) = assert_ok!(nix::unistd::pipe());

    let child = fork_child(|| {
        // Passes the pipe FDs to the executed binary and its child.
        expect_eq!(Ok(()), close_in_child(&pipe_child_r));
        expect_eq!(Ok(()), close_in_child(&pipe_parent_w));
        let argv = [
            file1_s3d3.to_owned(),
            BIN_WAIT_PIPE.to_owned(),
            pipe_child_w.as_raw_fd().to_string(),
            pipe_parent_r.as_raw_fd().to_string(),
        ]
        .map(|arg| CString::new(arg).expect("arguments have no NUL"));

        // We need bin_sandbox_and_launch (copied inside the mount as file1_s3d3) to execute
        // bin_wait_pipe (outside the mount) to make sure the mount point will not be EBUSY
        // because of file1_s3d3 being in use. This avoids a potential race condition between
        // the following read() and umount() calls.
        let ret = nix::unistd::execve::<_, &CStr>(&argv[0], &argv, &[]);
        assert_eq!(
            Ok(()),
            ret.map(|never| match never {}),
            "Failed to execute \"{file1_s3d3}\""
        );
    });

    expect_eq!(Ok(()), close(pipe_child_w));
    expect_eq!(Ok(()), close(pipe_parent_r));

    // Waits for the child to sandbox itself.
    expect_eq!(Ok(1), read_byte(&pipe_child_r));

    // Tests that the sandboxer is tied to its mount point.
    set_cap(Cap::SysAdmin);
    expect_eq!(Err(Errno::EBUSY), umount(dir_s3d2));
    clear_cap(Cap::SysAdmin);

    // Signals the child to launch a grandchild.
    expect_eq!(Ok(1), write_byte(&pipe_parent_w));

    // Waits for the grandchild.
    expect_eq!(Ok(1), read_byte(&pipe_child_r));

    // Tests that the domain's sandboxer is not tied to its mount point.
    set_cap(Cap::SysAdmin);
    expect_eq!(Ok(()), umount(dir_s3d2), "Failed to umount \"{dir_s3d2}\"");
    clear_cap(Cap::SysAdmin);

    // Signals the grandchild to terminate.
    expect_eq!(Ok(1), write_byte(&pipe_parent_w));
    child.join();
});

test_f!(layout1, link, |_, _| {
    let layer1 = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_MAKE_REG,
    }];
    let layer2 = [Rule {
        path: dir_s1d3,
        access: LANDLOCK_ACCESS_FS_REMOVE_FILE,
    }];
    let ruleset_fd = create_ruleset_with(layer1[0].access, &layer1);

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    assert_eq!(Err(Errno::EACCES), link(file2_s1d1, file1_s1d1));

    // Denies linking because of reparenting.
    assert_eq!(Err(Errno::EXDEV), link(file1_s2d1, file1_s1d2));
    assert_eq!(Err(Errno::EXDEV), link(file2_s1d2, file1_s1d3));
    assert_eq!(Err(Errno::EXDEV), link(file2_s1d3, file1_s1d2));

    assert_eq!(Ok(()), link(file2_s1d2, file1_s1d2));
    assert_eq!(Ok(()), link(file2_s1d3, file1_s1d3));

    // Prepares for next unlinks.
    assert_eq!(Ok(()), unlink(file2_s1d2));
    assert_eq!(Ok(()), unlink(file2_s1d3));

    enforce_fs(layer2[0].access, &layer2);

    // Checks that linkind doesn't require the ability to delete a file.
    assert_eq!(Ok(()), link(file1_s1d2, file2_s1d2));
    assert_eq!(Ok(()), link(file1_s1d3, file2_s1d3));
});

test_f!(layout1, rename_file, |_, _| {
    let rules = [
        Rule {
            path: dir_s1d3,
            access: LANDLOCK_ACCESS_FS_REMOVE_FILE,
        },
        Rule {
            path: dir_s2d2,
            access: LANDLOCK_ACCESS_FS_REMOVE_FILE,
        },
    ];
    let ruleset_fd = create_ruleset_with(rules[0].access, &rules);

    assert_eq!(Ok(()), unlink(file1_s1d2));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Tries to replace a file, from a directory that allows file removal, but to a different
    // directory (which also allows file removal).
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d3, file1_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_exchange(file1_s2d3, file1_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_exchange(file1_s2d3, dir_s1d3));

    // Tries to replace a file, from a directory that denies file removal, to a different
    // directory (which allows file removal).
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s2d1, file1_s1d3));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d1, file1_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_exchange(dir_s2d2, file1_s1d3));

    // Exchanges files and directories that partially allow removal.
    assert_eq!(Err(Errno::EACCES), test_exchange(dir_s2d2, file1_s2d1));
    // Checks that file1_s2d1 cannot be removed (instead of ENOTDIR).
    assert_eq!(Err(Errno::EACCES), test_rename(dir_s2d2, file1_s2d1));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d1, dir_s2d2));
    // Checks that file1_s1d1 cannot be removed (instead of EISDIR).
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d1, dir_s1d2));

    // Renames files with different parents.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d2, file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s2d1, file1_s1d3));

    // Exchanges and renames files with same parent.
    assert_eq!(Ok(()), test_exchange(file2_s2d3, file1_s2d3));
    assert_eq!(Ok(()), test_rename(file2_s2d3, file1_s2d3));

    // Exchanges files and directories with same parent, twice.
    assert_eq!(Ok(()), test_exchange(file1_s2d2, dir_s2d3));
    assert_eq!(Ok(()), test_exchange(file1_s2d2, dir_s2d3));
});

test_f!(layout1, rename_dir, |_, _| {
    let rules = [
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_REMOVE_DIR,
        },
        Rule {
            path: dir_s2d1,
            access: LANDLOCK_ACCESS_FS_REMOVE_DIR,
        },
    ];
    let ruleset_fd = create_ruleset_with(rules[0].access, &rules);

    // Empties dir_s1d3 to allow renaming.
    assert_eq!(Ok(()), unlink(file1_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Exchanges and renames directory to a different parent.
    assert_eq!(Err(Errno::EXDEV), test_exchange(dir_s2d3, dir_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s2d3, dir_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_exchange(file1_s2d2, dir_s1d3));

    // Exchanges directory to the same parent, which doesn't allow directory removal.
    assert_eq!(Err(Errno::EACCES), test_exchange(dir_s1d1, dir_s2d1));
    // Checks that dir_s1d2 cannot be removed (instead of ENOTDIR).
    assert_eq!(Err(Errno::EACCES), test_rename(dir_s1d2, file1_s1d1));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s1d1, dir_s1d2));
    // Checks that dir_s1d2 cannot be removed (instead of EISDIR).
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d1, dir_s1d2));

    // Exchanges and renames directory to the same parent, which allows directory removal.
    assert_eq!(Ok(()), test_exchange(dir_s1d3, file1_s1d2));
    assert_eq!(Ok(()), unlink(dir_s1d3));
    assert_eq!(Ok(()), mkdir(dir_s1d3, 0o700));
    assert_eq!(Ok(()), test_rename(file1_s1d2, dir_s1d3));
    assert_eq!(Ok(()), rmdir(dir_s1d3));
});

test_f!(layout1, reparent_refer, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let layer1 = [
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_REFER,
        },
        Rule {
            path: dir_s2d2,
            access: LANDLOCK_ACCESS_FS_REFER,
        },
    ];
    enforce_fs(LANDLOCK_ACCESS_FS_REFER, &layer1);

    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d2, dir_s2d1));
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d2, dir_s2d2));
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d2, dir_s2d3));

    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d3, dir_s2d1));
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d3, dir_s2d2));
    // Moving should only be allowed when the source and the destination parent directory have
    // REFER.
    assert_eq!(Err(Errno::ENOTEMPTY), test_rename(dir_s1d3, dir_s2d3));
    assert_eq!(Ok(()), unlink(file1_s2d3));
    assert_eq!(Ok(()), unlink(file2_s2d3));
    assert_eq!(Ok(()), test_rename(dir_s1d3, dir_s2d3));
});

/// Checks renames beneath dir_s1d1.
fn refer_denied_by_default(
    layer1: &[Rule<'_>],
    layer1_err: Result<(), Errno>,
    layer2: &[Rule<'_>],
) {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    assert_eq!(Ok(()), unlink(file1_s1d2));

    enforce_fs(layer1[0].access, layer1);

    // If the first layer handles LANDLOCK_ACCESS_FS_REFER (according to layer1_err), then it
    // allows some different-parent renames and links.
    assert_eq!(layer1_err, test_rename(file1_s1d1, file1_s1d2));
    if layer1_err.is_ok() {
        assert_eq!(layer1_err, test_rename(file1_s1d2, file1_s1d1));
    }
    assert_eq!(layer1_err, test_exchange(file2_s1d1, file2_s1d2));
    assert_eq!(layer1_err, test_exchange(file2_s1d2, file2_s1d1));

    enforce_fs(layer2[0].access, layer2);

    // Now, either the first or the second layer does not handle LANDLOCK_ACCESS_FS_REFER, which
    // means that any different-parent renames and links are denied, thus making the layer
    // handling LANDLOCK_ACCESS_FS_REFER null and void.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s1d1, file1_s1d2));
    assert_eq!(Err(Errno::EXDEV), test_exchange(file2_s1d1, file2_s1d2));
    assert_eq!(Err(Errno::EXDEV), test_exchange(file2_s1d2, file2_s1d1));
}

const LAYER_DIR_S1D1_REFER: [Rule<'static>; 1] = [Rule {
    path: dir_s1d1,
    access: LANDLOCK_ACCESS_FS_REFER,
}];

const LAYER_DIR_S1D1_EXECUTE: [Rule<'static>; 1] = [Rule {
    // Matches a parent directory.
    path: dir_s1d1,
    access: LANDLOCK_ACCESS_FS_EXECUTE,
}];

const LAYER_DIR_S2D1_EXECUTE: [Rule<'static>; 1] = [Rule {
    // Does not match a parent directory.
    path: dir_s2d1,
    access: LANDLOCK_ACCESS_FS_EXECUTE,
}];

// Tests precedence over renames: denied by default for different parent directories, *with* a
// rule matching a parent directory, but not directly denying access (with MAKE_REG nor
// REMOVE).
test_f!(layout1, refer_denied_by_default1, |_, _| {
    refer_denied_by_default(&LAYER_DIR_S1D1_REFER, Ok(()), &LAYER_DIR_S1D1_EXECUTE);
});

// Same test but this time turning around the ABI version order: the first layer does not handle
// LANDLOCK_ACCESS_FS_REFER.
test_f!(layout1, refer_denied_by_default2, |_, _| {
    refer_denied_by_default(
        &LAYER_DIR_S1D1_EXECUTE,
        Err(Errno::EXDEV),
        &LAYER_DIR_S1D1_REFER,
    );
});

// Tests precedence over renames: denied by default for different parent directories, *without*
// a rule matching a parent directory, but not directly denying access (with MAKE_REG nor
// REMOVE).
test_f!(layout1, refer_denied_by_default3, |_, _| {
    refer_denied_by_default(&LAYER_DIR_S1D1_REFER, Ok(()), &LAYER_DIR_S2D1_EXECUTE);
});

// Same test but this time turning around the ABI version order: the first layer does not handle
// LANDLOCK_ACCESS_FS_REFER.
test_f!(layout1, refer_denied_by_default4, |_, _| {
    refer_denied_by_default(
        &LAYER_DIR_S2D1_EXECUTE,
        Err(Errno::EXDEV),
        &LAYER_DIR_S1D1_REFER,
    );
});

// Tests walking through a denied root mount.
test_f!(layout1, refer_mount_root_deny, |_, _| {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_MAKE_DIR);

    // Creates a mount object from a non-mount point.
    set_cap(Cap::SysAdmin);
    let root_fd = open_tree(
        AT_FDCWD,
        dir_s1d1,
        AT_EMPTY_PATH as u32 | libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC,
    );
    clear_cap(Cap::SysAdmin);
    let root_fd = assert_ok!(root_fd);

    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

    enforce_ruleset(&ruleset_fd);
    expect_eq!(Ok(()), close(ruleset_fd));

    // Link denied by Landlock: EACCES.
    expect_eq!(
        Err(Errno::EACCES),
        linkat(&root_fd, ".", &root_fd, "does_not_exist", 0)
    );

    // renameat2() always returns EBUSY.
    expect_eq!(
        Err(Errno::EBUSY),
        test_renameat(&root_fd, ".", &root_fd, "does_not_exist")
    );

    expect_eq!(Ok(()), close(root_fd));
});

test_f!(layout1, refer_part_mount_tree_is_allowed, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let layer1 = [
        Rule {
            // Parent mount point.
            path: dir_s3d1,
            access: LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_MAKE_REG,
        },
        Rule {
            // Removing the source file is allowed because its access rights are already a
            // superset of the destination.
            path: dir_s3d4,
            access: LANDLOCK_ACCESS_FS_REFER
                | LANDLOCK_ACCESS_FS_MAKE_REG
                | LANDLOCK_ACCESS_FS_REMOVE_FILE,
        },
    ];

    assert_eq!(Ok(()), unlink(file1_s3d3));
    enforce_fs(
        LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE,
        &layer1,
    );

    assert_eq!(Ok(()), test_rename(file1_s3d4, file1_s3d3));
});

/// The rules of reparent_link and reparent_rename.
const REPARENT_LAYER1: [Rule<'static>; 4] = [
    Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_MAKE_REG,
    },
    Rule {
        path: dir_s1d3,
        access: LANDLOCK_ACCESS_FS_REFER,
    },
    Rule {
        path: dir_s2d2,
        access: LANDLOCK_ACCESS_FS_REFER,
    },
    Rule {
        path: dir_s2d3,
        access: LANDLOCK_ACCESS_FS_MAKE_REG,
    },
];

test_f!(layout1, reparent_link, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    enforce_fs(
        LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER,
        &REPARENT_LAYER1,
    );

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));

    // Denies linking because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), link(file2_s1d1, file1_s1d1));
    // Denies linking because of missing source and destination REFER.
    assert_eq!(Err(Errno::EXDEV), link(file1_s2d1, file1_s1d2));
    // Denies linking because of missing source REFER.
    assert_eq!(Err(Errno::EXDEV), link(file1_s2d1, file1_s1d3));

    // Denies linking because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), link(file1_s2d2, file1_s1d1));
    // Denies linking because of missing destination REFER.
    assert_eq!(Err(Errno::EXDEV), link(file1_s2d2, file1_s1d2));

    // Allows linking because of REFER and MAKE_REG.
    assert_eq!(Ok(()), link(file1_s2d2, file1_s1d3));
    assert_eq!(Ok(()), unlink(file1_s2d2));
    // Reverse linking denied because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), link(file1_s1d3, file1_s2d2));
    assert_eq!(Ok(()), unlink(file1_s2d3));
    // Checks reverse linking.
    assert_eq!(Ok(()), link(file1_s1d3, file1_s2d3));
    assert_eq!(Ok(()), unlink(file1_s1d3));

    // This is OK for a file link, but it should not be allowed for a directory rename (because
    // of the superset of access rights.
    assert_eq!(Ok(()), link(file1_s2d3, file1_s1d3));
    assert_eq!(Ok(()), unlink(file1_s1d3));

    assert_eq!(Err(Errno::EXDEV), link(file2_s1d2, file1_s1d3));
    assert_eq!(Err(Errno::EXDEV), link(file2_s1d3, file1_s1d2));

    assert_eq!(Ok(()), link(file2_s1d2, file1_s1d2));
    assert_eq!(Ok(()), link(file2_s1d3, file1_s1d3));
});

test_f!(layout1, reparent_rename, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    // Same rules as for reparent_link.
    enforce_fs(
        LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER,
        &REPARENT_LAYER1,
    );

    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));

    // Denies renaming because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), test_exchange(file2_s1d1, file1_s1d1));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s1d1, file2_s1d1));
    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Err(Errno::EACCES), test_rename(file2_s1d1, file1_s1d1));
    // Even denies same file exchange.
    assert_eq!(Err(Errno::EACCES), test_exchange(file2_s1d1, file2_s1d1));

    // Denies renaming because of missing source and destination REFER.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d1, file1_s1d2));
    // Denies renaming because of missing MAKE_REG, source and destination REFER.
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d1, file2_s1d1));
    assert_eq!(Err(Errno::EACCES), test_exchange(file2_s1d1, file1_s2d1));

    // Denies renaming because of missing source REFER.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d1, file1_s1d3));
    // Denies renaming because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d1, file2_s1d3));

    // Denies renaming because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s2d2, file1_s1d1));
    // Denies renaming because of missing destination REFER
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d2, file1_s1d2));

    // Denies exchange because of one missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d2, file2_s1d3));
    // Allows renaming because of REFER and MAKE_REG.
    assert_eq!(Ok(()), test_rename(file1_s2d2, file1_s1d3));

    // Reverse renaming denied because of missing MAKE_REG.
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d3, file1_s2d2));
    assert_eq!(Ok(()), unlink(file1_s2d3));
    assert_eq!(Ok(()), test_rename(file1_s1d3, file1_s2d3));

    // Tests reverse renaming.
    assert_eq!(Ok(()), test_rename(file1_s2d3, file1_s1d3));
    assert_eq!(Ok(()), test_exchange(file2_s2d3, file1_s1d3));
    assert_eq!(Ok(()), test_rename(file1_s1d3, file1_s2d3));

    // This is OK for a file rename, but it should not be allowed for a directory rename
    // (because of the superset of access rights).
    assert_eq!(Ok(()), test_rename(file1_s2d3, file1_s1d3));
    assert_eq!(Ok(()), test_rename(file1_s1d3, file1_s2d3));

    // Tests superset restrictions applied to directories. Not only the dir_s2d3's parent
    // (dir_s2d2) should be taken into account but also access rights tied to dir_s2d3.
    // dir_s2d2 is missing one access right compared to dir_s1d3/file1_s1d3 (MAKE_REG) but it
    // is provided directly by the moved dir_s2d3.
    assert_eq!(Ok(()), test_rename(dir_s2d3, file1_s1d3));
    assert_eq!(Ok(()), test_rename(file1_s1d3, dir_s2d3));
    // The first rename is allowed but not the exchange because dir_s1d3's parent (dir_s1d2)
    // doesn't have REFER.
    assert_eq!(Err(Errno::EXDEV), test_exchange(file1_s2d3, dir_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_exchange(dir_s1d3, file1_s2d3));
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d3, dir_s1d3));

    assert_eq!(Err(Errno::EXDEV), test_rename(file2_s1d2, file1_s1d3));
    assert_eq!(Err(Errno::EXDEV), test_rename(file2_s1d3, file1_s1d2));

    // Renaming in the same directory is always allowed.
    assert_eq!(Ok(()), test_rename(file2_s1d2, file1_s1d2));
    assert_eq!(Ok(()), test_rename(file2_s1d3, file1_s1d3));

    assert_eq!(Ok(()), unlink(file1_s1d2));
    // Denies because of missing source MAKE_REG and destination REFER.
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s2d3, file1_s1d2));

    assert_eq!(Ok(()), unlink(file1_s1d3));
    // Denies because of missing source MAKE_REG and REFER.
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s2d2, file1_s1d3));
});

fn reparent_exdev_layers_enforce1() {
    let layer1 = [
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_REFER,
        },
        Rule {
            // Interesting for the layer2 tests.
            path: dir_s1d3,
            access: LANDLOCK_ACCESS_FS_MAKE_REG,
        },
        Rule {
            path: dir_s2d2,
            access: LANDLOCK_ACCESS_FS_REFER,
        },
        Rule {
            path: dir_s2d3,
            access: LANDLOCK_ACCESS_FS_MAKE_REG,
        },
    ];
    enforce_fs(
        LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER,
        &layer1,
    );
}

fn reparent_exdev_layers_enforce2() {
    let layer2 = [Rule {
        path: dir_s2d3,
        access: LANDLOCK_ACCESS_FS_MAKE_DIR,
    }];
    // Same checks as before but with a second layer and a new MAKE_DIR rule (and no explicit
    // handling of REFER).
    enforce_fs(LANDLOCK_ACCESS_FS_MAKE_DIR, &layer2);
}

test_f!(layout1, reparent_exdev_layers_rename1, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    assert_eq!(Ok(()), unlink(file1_s2d2));
    assert_eq!(Ok(()), unlink(file1_s2d3));

    reparent_exdev_layers_enforce1();

    // Moving the dir_s1d3 directory below dir_s2d2 is allowed by Landlock because it doesn't
    // inherit new access rights.
    assert_eq!(Ok(()), test_rename(dir_s1d3, file1_s2d2));
    assert_eq!(Ok(()), test_rename(file1_s2d2, dir_s1d3));

    // Moving the dir_s1d3 directory below dir_s2d3 is allowed, even if it gets a new inherited
    // access rights (MAKE_REG), because MAKE_REG is already allowed for dir_s1d3.
    assert_eq!(Ok(()), test_rename(dir_s1d3, file1_s2d3));
    assert_eq!(Ok(()), test_rename(file1_s2d3, dir_s1d3));

    // However, moving the file1_s1d3 file below dir_s2d3 is allowed because it cannot inherit
    // MAKE_REG right (which is dedicated to directories).
    assert_eq!(Ok(()), test_rename(file1_s1d3, file1_s2d3));

    reparent_exdev_layers_enforce2();

    // Moving the dir_s1d3 directory below dir_s2d2 is now denied because MAKE_DIR is not tied
    // to dir_s2d2.
    assert_eq!(Err(Errno::EACCES), test_rename(dir_s1d3, file1_s2d2));

    // Moving the dir_s1d3 directory below dir_s2d3 is forbidden because it would grants
    // MAKE_REG and MAKE_DIR rights to it.
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d3, file1_s2d3));

    // Moving the file2_s1d3 file below dir_s2d3 is denied because the second layer does not
    // handle REFER, which is always denied by default.
    assert_eq!(Err(Errno::EXDEV), test_rename(file2_s1d3, file1_s2d3));
});

test_f!(layout1, reparent_exdev_layers_rename2, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    reparent_exdev_layers_enforce1();

    // Checks EACCES predominance over EXDEV.
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d1, file1_s2d2));
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d2, file1_s2d2));
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s1d1, file1_s2d3));
    // Modify layout!
    assert_eq!(Ok(()), test_rename(file1_s1d2, file1_s2d3));

    // Without REFER source.
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d1, file1_s2d2));
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d2, file1_s2d2));

    reparent_exdev_layers_enforce2();

    // Checks EACCES predominance over EXDEV.
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d1, file1_s2d2));
    // Checks with actual file2_s1d2.
    assert_eq!(Err(Errno::EACCES), test_rename(file2_s1d2, file1_s2d2));
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s1d1, file1_s2d3));
    // Modifying the layout is now denied because the second layer does not handle REFER, which
    // is always denied by default.
    assert_eq!(Err(Errno::EXDEV), test_rename(file2_s1d2, file1_s2d3));

    // Without REFER source, EACCES wins over EXDEV.
    assert_eq!(Err(Errno::EACCES), test_rename(dir_s1d1, file1_s2d2));
    assert_eq!(Err(Errno::EACCES), test_rename(dir_s1d2, file1_s2d2));
});

test_f!(layout1, reparent_exdev_layers_exchange1, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let dir_file1_s1d2 = file1_s1d2;
    let dir_file2_s2d3 = file2_s2d3;

    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), mkdir(file1_s1d2, 0o700));
    assert_eq!(Ok(()), unlink(file2_s2d3));
    assert_eq!(Ok(()), mkdir(file2_s2d3, 0o700));

    reparent_exdev_layers_enforce1();

    // Error predominance with file exchange: returns EXDEV and EACCES.
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s1d1, file1_s2d3));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d3, file1_s1d1));

    // Checks with directories which creation could be allowed, but denied because of access
    // rights that would be inherited.
    assert_eq!(
        Err(Errno::EXDEV),
        test_exchange(dir_file1_s1d2, dir_file2_s2d3)
    );
    assert_eq!(
        Err(Errno::EXDEV),
        test_exchange(dir_file2_s2d3, dir_file1_s1d2)
    );

    // Checks with same access rights.
    assert_eq!(Ok(()), test_exchange(dir_s1d3, dir_s2d3));
    assert_eq!(Ok(()), test_exchange(dir_s2d3, dir_s1d3));

    // Checks with different (child-only) access rights.
    assert_eq!(Ok(()), test_exchange(dir_s2d3, dir_file1_s1d2));
    assert_eq!(Ok(()), test_exchange(dir_file1_s1d2, dir_s2d3));

    // Checks that exchange between file and directory are consistent.
    //
    // Moving a file (file1_s2d2) to a directory which only grants more directory-related access
    // rights is allowed, and at the same time moving a directory (dir_file2_s2d3) to another
    // directory which grants less access rights is allowed too.
    //
    // See layout1.reparent_exdev_layers_exchange3 for inverted arguments.
    assert_eq!(Ok(()), test_exchange(file1_s2d2, dir_file2_s2d3));
    // However, moving back the directory is denied because it would get more access rights
    // than the current state and because file creation is forbidden (in dir_s2d2).
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(dir_file2_s2d3, file1_s2d2)
    );
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(file1_s2d2, dir_file2_s2d3)
    );

    reparent_exdev_layers_enforce2();

    // Error predominance with file exchange: returns EXDEV and EACCES.
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s1d1, file1_s2d3));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d3, file1_s1d1));

    // Checks with directories which creation is now denied.
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(dir_file1_s1d2, dir_file2_s2d3)
    );
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(dir_file2_s2d3, dir_file1_s1d2)
    );

    // Checks with different (child-only) access rights.
    // Denied because of MAKE_DIR.
    assert_eq!(Err(Errno::EACCES), test_exchange(dir_s1d3, dir_s2d3));
    assert_eq!(Err(Errno::EACCES), test_exchange(dir_s2d3, dir_s1d3));

    // Checks with different (child-only) access rights.
    // Denied because of MAKE_DIR.
    assert_eq!(Err(Errno::EACCES), test_exchange(dir_s2d3, dir_file1_s1d2));
    assert_eq!(Err(Errno::EACCES), test_exchange(dir_file1_s1d2, dir_s2d3));

    // See layout1.reparent_exdev_layers_exchange2 for complement.
});

test_f!(layout1, reparent_exdev_layers_exchange2, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let dir_file2_s2d3 = file2_s2d3;

    assert_eq!(Ok(()), unlink(file2_s2d3));
    assert_eq!(Ok(()), mkdir(file2_s2d3, 0o700));

    reparent_exdev_layers_enforce1();
    reparent_exdev_layers_enforce2();

    // Checks that exchange between file and directory are consistent.
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(file1_s2d2, dir_file2_s2d3)
    );
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(dir_file2_s2d3, file1_s2d2)
    );
});

test_f!(layout1, reparent_exdev_layers_exchange3, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let dir_file2_s2d3 = file2_s2d3;

    assert_eq!(Ok(()), unlink(file2_s2d3));
    assert_eq!(Ok(()), mkdir(file2_s2d3, 0o700));

    reparent_exdev_layers_enforce1();

    // Checks that exchange between file and directory are consistent, including with inverted
    // arguments (see layout1.reparent_exdev_layers_exchange1).
    assert_eq!(Ok(()), test_exchange(dir_file2_s2d3, file1_s2d2));
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(file1_s2d2, dir_file2_s2d3)
    );
    assert_eq!(
        Err(Errno::EACCES),
        test_exchange(dir_file2_s2d3, file1_s2d2)
    );
});

test_f!(layout1, reparent_remove, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let layer1 = [
        Rule {
            path: dir_s1d1,
            access: LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_REMOVE_DIR,
        },
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_REMOVE_FILE,
        },
        Rule {
            path: dir_s2d1,
            access: LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_REMOVE_FILE,
        },
    ];
    enforce_fs(
        LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE,
        &layer1,
    );

    // Access denied because of wrong/swapped remove file/dir.
    assert_eq!(Err(Errno::EACCES), test_rename(file1_s1d1, dir_s2d2));
    assert_eq!(Err(Errno::EACCES), test_rename(dir_s2d2, file1_s1d1));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s1d1, dir_s2d2));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s1d1, dir_s2d3));

    // Access allowed thanks to the matching rights.
    assert_eq!(Err(Errno::EISDIR), test_rename(file1_s2d1, dir_s1d2));
    assert_eq!(Err(Errno::ENOTDIR), test_rename(dir_s1d2, file1_s2d1));
    assert_eq!(Err(Errno::ENOTDIR), test_rename(dir_s1d3, file1_s2d1));
    assert_eq!(Ok(()), unlink(file1_s2d1));
    assert_eq!(Ok(()), unlink(file1_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));
    assert_eq!(Ok(()), test_rename(dir_s1d3, file1_s2d1));

    // Effectively removes a file and a directory by exchanging them.
    assert_eq!(Ok(()), mkdir(dir_s1d3, 0o700));
    assert_eq!(Ok(()), test_exchange(file1_s2d2, dir_s1d3));
    assert_eq!(Err(Errno::EACCES), test_exchange(file1_s2d2, dir_s1d3));
});

test_f!(layout1, reparent_dom_superset, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let layer1 = [
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_REFER,
        },
        Rule {
            path: file1_s1d2,
            access: LANDLOCK_ACCESS_FS_EXECUTE,
        },
        Rule {
            path: dir_s1d3,
            access: LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_EXECUTE,
        },
        Rule {
            path: dir_s2d2,
            access: LANDLOCK_ACCESS_FS_REFER
                | LANDLOCK_ACCESS_FS_EXECUTE
                | LANDLOCK_ACCESS_FS_MAKE_SOCK,
        },
        Rule {
            path: dir_s2d3,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_MAKE_FIFO,
        },
    ];
    enforce_fs(
        LANDLOCK_ACCESS_FS_REFER
            | LANDLOCK_ACCESS_FS_EXECUTE
            | LANDLOCK_ACCESS_FS_MAKE_SOCK
            | LANDLOCK_ACCESS_FS_READ_FILE
            | LANDLOCK_ACCESS_FS_MAKE_FIFO,
        &layer1,
    );

    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s1d2, file1_s2d1));
    // Moving file1_s1d2 beneath dir_s2d3 would grant it the READ_FILE access right.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s1d2, file1_s2d3));
    // Moving file1_s1d2 should be allowed even if dir_s2d2 grants a superset of access rights
    // compared to dir_s1d2, because file1_s1d2 already has these access rights anyway.
    assert_eq!(Ok(()), test_rename(file1_s1d2, file1_s2d2));
    assert_eq!(Ok(()), test_rename(file1_s2d2, file1_s1d2));

    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d3, file1_s2d1));
    // Moving dir_s1d3 beneath dir_s2d3 would grant it the MAKE_FIFO access right.
    assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d3, file1_s2d3));
    // Moving dir_s1d3 should be allowed even if dir_s2d2 grants a superset of access rights
    // compared to dir_s1d2, because dir_s1d3 already has these access rights anyway.
    assert_eq!(Ok(()), test_rename(dir_s1d3, file1_s2d2));
    assert_eq!(Ok(()), test_rename(file1_s2d2, dir_s1d3));

    // Moving file1_s2d3 beneath dir_s1d2 is allowed, but moving it back will be denied because
    // the new inherited access rights from dir_s1d2 will be less than the destination
    // (original) dir_s2d3. This is a sinkhole scenario where we cannot move back files or
    // directories.
    assert_eq!(Ok(()), test_rename(file1_s2d3, file2_s1d2));
    assert_eq!(Err(Errno::EXDEV), test_rename(file2_s1d2, file1_s2d3));
    assert_eq!(Ok(()), unlink(file2_s1d2));
    assert_eq!(Ok(()), unlink(file2_s2d3));
    // Checks similar directory one-way move: dir_s2d3 loses EXECUTE and MAKE_SOCK which were
    // inherited from dir_s1d3.
    assert_eq!(Ok(()), test_rename(dir_s2d3, file2_s1d2));
    assert_eq!(Err(Errno::EXDEV), test_rename(file2_s1d2, dir_s2d3));
});

test_f!(layout1, remove_dir, |_, _| {
    let rules = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_REMOVE_DIR,
    }];
    let ruleset_fd = create_ruleset_with(rules[0].access, &rules);

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    assert_eq!(Ok(()), rmdir(dir_s1d3));
    assert_eq!(Ok(()), mkdir(dir_s1d3, 0o700));
    assert_eq!(Ok(()), unlinkat(AT_FDCWD, dir_s1d3, AT_REMOVEDIR));

    // dir_s1d2 itself cannot be removed.
    assert_eq!(Err(Errno::EACCES), rmdir(dir_s1d2));
    assert_eq!(
        Err(Errno::EACCES),
        unlinkat(AT_FDCWD, dir_s1d2, AT_REMOVEDIR)
    );
    assert_eq!(Err(Errno::EACCES), rmdir(dir_s1d1));
    assert_eq!(
        Err(Errno::EACCES),
        unlinkat(AT_FDCWD, dir_s1d1, AT_REMOVEDIR)
    );
});

test_f!(layout1, remove_file, |_, _| {
    let rules = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_REMOVE_FILE,
    }];
    enforce_fs(rules[0].access, &rules);

    assert_eq!(Err(Errno::EACCES), unlink(file1_s1d1));
    assert_eq!(Err(Errno::EACCES), unlinkat(AT_FDCWD, file1_s1d1, 0));
    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlinkat(AT_FDCWD, file1_s1d3, 0));
});

fn test_make_file(access: u64, mode: mode_t, dev: libc::dev_t) {
    let rules = [Rule {
        path: dir_s1d2,
        access,
    }];
    let ruleset_fd = create_ruleset_with(access, &rules);

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file2_s1d1));
    assert_eq!(
        Ok(()),
        mknod(file2_s1d1, mode | 0o400, dev),
        "Failed to make file \"{file2_s1d1}\""
    );

    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file2_s1d2));

    assert_eq!(Ok(()), unlink(file1_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    assert_eq!(Err(Errno::EACCES), mknod(file1_s1d1, mode | 0o400, dev));
    assert_eq!(Err(Errno::EACCES), link(file2_s1d1, file1_s1d1));
    assert_eq!(Err(Errno::EACCES), test_rename(file2_s1d1, file1_s1d1));

    assert_eq!(
        Ok(()),
        mknod(file1_s1d2, mode | 0o400, dev),
        "Failed to make file \"{file1_s1d2}\""
    );
    assert_eq!(Ok(()), link(file1_s1d2, file2_s1d2));
    assert_eq!(Ok(()), unlink(file2_s1d2));
    assert_eq!(Ok(()), test_rename(file1_s1d2, file2_s1d2));

    assert_eq!(Ok(()), mknod(file1_s1d3, mode | 0o400, dev));
    assert_eq!(Ok(()), link(file1_s1d3, file2_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));
    assert_eq!(Ok(()), test_rename(file1_s1d3, file2_s1d3));
}

test_f!(layout1, make_char, |_, _| {
    require_initial_namespace("creating a device node (CAP_MKNOD)");
    // Creates a /dev/null device.
    set_cap(Cap::Mknod);
    test_make_file(LANDLOCK_ACCESS_FS_MAKE_CHAR, S_IFCHR, libc::makedev(1, 3));
});

test_f!(layout1, make_block, |_, _| {
    require_initial_namespace("creating a device node (CAP_MKNOD)");
    // Creates a /dev/loop0 device.
    set_cap(Cap::Mknod);
    test_make_file(LANDLOCK_ACCESS_FS_MAKE_BLOCK, S_IFBLK, libc::makedev(7, 0));
});

test_f!(layout1, make_reg_1, |_, _| {
    test_make_file(LANDLOCK_ACCESS_FS_MAKE_REG, S_IFREG, 0);
});

test_f!(layout1, make_reg_2, |_, _| {
    test_make_file(LANDLOCK_ACCESS_FS_MAKE_REG, 0, 0);
});

test_f!(layout1, make_sock, |_, _| {
    test_make_file(LANDLOCK_ACCESS_FS_MAKE_SOCK, S_IFSOCK, 0);
});

test_f!(layout1, make_fifo, |_, _| {
    test_make_file(LANDLOCK_ACCESS_FS_MAKE_FIFO, S_IFIFO, 0);
});

test_f!(layout1, make_sym, |_, _| {
    let rules = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_MAKE_SYM,
    }];
    let ruleset_fd = create_ruleset_with(rules[0].access, &rules);

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file2_s1d1));
    assert_eq!(Ok(()), symlink("none", file2_s1d1));

    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file2_s1d2));

    assert_eq!(Ok(()), unlink(file1_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    assert_eq!(Err(Errno::EACCES), symlink("none", file1_s1d1));
    assert_eq!(Err(Errno::EACCES), link(file2_s1d1, file1_s1d1));
    assert_eq!(Err(Errno::EACCES), test_rename(file2_s1d1, file1_s1d1));

    assert_eq!(Ok(()), symlink("none", file1_s1d2));
    assert_eq!(Ok(()), link(file1_s1d2, file2_s1d2));
    assert_eq!(Ok(()), unlink(file2_s1d2));
    assert_eq!(Ok(()), test_rename(file1_s1d2, file2_s1d2));

    assert_eq!(Ok(()), symlink("none", file1_s1d3));
    assert_eq!(Ok(()), link(file1_s1d3, file2_s1d3));
    assert_eq!(Ok(()), unlink(file2_s1d3));
    assert_eq!(Ok(()), test_rename(file1_s1d3, file2_s1d3));
});

test_f!(layout1, make_dir, |_, _| {
    let rules = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_MAKE_DIR,
    }];
    let ruleset_fd = create_ruleset_with(rules[0].access, &rules);

    assert_eq!(Ok(()), unlink(file1_s1d1));
    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file1_s1d3));

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Uses file_* as directory names.
    assert_eq!(Err(Errno::EACCES), mkdir(file1_s1d1, 0o700));
    assert_eq!(Ok(()), mkdir(file1_s1d2, 0o700));
    assert_eq!(Ok(()), mkdir(file1_s1d3, 0o700));
});

test_f!(layout1, proc_unlinked_file, |_, _| {
    let rules = [Rule {
        path: file1_s1d2,
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];
    enforce_fs(
        LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        &rules,
    );

    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_RDWR));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    let reg_fd = assert_ok!(open(file1_s1d2, O_RDONLY | O_CLOEXEC));
    assert_eq!(Ok(()), unlink(file1_s1d2));

    let proc_fd = assert_ok!(open_proc_fd(&reg_fd, O_RDONLY | O_CLOEXEC));
    assert_eq!(Ok(()), close(proc_fd));

    let proc_fd = open_proc_fd(&reg_fd, O_RDWR | O_CLOEXEC);
    assert_eq!(
        Err(Errno::EACCES),
        proc_fd.map(drop),
        "Successfully opened /proc/self/fd/{}",
        reg_fd.as_raw_fd()
    );

    assert_eq!(Ok(()), close(reg_fd));
});

test_f!(layout1, proc_pipe, |_, _| {
    let mut buf = [0u8];
    let rules = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
    }];
    // Limits read and write access to files tied to the filesystem.
    enforce_fs(rules[0].access, &rules);

    // Checks enforcement for normal files.
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDWR));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDWR));

    // Checks access to pipes through FD.
    let (pipe_read, pipe_write) = assert_ok!(pipe());
    assert_eq!(Ok(1), write(&pipe_write, b"."), "Failed to write in pipe");
    assert_eq!(Ok(1), read(&pipe_read, &mut buf));
    assert_eq!(b'.', buf[0]);

    // Checks write access to pipe through /proc/self/fd .
    let proc_fd = assert_ok!(open_proc_fd(&pipe_write, O_WRONLY | O_CLOEXEC));
    assert_eq!(
        Ok(1),
        write(&proc_fd, b"."),
        "Failed to write through /proc/self/fd/{}",
        pipe_write.as_raw_fd()
    );
    assert_eq!(Ok(()), close(proc_fd));

    // Checks read access to pipe through /proc/self/fd .
    let proc_fd = assert_ok!(open_proc_fd(&pipe_read, O_RDONLY | O_CLOEXEC));
    buf[0] = 0;
    assert_eq!(
        Ok(1),
        read(&proc_fd, &mut buf),
        "Failed to read through /proc/self/fd/{}",
        pipe_write.as_raw_fd()
    );
    assert_eq!(Ok(()), close(proc_fd));

    assert_eq!(Ok(()), close(pipe_read));
    assert_eq!(Ok(()), close(pipe_write));
});

// Exercises file truncation when it's not restricted, as it was the case before
// LANDLOCK_ACCESS_FS_TRUNCATE existed.
test_f!(layout1, truncate_unhandled, |_, _| {
    let file_r = file1_s1d1;
    let file_w = file2_s1d1;
    let file_none = file1_s1d2;
    let rules = [
        Rule {
            path: file_r,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: file_w,
            access: LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
        // Implicitly: No rights for file_none.
    ];
    let handled = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE;

    // Enables Landlock.
    enforce_fs(handled, &rules);

    // Checks read right: truncate and open with O_TRUNC work, unless the file is attempted to
    // be opened for writing.
    expect_eq!(Ok(()), test_truncate(file_r));
    expect_eq!(Ok(()), test_open(file_r, O_RDONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_open(file_r, O_WRONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_creat(file_r));

    // Checks write right: truncate and open with O_TRUNC work, unless the file is attempted to
    // be opened for reading.
    expect_eq!(Ok(()), test_truncate(file_w));
    expect_eq!(Err(Errno::EACCES), test_open(file_w, O_RDONLY | O_TRUNC));
    expect_eq!(Ok(()), test_open(file_w, O_WRONLY | O_TRUNC));
    expect_eq!(Ok(()), test_creat(file_w));

    // Checks "no rights" case: truncate works but all open attempts fail, including creat.
    expect_eq!(Ok(()), test_truncate(file_none));
    expect_eq!(Err(Errno::EACCES), test_open(file_none, O_RDONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_open(file_none, O_WRONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_creat(file_none));
});

test_f!(layout1, truncate, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_TRUNCATE);
    let file_rwt = file1_s1d1;
    let file_rw = file2_s1d1;
    let file_rt = file1_s1d2;
    let file_t = file2_s1d2;
    let file_none = file1_s1d3;
    let dir_t = dir_s2d1;
    let file_in_dir_t = file1_s2d1;
    let dir_w = dir_s3d1;
    let file_in_dir_w = file1_s3d1;
    let rules = [
        Rule {
            path: file_rwt,
            access: LANDLOCK_ACCESS_FS_READ_FILE
                | LANDLOCK_ACCESS_FS_WRITE_FILE
                | LANDLOCK_ACCESS_FS_TRUNCATE,
        },
        Rule {
            path: file_rw,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
        Rule {
            path: file_rt,
            access: LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE,
        },
        Rule {
            path: file_t,
            access: LANDLOCK_ACCESS_FS_TRUNCATE,
        },
        // Implicitly: No access rights for file_none.
        Rule {
            path: dir_t,
            access: LANDLOCK_ACCESS_FS_TRUNCATE,
        },
        Rule {
            path: dir_w,
            access: LANDLOCK_ACCESS_FS_WRITE_FILE,
        },
    ];
    let handled =
        LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;

    // Enables Landlock.
    enforce_fs(handled, &rules);

    // Checks read, write and truncate rights: truncation works.
    expect_eq!(Ok(()), test_truncate(file_rwt));
    expect_eq!(Ok(()), test_open(file_rwt, O_RDONLY | O_TRUNC));
    expect_eq!(Ok(()), test_open(file_rwt, O_WRONLY | O_TRUNC));

    // Checks read and write rights: no truncate variant works.
    expect_eq!(Err(Errno::EACCES), test_truncate(file_rw));
    expect_eq!(Err(Errno::EACCES), test_open(file_rw, O_RDONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_open(file_rw, O_WRONLY | O_TRUNC));

    // Checks read and truncate rights: truncation works.
    //
    // Note: Files can get truncated using open() even with O_RDONLY.
    expect_eq!(Ok(()), test_truncate(file_rt));
    expect_eq!(Ok(()), test_open(file_rt, O_RDONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_open(file_rt, O_WRONLY | O_TRUNC));

    // Checks truncate right: truncate works, but can't open file.
    expect_eq!(Ok(()), test_truncate(file_t));
    expect_eq!(Err(Errno::EACCES), test_open(file_t, O_RDONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_open(file_t, O_WRONLY | O_TRUNC));

    // Checks "no rights" case: No form of truncation works.
    expect_eq!(Err(Errno::EACCES), test_truncate(file_none));
    expect_eq!(Err(Errno::EACCES), test_open(file_none, O_RDONLY | O_TRUNC));
    expect_eq!(Err(Errno::EACCES), test_open(file_none, O_WRONLY | O_TRUNC));

    // Checks truncate right on directory: truncate works on contained files.
    expect_eq!(Ok(()), test_truncate(file_in_dir_t));
    expect_eq!(
        Err(Errno::EACCES),
        test_open(file_in_dir_t, O_RDONLY | O_TRUNC)
    );
    expect_eq!(
        Err(Errno::EACCES),
        test_open(file_in_dir_t, O_WRONLY | O_TRUNC)
    );

    // Checks creat in dir_w: This requires the truncate right when overwriting an existing
    // file, but does not require it when the file is new.
    expect_eq!(Err(Errno::EACCES), test_creat(file_in_dir_w));

    assert_eq!(Ok(()), unlink(file_in_dir_w));
    expect_eq!(Ok(()), test_creat(file_in_dir_w));
});

test_f!(layout1, ftruncate, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_TRUNCATE);
    // This test opens a new file descriptor at different stages of Landlock restriction:
    //
    // without restriction:                    ftruncate works
    // something else but truncate restricted: ftruncate works
    // truncate restricted and permitted:      ftruncate works
    // truncate restricted and not permitted:  ftruncate fails
    //
    // Whether this works or not is expected to depend on the time when the FD was opened, not
    // to depend on the time when ftruncate() was called.
    let path = file1_s1d1;
    let handled1 = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE;
    let layer1 = [Rule {
        path,
        access: LANDLOCK_ACCESS_FS_WRITE_FILE,
    }];
    let handled2 = LANDLOCK_ACCESS_FS_TRUNCATE;
    let layer2 = [Rule {
        path,
        access: LANDLOCK_ACCESS_FS_TRUNCATE,
    }];
    let handled3 = LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_WRITE_FILE;
    let layer3 = [Rule {
        path,
        access: LANDLOCK_ACCESS_FS_WRITE_FILE,
    }];

    let fd_layer0 = assert_ok!(open(path, O_WRONLY));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer0));

    enforce_fs(handled1, &layer1);

    let fd_layer1 = assert_ok!(open(path, O_WRONLY));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer0));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer1));

    enforce_fs(handled2, &layer2);

    let fd_layer2 = assert_ok!(open(path, O_WRONLY));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer0));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer1));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer2));

    enforce_fs(handled3, &layer3);

    let fd_layer3 = assert_ok!(open(path, O_WRONLY));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer0));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer1));
    expect_eq!(Ok(()), test_ftruncate(&fd_layer2));
    expect_eq!(Err(Errno::EACCES), test_ftruncate(&fd_layer3));

    assert_eq!(Ok(()), close(fd_layer0));
    assert_eq!(Ok(()), close(fd_layer1));
    assert_eq!(Ok(()), close(fd_layer2));
    assert_eq!(Ok(()), close(fd_layer3));
});

fixture! {
    #[derive(Clone, Copy)]
    ftruncate {}
    setup: |variant| {
        require_access_fs(variant.handled);
        prepare_layout();
        create_file(file1_s1d1);
        Self {}
    },
    teardown_parent: |self, _| {
        expect_eq!(Ok(()), remove_path(file1_s1d1));
        cleanup_layout();
    },
}

variant! {
    ftruncate {
        handled: u64,
        allowed: u64,
        expected_open_result: Result<(), Errno>,
        expected_ftruncate_result: Result<(), Errno>,
    }
    w_w {
        handled: LANDLOCK_ACCESS_FS_WRITE_FILE,
        allowed: LANDLOCK_ACCESS_FS_WRITE_FILE,
        expected_open_result: Ok(()),
        expected_ftruncate_result: Ok(()),
    }
    t_t {
        handled: LANDLOCK_ACCESS_FS_TRUNCATE,
        allowed: LANDLOCK_ACCESS_FS_TRUNCATE,
        expected_open_result: Ok(()),
        expected_ftruncate_result: Ok(()),
    }
    wt_w {
        handled: LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE,
        allowed: LANDLOCK_ACCESS_FS_WRITE_FILE,
        expected_open_result: Ok(()),
        expected_ftruncate_result: Err(Errno::EACCES),
    }
    wt_wt {
        handled: LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE,
        allowed: LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE,
        expected_open_result: Ok(()),
        expected_ftruncate_result: Ok(()),
    }
    wt_t {
        handled: LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE,
        allowed: LANDLOCK_ACCESS_FS_TRUNCATE,
        expected_open_result: Err(Errno::EACCES),
        // Not reached: the file cannot be opened.
        expected_ftruncate_result: Ok(()),
    }
}

/// What an `open()` returned, without the fd: C's `(fd < 0 ? errno : 0)`.
fn open_result(fd: &Result<OwnedFd, Errno>) -> Result<(), Errno> {
    fd.as_ref().map(|_| ()).map_err(|&err| err)
}

test_f!(ftruncate, open_and_ftruncate, |_, variant| {
    let path = file1_s1d1;
    let rules = [Rule {
        path,
        access: variant.allowed,
    }];

    // Enables Landlock.
    enforce_fs(variant.handled, &rules);

    let fd = open(path, O_WRONLY);
    expect_eq!(variant.expected_open_result, open_result(&fd));
    if let Ok(fd) = fd {
        expect_eq!(variant.expected_ftruncate_result, test_ftruncate(&fd));
        assert_eq!(Ok(()), close(fd));
    }
});

test_f!(
    ftruncate,
    open_and_ftruncate_in_different_processes,
    |_, variant| {
        let (socket_fd0, socket_fd1) = assert_ok!(unix_socketpair());

        let child = fork_child(|| {
            // Enables Landlock in the child process, open a file descriptor where truncation is
            // forbidden and send it to the non-landlocked parent process.
            let path = file1_s1d1;
            let rules = [Rule {
                path,
                access: variant.allowed,
            }];

            enforce_fs(variant.handled, &rules);

            let fd = open(path, O_WRONLY);
            assert_eq!(variant.expected_open_result, open_result(&fd));

            if let Ok(fd) = fd {
                assert_eq!(Ok(()), send_fd(&socket_fd0, &fd));
                assert_eq!(Ok(()), close(fd));
            }
        });
        // Unlike C, the parent closes its end of the child's socket now: should the child fail
        // before sending, recv_fd() sees the end of the stream instead of waiting for the
        // timeout.
        assert_eq!(Ok(()), close(socket_fd0));

        if variant.expected_open_result.is_ok() {
            let fd = assert_ok!(recv_fd(&socket_fd1));

            expect_eq!(variant.expected_ftruncate_result, test_ftruncate(&fd));
            assert_eq!(Ok(()), close(fd));
        }

        child.join();

        assert_eq!(Ok(()), close(socket_fd1));
    }
);

test!(memfd_ftruncate_and_ioctl, || {
    let attr = RulesetAttr::fs(access_all());

    // We exercise the same test both with and without Landlock enabled, to ensure that it
    // behaves the same in both cases.
    for _ in 0..2 {
        // Creates a new memfd.
        let fd = assert_ok!(memfd_create("name"));

        // Checks that operations associated with the opened file (ftruncate, ioctl) are
        // permitted on file descriptors that are created in ways other than open(2).
        expect_eq!(Ok(()), test_ftruncate(&fd));
        expect_eq!(Ok(()), test_fs_ioc_getflags_ioctl(&fd));

        assert_eq!(Ok(()), close(fd));

        // Enables Landlock.
        let ruleset_fd = assert_ok!(create_ruleset(&attr));
        enforce_ruleset(&ruleset_fd);
        assert_eq!(Ok(()), close(ruleset_fd));
    }
});

test_f!(layout1, o_path_ftruncate_and_ioctl, |_, _| {
    let attr = RulesetAttr::fs(access_all());

    // Checks that for files opened with O_PATH, both ioctl(2) and ftruncate(2) yield EBADF, as
    // it is documented in open(2) for the O_PATH flag.
    let fd = assert_ok!(open(dir_s1d1, O_PATH | O_CLOEXEC));

    expect_eq!(Err(Errno::EBADF), test_ftruncate(&fd));
    expect_eq!(Err(Errno::EBADF), test_fs_ioc_getflags_ioctl(&fd));

    assert_eq!(Ok(()), close(fd));

    // Enables Landlock.
    let ruleset_fd = assert_ok!(create_ruleset(&attr));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Checks that after enabling Landlock,
    // - the file can still be opened with O_PATH
    // - both ioctl and truncate still yield EBADF (not EACCES).
    let fd = assert_ok!(open(dir_s1d1, O_PATH | O_CLOEXEC));

    expect_eq!(Err(Errno::EBADF), test_ftruncate(&fd));
    expect_eq!(Err(Errno::EBADF), test_fs_ioc_getflags_ioctl(&fd));

    assert_eq!(Ok(()), close(fd));
});

/// The ioctl commands of blanket_permitted_ioctls that libc does not define (linux/fs.h,
/// linux/falloc.h), computed as the uapi `_IO*()` macros do with the asm-generic encoding
/// (x86, arm, riscv; checked against the C headers on x86_64).
mod ioctl_cmd {
    use libc::Ioctl;

    const fn ioc(dir: Ioctl, ty: u8, nr: u8, size: usize) -> Ioctl {
        (dir << 30) | ((size as Ioctl) << 16) | ((ty as Ioctl) << 8) | nr as Ioctl
    }
    const NONE: Ioctl = 0;
    const WRITE: Ioctl = 1;
    const READ: Ioctl = 2;

    pub const FIBMAP: Ioctl = ioc(NONE, 0, 1, 0);
    pub const FIGETBSZ: Ioctl = ioc(NONE, 0, 2, 0);
    pub const FIFREEZE: Ioctl = ioc(READ | WRITE, b'X', 119, 4);
    pub const FITHAW: Ioctl = ioc(READ | WRITE, b'X', 120, 4);
    /// `struct fiemap` without its extents: 32 bytes.
    pub const FS_IOC_FIEMAP: Ioctl = ioc(READ | WRITE, b'f', 11, 32);
    /// `struct file_dedupe_range` without its ranges: 24 bytes.
    pub const FIDEDUPERANGE: Ioctl = ioc(READ | WRITE, 0x94, 54, 24);
    /// `struct fsuuid2`: 17 bytes.
    pub const FS_IOC_GETFSUUID: Ioctl = ioc(READ, 0x15, 0, 17);
    /// `struct fs_sysfs_path`: 129 bytes.
    pub const FS_IOC_GETFSSYSFSPATH: Ioctl = ioc(READ, 0x15, 1, 129);
    /// `struct fsxattr`: 28 bytes.
    pub const FS_IOC_FSGETXATTR: Ioctl = ioc(READ, b'X', 31, 28);
    pub const FS_IOC_FSSETXATTR: Ioctl = ioc(WRITE, b'X', 32, 28);
    /// `struct space_resv` of linux/falloc.h: 48 bytes.
    pub const FS_IOC_RESVSP: Ioctl = ioc(WRITE, b'X', 40, 48);
    pub const FS_IOC_UNRESVSP: Ioctl = ioc(WRITE, b'X', 41, 48);
    pub const FS_IOC_RESVSP64: Ioctl = ioc(WRITE, b'X', 42, 48);
    pub const FS_IOC_UNRESVSP64: Ioctl = ioc(WRITE, b'X', 43, 48);
    pub const FS_IOC_ZERO_RANGE: Ioctl = ioc(WRITE, b'X', 57, 48);
}

// Tests a series of blanket-permitted and denied IOCTLs.
test_f!(layout1, blanket_permitted_ioctls, |_, _| {
    use ioctl_cmd::*;

    require_access_fs(LANDLOCK_ACCESS_FS_IOCTL_DEV);
    let attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_IOCTL_DEV);

    // Enables Landlock.
    let ruleset_fd = assert_ok!(create_ruleset(&attr));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    let fd = assert_ok!(open("/dev/null", O_RDWR | O_CLOEXEC));

    // Checks permitted commands. These ones may return errors, but should not be blocked by
    // Landlock.
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIOCLEX));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIONCLEX));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIONBIO));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIOASYNC));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIOQSIZE));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FIFREEZE));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FITHAW));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_FIEMAP));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FIGETBSZ));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FICLONE));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, libc::FICLONERANGE));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FIDEDUPERANGE));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_GETFSUUID));
    expect_ne!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_GETFSSYSFSPATH));

    // Checks blocked commands. A call to a blocked IOCTL command always returns EACCES.
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIONREAD));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, libc::FS_IOC_GETFLAGS));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, libc::FS_IOC_SETFLAGS));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_FSGETXATTR));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_FSSETXATTR));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FIBMAP));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_RESVSP));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_RESVSP64));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_UNRESVSP));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_UNRESVSP64));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, FS_IOC_ZERO_RANGE));

    // Default case is also blocked.
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, 0xc00f_feee));

    assert_eq!(Ok(()), close(fd));
});

// Named pipes are not governed by the LANDLOCK_ACCESS_FS_IOCTL_DEV right, because they are not
// character or block devices.
test_f!(layout1, named_pipe_ioctl, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_IOCTL_DEV);
    let path = file1_s1d1;
    let attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_IOCTL_DEV);

    assert_eq!(Ok(()), unlink(path));
    assert_eq!(Ok(()), mkfifo(path, 0o600));

    // Enables Landlock.
    let ruleset_fd = assert_ok!(create_ruleset(&attr));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // The child process opens the pipe for writing.
    let child = fork_child(|| {
        if let Ok(fd) = open(path, O_WRONLY) {
            let _ = close(fd);
        }
    });

    let fd = assert_ok!(open(path, O_RDONLY));

    // FIONREAD is implemented by pipefifo_fops.
    expect_eq!(Ok(()), test_fionread_ioctl(&fd));

    assert_eq!(Ok(()), close(fd));
    assert_eq!(Ok(()), unlink(path));

    child.join();
});

// For named UNIX domain sockets, no IOCTL restrictions apply.
test_f!(layout1, named_unix_domain_socket_ioctl, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_IOCTL_DEV);
    let path = file1_s1d1;
    let attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_IOCTL_DEV);

    // Sets up a server
    assert_eq!(Ok(()), unlink(path));
    // std's bind(2) listens too (with a larger backlog than C's 10).
    let srv = assert_ok!(UnixListener::bind(path));

    // Enables Landlock.
    let ruleset_fd = assert_ok!(create_ruleset(&attr));
    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Sets up a client connection to it
    let cli = assert_ok!(UnixStream::connect(path));

    // FIONREAD and other IOCTLs should not be forbidden.
    expect_eq!(Ok(()), test_fionread_ioctl(&cli));

    drop(cli);
    drop(srv);
});

fixture! {
    ioctl {}
    setup: |variant| {
        require_access_fs(variant.handled);
        Self {}
    },
}

variant! {
    ioctl {
        handled: u64,
        allowed: u64,
        open_mode: i32,
        // FIONREAD is used as a characteristic device-specific IOCTL command. It is
        // implemented in fs/ioctl.c for regular files, but we do not blanket-permit it for
        // devices.
        expected_fionread_result: Result<(), Errno>,
    }
    handled_i_allowed_none {
        handled: LANDLOCK_ACCESS_FS_IOCTL_DEV,
        allowed: 0,
        open_mode: O_RDWR,
        expected_fionread_result: Err(Errno::EACCES),
    }
    handled_i_allowed_i {
        handled: LANDLOCK_ACCESS_FS_IOCTL_DEV,
        allowed: LANDLOCK_ACCESS_FS_IOCTL_DEV,
        open_mode: O_RDWR,
        expected_fionread_result: Ok(()),
    }
    unhandled {
        handled: LANDLOCK_ACCESS_FS_EXECUTE,
        allowed: LANDLOCK_ACCESS_FS_EXECUTE,
        open_mode: O_RDWR,
        expected_fionread_result: Ok(()),
    }
}

/// The commands that Landlock never restricts, each expected to succeed on `fd`.
fn check_unrestrictable_ioctls(fd: impl AsFd) {
    let mut flag = 0;

    expect_eq!(Ok(()), ioctl_int(&fd, libc::FIOCLEX, &mut flag));
    expect_eq!(Ok(()), ioctl_int(&fd, libc::FIONCLEX, &mut flag));
    expect_eq!(Ok(()), ioctl_int(&fd, libc::FIONBIO, &mut flag));
    expect_eq!(Ok(()), ioctl_int(&fd, libc::FIOASYNC, &mut flag));
    expect_eq!(Ok(()), ioctl_int(&fd, ioctl_cmd::FIGETBSZ, &mut flag));
}

test_f!(ioctl, handle_dir_access_file, |_, variant| {
    let rules = [Rule {
        path: "/dev",
        access: variant.allowed,
    }];

    // Enables Landlock.
    enforce_fs(variant.handled, &rules);

    let file_fd = assert_ok!(open("/dev/zero", variant.open_mode));

    // Checks that IOCTL commands return the expected errors.
    expect_eq!(
        variant.expected_fionread_result,
        test_fionread_ioctl(&file_fd)
    );

    // Checks that unrestrictable commands are unrestricted.
    check_unrestrictable_ioctls(&file_fd);

    assert_eq!(Ok(()), close(file_fd));
});

test_f!(ioctl, handle_dir_access_dir, |_, variant| {
    let rules = [Rule {
        path: "/dev",
        access: variant.allowed,
    }];

    // Enables Landlock.
    enforce_fs(variant.handled, &rules);

    // Ignore variant.open_mode for this test, as we intend to open a directory. If the
    // directory can not be opened, the variant is infeasible to test with an opened directory
    // (C returns, as a pass; here it is a skip, with the reason).
    let dir_fd = match open("/dev", O_RDONLY) {
        Ok(fd) => fd,
        Err(errno) => skip!("this variant cannot open /dev as a directory: {errno}"),
    };

    // Checks that IOCTL commands return the expected errors. We do not use the expected values
    // from the fixture here.
    //
    // When using IOCTL on a directory, no Landlock restrictions apply.
    expect_eq!(Ok(()), test_fionread_ioctl(&dir_fd));

    // Checks that unrestrictable commands are unrestricted.
    check_unrestrictable_ioctls(&dir_fd);

    assert_eq!(Ok(()), close(dir_fd));
});

test_f!(ioctl, handle_file_access_file, |_, variant| {
    let rules = [Rule {
        path: "/dev/zero",
        access: variant.allowed,
    }];

    // Enables Landlock.
    enforce_fs(variant.handled, &rules);

    let file_fd = assert_ok!(
        open("/dev/zero", variant.open_mode),
        "Failed to open /dev/zero"
    );

    // Checks that IOCTL commands return the expected errors.
    expect_eq!(
        variant.expected_fionread_result,
        test_fionread_ioctl(&file_fd)
    );

    // Checks that unrestrictable commands are unrestricted.
    check_unrestrictable_ioctls(&file_fd);

    assert_eq!(Ok(()), close(file_fd));
});

fixture! {
    #[derive(Clone, Copy)]
    layout1_bind {}
    setup: |_| {
        prepare_layout();
        create_layout1();

        set_cap(Cap::SysAdmin);
        assert_eq!(
            Ok(()),
            mount(Some(dir_s1d2), dir_s2d2, None, MsFlags::MS_BIND, None)
        );
        clear_cap(Cap::SysAdmin);
        Self {}
    },
    teardown_parent: |self, _| {
        // umount(dir_s2d2) is handled by namespace lifetime.

        let _ = remove_path(file1_s4d1);
        let _ = remove_path(file2_s4d1);

        remove_layout1();

        cleanup_layout();
    },
}

/// The paths of layout1_bind beyond layout1's (fs_test.c's names).
#[allow(non_upper_case_globals)]
mod layout1_bind_paths {
    pub const bind_dir_s1d3: &str = "tmp/s2d1/s2d2/s1d3";
    pub const bind_file1_s1d3: &str = "tmp/s2d1/s2d2/s1d3/f1";

    // Move targets for disconnected path tests.
    pub const dir_s4d1: &str = "tmp/s4d1";
    pub const file1_s4d1: &str = "tmp/s4d1/f1";
    pub const file2_s4d1: &str = "tmp/s4d1/f2";
    pub const dir_s4d2: &str = "tmp/s4d1/s4d2";
    pub const file1_s4d2: &str = "tmp/s4d1/s4d2/f1";
    pub const file1_name: &str = "f1";
    pub const file2_name: &str = "f2";
}
use layout1_bind_paths::*;

// layout1_bind hierarchy:
//
// tmp
// ├── s1d1
// │   ├── f1
// │   ├── f2
// │   └── s1d2
// │       ├── f1
// │       ├── f2
// │       └── s1d3 [disconnected by path_disconnected]
// │           ├── f1
// │           └── f2
// ├── s2d1
// │   ├── f1
// │   └── s2d2 [bind mount from s1d2]
// │       ├── f1
// │       ├── f2
// │       └── s1d3
// │           ├── f1
// │           └── f2
// ├── s3d1
// │   └── s3d2
// │       └── s3d3
// └── s4d1 [renamed from s1d3 by path_disconnected]
//     ├── f1
//     ├── f2
//     └── s4d2
//         └── f1

test_f!(layout1_bind, no_restriction, |_, _| {
    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));

    assert_eq!(Ok(()), test_open(dir_s2d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s2d1, O_RDONLY));
    assert_eq!(Ok(()), test_open(dir_s2d2, O_RDONLY));
    assert_eq!(Ok(()), test_open(file1_s2d2, O_RDONLY));
    assert_eq!(Err(Errno::ENOENT), test_open(dir_s2d3, O_RDONLY));
    assert_eq!(Err(Errno::ENOENT), test_open(file1_s2d3, O_RDONLY));

    assert_eq!(Ok(()), test_open(bind_dir_s1d3, O_RDONLY));
    assert_eq!(Ok(()), test_open(bind_file1_s1d3, O_RDONLY));

    assert_eq!(Ok(()), test_open(dir_s3d1, O_RDONLY));
});

test_f!(layout1_bind, same_content_same_file, |_, _| {
    // Sets access right on parent directories of both source and destination mount points.
    let layer1_parent = [
        Rule {
            path: dir_s1d1,
            access: ACCESS_RO,
        },
        Rule {
            path: dir_s2d1,
            access: ACCESS_RW,
        },
    ];
    // Sets access rights on the same bind-mounted directories. The result should be ACCESS_RW
    // for both directories, but not both hierarchies because of the first layer.
    let layer2_mount_point = [
        Rule {
            path: dir_s1d2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: dir_s2d2,
            access: ACCESS_RW,
        },
    ];
    // Only allow read-access to the s1d3 hierarchies.
    let layer3_source = [Rule {
        path: dir_s1d3,
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];
    // Removes all access rights.
    let layer4_destination = [Rule {
        path: bind_file1_s1d3,
        access: LANDLOCK_ACCESS_FS_WRITE_FILE,
    }];

    // Sets rules for the parent directories.
    enforce_fs(ACCESS_RW, &layer1_parent);

    // Checks source hierarchy.
    assert_eq!(Ok(()), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(Ok(()), test_open(dir_s1d1, O_RDONLY | O_DIRECTORY));

    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // Checks destination hierarchy.
    assert_eq!(Ok(()), test_open(file1_s2d1, O_RDWR));
    assert_eq!(Ok(()), test_open(dir_s2d1, O_RDONLY | O_DIRECTORY));

    assert_eq!(Ok(()), test_open(file1_s2d2, O_RDWR));
    assert_eq!(Ok(()), test_open(dir_s2d2, O_RDONLY | O_DIRECTORY));

    // Sets rules for the mount points.
    enforce_fs(ACCESS_RW, &layer2_mount_point);

    // Checks source hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d1, O_RDONLY | O_DIRECTORY)
    );

    assert_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(Ok(()), test_open(dir_s1d2, O_RDONLY | O_DIRECTORY));

    // Checks destination hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s2d1, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s2d1, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s2d1, O_RDONLY | O_DIRECTORY)
    );

    assert_eq!(Ok(()), test_open(file1_s2d2, O_RDWR));
    assert_eq!(Ok(()), test_open(dir_s2d2, O_RDONLY | O_DIRECTORY));
    assert_eq!(Ok(()), test_open(bind_dir_s1d3, O_RDONLY | O_DIRECTORY));

    // Sets a (shared) rule only on the source.
    enforce_fs(ACCESS_RW, &layer3_source);

    // Checks source hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d2, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d2, O_RDONLY | O_DIRECTORY)
    );

    assert_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s1d3, O_RDONLY | O_DIRECTORY)
    );

    // Checks destination hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s2d2, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s2d2, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(dir_s2d2, O_RDONLY | O_DIRECTORY)
    );

    assert_eq!(Ok(()), test_open(bind_file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(bind_file1_s1d3, O_WRONLY));
    assert_eq!(
        Err(Errno::EACCES),
        test_open(bind_dir_s1d3, O_RDONLY | O_DIRECTORY)
    );

    // Sets a (shared) rule only on the destination.
    enforce_fs(ACCESS_RW, &layer4_destination);

    // Checks source hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(file1_s1d3, O_WRONLY));

    // Checks destination hierarchy.
    assert_eq!(Err(Errno::EACCES), test_open(bind_file1_s1d3, O_RDONLY));
    assert_eq!(Err(Errno::EACCES), test_open(bind_file1_s1d3, O_WRONLY));
});

test_f!(layout1_bind, reparent_cross_mount, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    let layer1 = [
        Rule {
            // dir_s2d1 is beneath the dir_s2d2 mount point.
            path: dir_s2d1,
            access: LANDLOCK_ACCESS_FS_REFER,
        },
        Rule {
            path: bind_dir_s1d3,
            access: LANDLOCK_ACCESS_FS_EXECUTE,
        },
    ];
    enforce_fs(
        LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_EXECUTE,
        &layer1,
    );

    // Checks basic denied move.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s1d1, file1_s1d2));

    // Checks real cross-mount move (Landlock is not involved).
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d1, file1_s2d2));

    // Checks move that will give more accesses.
    assert_eq!(Err(Errno::EXDEV), test_rename(file1_s2d2, bind_file1_s1d3));

    // Checks legitimate downgrade move.
    assert_eq!(Ok(()), test_rename(bind_file1_s1d3, file1_s2d2));
});

// Make sure access to file through a disconnected path works as expected. This test moves s1d3
// to s4d1.
test_f!(layout1_bind, path_disconnected, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    // Erratum 3 fixed how these cases behave: a check that fails names it.
    let erratum_3 = erratum_note(ERRATUM_DISCONNECTED_DIRECTORIES);
    let layer1_allow_all = [Rule {
        path: TMP_DIR,
        access: access_all(),
    }];
    let layer2_allow_just_f1 = [Rule {
        path: file1_s1d3,
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];
    let layer3_only_s1d2 = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];

    // Landlock should not deny access just because it is disconnected.
    let ruleset_fd_l1 = create_ruleset_with(access_all(), &layer1_allow_all);

    // Creates the new ruleset now before we move the dir containing the file.
    let ruleset_fd_l2 = create_ruleset_with(ACCESS_RW, &layer2_allow_just_f1);
    let ruleset_fd_l3 = create_ruleset_with(ACCESS_RW, &layer3_only_s1d2);

    enforce_ruleset(&ruleset_fd_l1);
    expect_eq!(Ok(()), close(ruleset_fd_l1));

    let bind_s1d3_fd = assert_ok!(open(bind_dir_s1d3, O_PATH | O_CLOEXEC));

    // Tests access is possible before we move.
    expect_eq!(Ok(()), test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY));
    expect_eq!(Ok(()), test_open_rel(&bind_s1d3_fd, file2_name, O_RDONLY));
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, "..", O_RDONLY | O_DIRECTORY)
    );

    // Makes it disconnected.
    assert_eq!(
        Ok(()),
        test_rename(dir_s1d3, dir_s4d1),
        "Failed to rename {dir_s1d3} to {dir_s4d1} ({erratum_3})"
    );

    // Tests that access is still possible.
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
        "{erratum_3}"
    );
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file2_name, O_RDONLY),
        "{erratum_3}"
    );

    // Tests that ".." is not possible (not because of Landlock, but just because it's
    // disconnected).
    expect_eq!(
        Err(Errno::ENOENT),
        test_open_rel(&bind_s1d3_fd, "..", O_RDONLY | O_DIRECTORY),
        "{erratum_3}"
    );

    // This should still work with a narrower rule.
    enforce_ruleset(&ruleset_fd_l2);
    expect_eq!(Ok(()), close(ruleset_fd_l2));

    expect_eq!(Ok(()), test_open(file1_s4d1, O_RDONLY), "{erratum_3}");
    // Accessing a file through a disconnected file descriptor can still be allowed by a rule
    // tied to this file, even if it is no longer visible in its mount point.
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
        "{erratum_3}"
    );
    expect_eq!(
        Err(Errno::EACCES),
        test_open_rel(&bind_s1d3_fd, file2_name, O_RDONLY),
        "{erratum_3}"
    );

    enforce_ruleset(&ruleset_fd_l3);
    expect_eq!(Ok(()), close(ruleset_fd_l3));

    expect_eq!(
        Err(Errno::EACCES),
        test_open(file1_s4d1, O_RDONLY),
        "{erratum_3}"
    );
    // Accessing a file through a disconnected file descriptor can still be allowed by a rule
    // tied to the original mount point, even if it is no longer visible in its mount point.
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
        "{erratum_3}"
    );
    expect_eq!(
        Err(Errno::EACCES),
        test_open_rel(&bind_s1d3_fd, file2_name, O_RDONLY),
        "{erratum_3}"
    );
});

// Test that renameat with disconnected paths works under Landlock. This test moves s1d3 to
// s4d2, so that we can have a rule allowing refers on the move target's immediate parent.
test_f!(layout1_bind, path_disconnected_rename, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    // Erratum 3 fixed how these cases behave: a check that fails names it.
    let erratum_3 = erratum_note(ERRATUM_DISCONNECTED_DIRECTORIES);
    let dirs_access = LANDLOCK_ACCESS_FS_REFER
        | LANDLOCK_ACCESS_FS_MAKE_DIR
        | LANDLOCK_ACCESS_FS_REMOVE_DIR
        | LANDLOCK_ACCESS_FS_MAKE_REG
        | LANDLOCK_ACCESS_FS_REMOVE_FILE
        | LANDLOCK_ACCESS_FS_READ_FILE;
    let layer1 = [
        Rule {
            path: dir_s1d2,
            access: dirs_access,
        },
        Rule {
            path: dir_s4d1,
            access: dirs_access,
        },
    ];

    // This layer only handles LANDLOCK_ACCESS_FS_READ_FILE.
    let layer2_only_s1d2 = [Rule {
        path: dir_s1d2,
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];

    assert_eq!(
        Ok(()),
        mkdir(dir_s4d1, 0o755),
        "Failed to create {dir_s4d1}"
    );
    let ruleset_fd_l1 = create_ruleset_with(access_all(), &layer1);
    let ruleset_fd_l2 = create_ruleset_with(LANDLOCK_ACCESS_FS_READ_FILE, &layer2_only_s1d2);

    enforce_ruleset(&ruleset_fd_l1);
    expect_eq!(Ok(()), close(ruleset_fd_l1));

    let bind_s1d3_fd = assert_ok!(open(bind_dir_s1d3, O_PATH | O_CLOEXEC));
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
        "{erratum_3}"
    );

    // Tests ENOENT priority over EACCES for disconnected directory.
    expect_eq!(
        Err(Errno::EACCES),
        test_open_rel(&bind_s1d3_fd, "..", O_DIRECTORY),
        "{erratum_3}"
    );
    assert_eq!(
        Ok(()),
        test_rename(dir_s1d3, dir_s4d2),
        "Failed to rename {dir_s1d3} to {dir_s4d2} ({erratum_3})"
    );
    expect_eq!(
        Err(Errno::ENOENT),
        test_open_rel(&bind_s1d3_fd, "..", O_DIRECTORY),
        "{erratum_3}"
    );

    // The file is no longer under s1d2 but we should still be able to access it with layer 2
    // because its mount point is evaluated as the first valid directory because it was
    // initially a parent. Do a fork to test this so we don't prevent ourselves from renaming it
    // back later.
    let child = fork_child(|| {
        // Unlike C, the child keeps its copy of ruleset_fd_l2 open (it ends with the child): the
        // closure only borrows the parent's.
        enforce_ruleset(&ruleset_fd_l2);
        expect_eq!(
            Ok(()),
            test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
            "{erratum_3}"
        );
        expect_eq!(
            Err(Errno::EACCES),
            test_open(file1_s4d2, O_RDONLY),
            "{erratum_3}"
        );

        // Tests that access widening checks indeed prevents us from renaming it back.
        expect_eq!(
            Err(Errno::EXDEV),
            test_rename(dir_s4d2, dir_s1d3),
            "{erratum_3}"
        );

        // Including through the now disconnected fd (but it should return EXDEV).
        expect_eq!(
            Err(Errno::EXDEV),
            test_renameat(&bind_s1d3_fd, file1_name, AT_FDCWD, file1_s2d2),
            "{erratum_3}"
        );
    });
    child.join();

    assert_eq!(
        Ok(()),
        test_rename(dir_s4d2, dir_s1d3),
        "Failed to rename {dir_s4d2} back to {dir_s1d3} ({erratum_3})"
    );

    // Now checks that we can access it under l2.
    let child = fork_child(|| {
        enforce_ruleset(&ruleset_fd_l2);
        expect_eq!(
            Ok(()),
            test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
            "{erratum_3}"
        );
        expect_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY), "{erratum_3}");
    });
    child.join();

    // Also test that we can rename via a disconnected path. We move the dir back to the
    // disconnected place first, then we rename file1 to file2 through our dir fd.
    assert_eq!(
        Ok(()),
        test_rename(dir_s1d3, dir_s4d2),
        "Failed to rename {dir_s1d3} to {dir_s4d2} ({erratum_3})"
    );
    assert_eq!(
        Ok(()),
        test_renameat(&bind_s1d3_fd, file1_name, &bind_s1d3_fd, file2_name),
        "Failed to rename {file1_name} to {file2_name} within disconnected {bind_dir_s1d3} ({erratum_3})"
    );
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file2_name, O_RDONLY),
        "{erratum_3}"
    );
    assert_eq!(
        Ok(()),
        test_renameat(&bind_s1d3_fd, file2_name, AT_FDCWD, file1_s2d2),
        "Failed to rename {file2_name} to {file1_s2d2} through disconnected {bind_dir_s1d3} ({erratum_3})"
    );
    expect_eq!(Ok(()), test_open(file1_s2d2, O_RDONLY), "{erratum_3}");
    expect_eq!(Ok(()), test_open(file1_s1d2, O_RDONLY), "{erratum_3}");

    // Move it back using the disconnected path as the target.
    assert_eq!(
        Ok(()),
        test_renameat(AT_FDCWD, file1_s2d2, &bind_s1d3_fd, file1_name),
        "Failed to rename {file1_s2d2} to {file1_name} through disconnected {bind_dir_s1d3} ({erratum_3})"
    );

    // Now make it connected again.
    assert_eq!(
        Ok(()),
        test_rename(dir_s4d2, dir_s1d3),
        "Failed to rename {dir_s4d2} back to {dir_s1d3} ({erratum_3})"
    );

    // Checks again that we can access it under l2.
    enforce_ruleset(&ruleset_fd_l2);
    expect_eq!(Ok(()), close(ruleset_fd_l2));
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
        "{erratum_3}"
    );
    expect_eq!(Ok(()), test_open(file1_s1d3, O_RDONLY), "{erratum_3}");
});

// Test that linkat(2) with disconnected paths works under Landlock. This test moves s1d3 to
// s4d1.
test_f!(layout1_bind, path_disconnected_link, |_, _| {
    require_access_fs(LANDLOCK_ACCESS_FS_REFER);
    // Ruleset to be applied after renaming s1d3 to s4d1.
    let dirs_access = LANDLOCK_ACCESS_FS_REFER
        | LANDLOCK_ACCESS_FS_READ_FILE
        | LANDLOCK_ACCESS_FS_MAKE_REG
        | LANDLOCK_ACCESS_FS_REMOVE_FILE;
    let layer1 = [
        Rule {
            path: dir_s4d1,
            access: dirs_access,
        },
        Rule {
            path: dir_s2d2,
            access: dirs_access,
        },
    ];

    // Removes unneeded files created by layout1, otherwise it will EEXIST.
    assert_eq!(Ok(()), unlink(file1_s1d2));
    assert_eq!(Ok(()), unlink(file2_s1d3));

    let bind_s1d3_fd = assert_ok!(open(bind_dir_s1d3, O_PATH | O_CLOEXEC));
    expect_eq!(Ok(()), test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY));

    // Disconnects bind_s1d3_fd.
    assert_eq!(
        Ok(()),
        test_rename(dir_s1d3, dir_s4d1),
        "Failed to rename {dir_s1d3} to {dir_s4d1}"
    );

    // Need this later to test different parent link.
    assert_eq!(
        Ok(()),
        mkdir(dir_s4d2, 0o755),
        "Failed to create {dir_s4d2}"
    );

    enforce_fs(access_all(), &layer1);

    // From disconnected to connected.
    assert_eq!(
        Ok(()),
        linkat(&bind_s1d3_fd, file1_name, AT_FDCWD, file1_s2d2, 0),
        "Failed to link {file1_name} to {file1_s2d2} via disconnected {bind_dir_s1d3}"
    );

    // Tests that we can access via the new link...
    expect_eq!(
        Ok(()),
        test_open(file1_s2d2, O_RDONLY),
        "Failed to open newly linked {file1_s2d2}"
    );

    // ...as well as the old one.
    expect_eq!(
        Ok(()),
        test_open(file1_s4d1, O_RDONLY),
        "Failed to open original {file1_s4d1}"
    );

    // From connected to disconnected.
    assert_eq!(Ok(()), unlink(file1_s4d1));
    assert_eq!(
        Ok(()),
        linkat(AT_FDCWD, file1_s2d2, &bind_s1d3_fd, file2_name, 0),
        "Failed to link {file1_s2d2} to {file2_name} via disconnected {bind_dir_s1d3}"
    );
    expect_eq!(Ok(()), test_open(file2_s4d1, O_RDONLY));
    assert_eq!(Ok(()), unlink(file1_s2d2));

    // From disconnected to disconnected (same parent).
    assert_eq!(
        Ok(()),
        linkat(&bind_s1d3_fd, file2_name, &bind_s1d3_fd, file1_name, 0),
        "Failed to link {file2_name} to {file1_name} within disconnected {bind_dir_s1d3}"
    );
    expect_eq!(
        Ok(()),
        test_open(file1_s4d1, O_RDONLY),
        "Failed to open newly linked {file1_s4d1}"
    );
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, file1_name, O_RDONLY),
        "Failed to open {file1_name} through newly created link under disconnected path"
    );
    assert_eq!(Ok(()), unlink(file2_s4d1));

    // From disconnected to disconnected (different parent).
    assert_eq!(
        Ok(()),
        linkat(&bind_s1d3_fd, file1_name, &bind_s1d3_fd, "s4d2/f1", 0),
        "Failed to link {file1_name} to s4d2/f1 within disconnected {bind_dir_s1d3}"
    );
    expect_eq!(
        Ok(()),
        test_open(file1_s4d2, O_RDONLY),
        "Failed to open {file1_s4d2} after link"
    );
    expect_eq!(
        Ok(()),
        test_open_rel(&bind_s1d3_fd, "s4d2/f1", O_RDONLY),
        "Failed to open s4d2/f1 through disconnected path after link"
    );
});

/// The paths of layout2_overlay (fs_test.c's names; C's `LOWER_BASE`... macros are constants).
#[allow(non_upper_case_globals)]
mod layout2_overlay_paths {
    pub const LOWER_BASE: &str = "tmp/lower";
    pub const LOWER_DATA: &str = "tmp/lower/data";
    pub const lower_fl1: &str = "tmp/lower/data/fl1";
    pub const lower_dl1: &str = "tmp/lower/data/dl1";
    pub const lower_dl1_fl2: &str = "tmp/lower/data/dl1/fl2";
    pub const lower_fo1: &str = "tmp/lower/data/fo1";
    pub const lower_do1: &str = "tmp/lower/data/do1";
    pub const lower_do1_fo2: &str = "tmp/lower/data/do1/fo2";
    pub const lower_do1_fl3: &str = "tmp/lower/data/do1/fl3";

    pub const lower_base_files: [&str; 2] = [lower_fl1, lower_fo1];
    pub const lower_base_directories: [&str; 2] = [lower_dl1, lower_do1];
    pub const lower_sub_files: [&str; 3] = [lower_dl1_fl2, lower_do1_fo2, lower_do1_fl3];

    pub const UPPER_BASE: &str = "tmp/upper";
    pub const UPPER_DATA: &str = "tmp/upper/data";
    pub const UPPER_WORK: &str = "tmp/upper/work";
    pub const upper_fu1: &str = "tmp/upper/data/fu1";
    pub const upper_du1: &str = "tmp/upper/data/du1";
    pub const upper_du1_fu2: &str = "tmp/upper/data/du1/fu2";
    pub const upper_fo1: &str = "tmp/upper/data/fo1";
    pub const upper_do1: &str = "tmp/upper/data/do1";
    pub const upper_do1_fo2: &str = "tmp/upper/data/do1/fo2";
    pub const upper_do1_fu3: &str = "tmp/upper/data/do1/fu3";

    pub const upper_base_files: [&str; 2] = [upper_fu1, upper_fo1];
    pub const upper_base_directories: [&str; 2] = [upper_du1, upper_do1];
    pub const upper_sub_files: [&str; 3] = [upper_du1_fu2, upper_do1_fo2, upper_do1_fu3];

    pub const MERGE_BASE: &str = "tmp/merge";
    pub const MERGE_DATA: &str = "tmp/merge/data";
    pub const merge_fl1: &str = "tmp/merge/data/fl1";
    pub const merge_dl1: &str = "tmp/merge/data/dl1";
    pub const merge_dl1_fl2: &str = "tmp/merge/data/dl1/fl2";
    pub const merge_fu1: &str = "tmp/merge/data/fu1";
    pub const merge_du1: &str = "tmp/merge/data/du1";
    pub const merge_du1_fu2: &str = "tmp/merge/data/du1/fu2";
    pub const merge_fo1: &str = "tmp/merge/data/fo1";
    pub const merge_do1: &str = "tmp/merge/data/do1";
    pub const merge_do1_fo2: &str = "tmp/merge/data/do1/fo2";
    pub const merge_do1_fl3: &str = "tmp/merge/data/do1/fl3";
    pub const merge_do1_fu3: &str = "tmp/merge/data/do1/fu3";

    pub const merge_base_files: [&str; 3] = [merge_fl1, merge_fu1, merge_fo1];
    pub const merge_base_directories: [&str; 3] = [merge_dl1, merge_du1, merge_do1];
    pub const merge_sub_files: [&str; 5] = [
        merge_dl1_fl2,
        merge_du1_fu2,
        merge_do1_fo2,
        merge_do1_fl3,
        merge_do1_fu3,
    ];

    /// The overlay's mount options: `"lowerdir=" LOWER_DATA ",upperdir=" UPPER_DATA
    /// ",workdir=" UPPER_WORK`.
    pub const OVERLAY_DATA: &str =
        "lowerdir=tmp/lower/data,upperdir=tmp/upper/data,workdir=tmp/upper/work";
}
use layout2_overlay_paths::*;

// layout2_overlay hierarchy:
//
// tmp
// ├── lower
// │   └── data
// │       ├── dl1
// │       │   └── fl2
// │       ├── do1
// │       │   ├── fl3
// │       │   └── fo2
// │       ├── fl1
// │       └── fo1
// ├── merge
// │   └── data
// │       ├── dl1
// │       │   └── fl2
// │       ├── do1
// │       │   ├── fl3
// │       │   ├── fo2
// │       │   └── fu3
// │       ├── du1
// │       │   └── fu2
// │       ├── fl1
// │       ├── fo1
// │       └── fu1
// └── upper
//     ├── data
//     │   ├── do1
//     │   │   ├── fo2
//     │   │   └── fu3
//     │   ├── du1
//     │   │   └── fu2
//     │   ├── fo1
//     │   └── fu1
//     └── work
//         └── work

fixture! {
    #[derive(Clone, Copy)]
    layout2_overlay {}
    setup: |_| {
        if !supports_filesystem(Some("overlay")) {
            skip!("overlayfs is not supported: overlay is not in /proc/filesystems");
        }

        prepare_layout();

        create_directory(LOWER_BASE);
        set_cap(Cap::SysAdmin);
        // Creates tmpfs mount points to get deterministic overlayfs.
        assert_eq!(Ok(()), mount_opt(&MNT_TMP, LOWER_BASE));
        clear_cap(Cap::SysAdmin);
        create_file(lower_fl1);
        create_file(lower_dl1_fl2);
        create_file(lower_fo1);
        create_file(lower_do1_fo2);
        create_file(lower_do1_fl3);

        create_directory(UPPER_BASE);
        set_cap(Cap::SysAdmin);
        assert_eq!(Ok(()), mount_opt(&MNT_TMP, UPPER_BASE));
        clear_cap(Cap::SysAdmin);
        create_file(upper_fu1);
        create_file(upper_du1_fu2);
        create_file(upper_fo1);
        create_file(upper_do1_fo2);
        create_file(upper_do1_fu3);
        assert_eq!(Ok(()), mkdir(UPPER_WORK, 0o700));

        create_directory(MERGE_DATA);
        set_cap(Cap::SysAdmin);
        set_cap(Cap::DacOverride);
        assert_eq!(
            Ok(()),
            mount(
                Some("overlay"),
                MERGE_DATA,
                Some("overlay"),
                MsFlags::empty(),
                Some(OVERLAY_DATA)
            ),
            "Failed to mount the overlay filesystem"
        );
        clear_cap(Cap::DacOverride);
        clear_cap(Cap::SysAdmin);
        Self {}
    },
    teardown_parent: |self, _| {
        expect_eq!(Ok(()), remove_path(lower_do1_fl3));
        expect_eq!(Ok(()), remove_path(lower_dl1_fl2));
        expect_eq!(Ok(()), remove_path(lower_fl1));
        expect_eq!(Ok(()), remove_path(lower_do1_fo2));
        expect_eq!(Ok(()), remove_path(lower_fo1));

        // umount(LOWER_BASE) is handled by namespace lifetime.
        expect_eq!(Ok(()), remove_path(LOWER_BASE));

        expect_eq!(Ok(()), remove_path(upper_do1_fu3));
        expect_eq!(Ok(()), remove_path(upper_du1_fu2));
        expect_eq!(Ok(()), remove_path(upper_fu1));
        expect_eq!(Ok(()), remove_path(upper_do1_fo2));
        expect_eq!(Ok(()), remove_path(upper_fo1));
        expect_eq!(Ok(()), remove_path("tmp/upper/work/work"));

        // umount(UPPER_BASE) is handled by namespace lifetime.
        expect_eq!(Ok(()), remove_path(UPPER_BASE));

        // umount(MERGE_DATA) is handled by namespace lifetime.
        expect_eq!(Ok(()), remove_path(MERGE_DATA));

        cleanup_layout();
    },
}

test_f!(layout2_overlay, no_restriction, |_, _| {
    assert_eq!(Ok(()), test_open(lower_fl1, O_RDONLY));
    assert_eq!(Ok(()), test_open(lower_dl1, O_RDONLY));
    assert_eq!(Ok(()), test_open(lower_dl1_fl2, O_RDONLY));
    assert_eq!(Ok(()), test_open(lower_fo1, O_RDONLY));
    assert_eq!(Ok(()), test_open(lower_do1, O_RDONLY));
    assert_eq!(Ok(()), test_open(lower_do1_fo2, O_RDONLY));
    assert_eq!(Ok(()), test_open(lower_do1_fl3, O_RDONLY));

    assert_eq!(Ok(()), test_open(upper_fu1, O_RDONLY));
    assert_eq!(Ok(()), test_open(upper_du1, O_RDONLY));
    assert_eq!(Ok(()), test_open(upper_du1_fu2, O_RDONLY));
    assert_eq!(Ok(()), test_open(upper_fo1, O_RDONLY));
    assert_eq!(Ok(()), test_open(upper_do1, O_RDONLY));
    assert_eq!(Ok(()), test_open(upper_do1_fo2, O_RDONLY));
    assert_eq!(Ok(()), test_open(upper_do1_fu3, O_RDONLY));

    assert_eq!(Ok(()), test_open(merge_fl1, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_dl1, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_dl1_fl2, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_fu1, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_du1, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_du1_fu2, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_fo1, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_do1, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_do1_fo2, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_do1_fl3, O_RDONLY));
    assert_eq!(Ok(()), test_open(merge_do1_fu3, O_RDONLY));
});

test_f!(layout2_overlay, same_content_different_file, |_, _| {
    // Sets access right on parent directories of both layers.
    let layer1_base = [
        Rule {
            path: LOWER_BASE,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: UPPER_BASE,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: MERGE_BASE,
            access: ACCESS_RW,
        },
    ];
    let layer2_data = [
        Rule {
            path: LOWER_DATA,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: UPPER_DATA,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: MERGE_DATA,
            access: ACCESS_RW,
        },
    ];
    // Sets access right on directories inside both layers.
    let layer3_subdirs = [
        Rule {
            path: lower_dl1,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: lower_do1,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: upper_du1,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: upper_do1,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: merge_dl1,
            access: ACCESS_RW,
        },
        Rule {
            path: merge_du1,
            access: ACCESS_RW,
        },
        Rule {
            path: merge_do1,
            access: ACCESS_RW,
        },
    ];
    // Tighten access rights to the files.
    let read_write = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE;
    let layer4_files = [
        Rule {
            path: lower_dl1_fl2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: lower_do1_fo2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: lower_do1_fl3,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: upper_du1_fu2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: upper_do1_fo2,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: upper_do1_fu3,
            access: LANDLOCK_ACCESS_FS_READ_FILE,
        },
        Rule {
            path: merge_dl1_fl2,
            access: read_write,
        },
        Rule {
            path: merge_du1_fu2,
            access: read_write,
        },
        Rule {
            path: merge_do1_fo2,
            access: read_write,
        },
        Rule {
            path: merge_do1_fl3,
            access: read_write,
        },
        Rule {
            path: merge_do1_fu3,
            access: read_write,
        },
    ];
    let layer5_merge_only = [Rule {
        path: MERGE_DATA,
        access: read_write,
    }];

    // Sets rules on base directories (i.e. outside overlay scope).
    enforce_fs(ACCESS_RW, &layer1_base);

    // Checks lower layer.
    for path in lower_base_files {
        assert_eq!(Ok(()), test_open(path, O_RDONLY), "{path}");
        assert_eq!(Err(Errno::EACCES), test_open(path, O_WRONLY), "{path}");
    }
    for path in lower_base_directories {
        assert_eq!(
            Err(Errno::EACCES),
            test_open(path, O_RDONLY | O_DIRECTORY),
            "{path}"
        );
    }
    for path in lower_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDONLY), "{path}");
        assert_eq!(Err(Errno::EACCES), test_open(path, O_WRONLY), "{path}");
    }
    // Checks upper layer.
    for path in upper_base_files {
        assert_eq!(Ok(()), test_open(path, O_RDONLY), "{path}");
        assert_eq!(Err(Errno::EACCES), test_open(path, O_WRONLY), "{path}");
    }
    for path in upper_base_directories {
        assert_eq!(
            Err(Errno::EACCES),
            test_open(path, O_RDONLY | O_DIRECTORY),
            "{path}"
        );
    }
    for path in upper_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDONLY), "{path}");
        assert_eq!(Err(Errno::EACCES), test_open(path, O_WRONLY), "{path}");
    }
    // Checks that access rights are independent from the lower and upper layers: write access
    // to upper files viewed through the merge point is still allowed, and write access to lower
    // file viewed (and copied) through the merge point is still allowed.
    for path in merge_base_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }
    for path in merge_base_directories {
        assert_eq!(Ok(()), test_open(path, O_RDONLY | O_DIRECTORY), "{path}");
    }
    for path in merge_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }

    // Sets rules on data directories (i.e. inside overlay scope).
    enforce_fs(ACCESS_RW, &layer2_data);

    // Checks merge.
    for path in merge_base_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }
    for path in merge_base_directories {
        assert_eq!(Ok(()), test_open(path, O_RDONLY | O_DIRECTORY), "{path}");
    }
    for path in merge_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }

    // Same checks with tighter rules.
    enforce_fs(ACCESS_RW, &layer3_subdirs);

    // Checks changes for lower layer.
    for path in lower_base_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDONLY), "{path}");
    }
    // Checks changes for upper layer.
    for path in upper_base_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDONLY), "{path}");
    }
    // Checks all merge accesses.
    for path in merge_base_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDWR), "{path}");
    }
    for path in merge_base_directories {
        assert_eq!(Ok(()), test_open(path, O_RDONLY | O_DIRECTORY), "{path}");
    }
    for path in merge_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }

    // Sets rules directly on overlayed files.
    enforce_fs(ACCESS_RW, &layer4_files);

    // Checks unchanged accesses on lower layer.
    for path in lower_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDONLY), "{path}");
        assert_eq!(Err(Errno::EACCES), test_open(path, O_WRONLY), "{path}");
    }
    // Checks unchanged accesses on upper layer.
    for path in upper_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDONLY), "{path}");
        assert_eq!(Err(Errno::EACCES), test_open(path, O_WRONLY), "{path}");
    }
    // Checks all merge accesses.
    for path in merge_base_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDWR), "{path}");
    }
    for path in merge_base_directories {
        assert_eq!(
            Err(Errno::EACCES),
            test_open(path, O_RDONLY | O_DIRECTORY),
            "{path}"
        );
    }
    for path in merge_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }

    // Only allowes access to the merge hierarchy.
    enforce_fs(ACCESS_RW, &layer5_merge_only);

    // Checks new accesses on lower layer.
    for path in lower_sub_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDONLY), "{path}");
    }
    // Checks new accesses on upper layer.
    for path in upper_sub_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDONLY), "{path}");
    }
    // Checks all merge accesses.
    for path in merge_base_files {
        assert_eq!(Err(Errno::EACCES), test_open(path, O_RDWR), "{path}");
    }
    for path in merge_base_directories {
        assert_eq!(
            Err(Errno::EACCES),
            test_open(path, O_RDONLY | O_DIRECTORY),
            "{path}"
        );
    }
    for path in merge_sub_files {
        assert_eq!(Ok(()), test_open(path, O_RDWR), "{path}");
    }
});

fixture! {
    #[derive(Clone, Copy)]
    layout3_fs {
        has_created_dir: bool,
        has_created_file: bool,
        /// The test process, whose pid names cgroup2's directory (see `per_case_dir`).
        case_id: u32,
    }
    setup: |variant| {
        if !supports_filesystem(variant.mnt.fstype) {
            skip!(
                "this filesystem is not supported: {} is not in /proc/filesystems",
                variant.mnt.name()
            );
        }
        if !cwd_matches_fs(variant.cwd_fs_magic) {
            skip!(
                "this filesystem is not supported: the working directory is not on hostfs \
                 (User-Mode Linux only): cases run under $TMPDIR, point it at a hostfs directory"
            );
        }
        if let Some(what) = variant.initial_namespace {
            require_initial_namespace(what);
        }
        let mut fixture = Self {
            has_created_dir: false,
            has_created_file: false,
            case_id: std::process::id(),
        };
        let file_path = fixture.file_path(variant);
        let dir_path = dirname(&file_path);

        prepare_layout_opt(&variant.mnt);

        // Creates directory when required.
        if std::fs::metadata(dir_path).is_err() {
            set_cap(Cap::DacOverride);
            expect_eq!(
                Ok(()),
                mkdir(dir_path, 0o700),
                "Failed to create directory \"{dir_path}\""
            );
            fixture.has_created_dir = true;
            clear_cap(Cap::DacOverride);
        }

        // Creates file when required.
        if std::fs::metadata(&file_path).is_err() {
            set_cap(Cap::DacOverride);
            expect_eq!(
                Ok(()),
                test_creat(&file_path),
                "Failed to create file \"{file_path}\""
            );
            fixture.has_created_file = true;
            clear_cap(Cap::DacOverride);
        }
        fixture
    },
    teardown_parent: |self, variant| {
        let file_path = self.file_path(variant);
        let dir_path = dirname(&file_path);

        if self.has_created_file {
            set_cap(Cap::DacOverride);
            // Don't check for error because the file might already have been removed (cf.
            // release_inode test).
            let _ = unlink(&file_path);
            clear_cap(Cap::DacOverride);
        }

        if self.has_created_dir {
            set_cap(Cap::DacOverride);
            // Don't check for error because the directory might already have been removed (cf.
            // release_inode test).
            let removed = rmdir(dir_path);
            clear_cap(Cap::DacOverride);
            if removed.is_err() && variant.per_case_dir {
                remove_cgroup_dir(&variant.mnt, dir_path);
            }
        }

        cleanup_layout();
    },
}

variant! {
    layout3_fs {
        mnt: MntOpt,
        file_path: &'static str,
        cwd_fs_magic: u32,
        /// Not in C: cgroup2's tree is shared by every case running at once (each new cgroup
        /// namespace is rooted at the runner's cgroup), so the directory gets this case's pid.
        per_case_dir: bool,
        /// Not in C: what of the variant a user namespace cannot do, when it cannot.
        initial_namespace: Option<&'static str>,
    }
    tmpfs {
        mnt: MntOpt::new("tmpfs", Some(MNT_TMP_DATA)),
        file_path: file1_s1d1,
        cwd_fs_magic: 0,
        per_case_dir: false,
        initial_namespace: None,
    }
    ramfs {
        mnt: MntOpt::new("ramfs", Some("mode=700")),
        file_path: "tmp/dir/file",
        cwd_fs_magic: 0,
        per_case_dir: false,
        initial_namespace: None,
    }
    cgroup2 {
        mnt: MntOpt::new("cgroup2", None),
        file_path: "tmp/test/cgroup.procs",
        cwd_fs_magic: 0,
        per_case_dir: true,
        initial_namespace: Some("creating a cgroup (the cgroup tree is the initial namespace's)"),
    }
    proc {
        mnt: MntOpt::new("proc", None),
        file_path: "tmp/self/status",
        cwd_fs_magic: 0,
        per_case_dir: false,
        initial_namespace: Some("mounting proc (a user namespace would need a PID namespace of its own)"),
    }
    sysfs {
        mnt: MntOpt::new("sysfs", None),
        file_path: "tmp/kernel/notes",
        cwd_fs_magic: 0,
        per_case_dir: false,
        initial_namespace: Some("mounting sysfs (a user namespace would need a network namespace of its own)"),
    }
    hostfs {
        mnt: MntOpt {
            source: Some(TMP_DIR),
            fstype: None,
            flags: MsFlags::MS_BIND,
            data: None,
        },
        file_path: "tmp/dir/file",
        cwd_fs_magic: HOSTFS_SUPER_MAGIC,
        per_case_dir: false,
        initial_namespace: None,
    }
}

impl layout3_fs {
    /// The variant's file (C's `variant->file_path`), in a directory of this case's own when
    /// `per_case_dir`.
    fn file_path(&self, variant: &layout3_fs_variant) -> String {
        match variant.file_path.rsplit_once('/') {
            Some((dir, file)) if variant.per_case_dir => {
                format!("{dir}-{}/{file}", self.case_id)
            }
            _ => variant.file_path.to_owned(),
        }
    }
}

/// C's `dirname()` for the relative paths of this file.
fn dirname(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(dir, _)| dir)
}

/// Not in C: removes the cgroup directory that setup created when the parent does not see the
/// test's cgroup2 mount (its mount namespace ended with the test process, the directory did
/// not): a helper process mounts cgroup2 again, from a cgroup namespace rooted where the
/// test's was, in a private mount namespace of its own so that nothing reaches the rest of the
/// system. Failures are marked but not fatal: the teardown goes on with cleanup_layout().
fn remove_cgroup_dir(mnt: &MntOpt, dir_path: &str) {
    let child = fork_child(|| {
        set_cap(Cap::SysAdmin);
        let flags = CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWCGROUP;
        let private = MsFlags::MS_REC | MsFlags::MS_PRIVATE;
        let mounted = unshare(flags)
            .and_then(|()| mount(None, "/", None, private, None))
            .and_then(|()| mount_opt(mnt, TMP_DIR));
        expect_eq!(Ok(()), mounted, "mounting cgroup2 to remove \"{dir_path}\"");
        if mounted.is_ok() {
            // The root of a cgroup2 mount is read-only (0555), even for its owner.
            set_cap(Cap::DacOverride);
            let removed = rmdir(dir_path);
            expect_true!(
                matches!(removed, Ok(()) | Err(Errno::ENOENT)),
                "rmdir(\"{dir_path}\"): {removed:?}"
            );
            expect_eq!(Ok(()), umount(TMP_DIR));
        }
    });
    // The child's failures are already the case's; its end status adds nothing.
    let _ = child.wait();
}

fn layer3_fs_tag_inode(file_path: &str, rule_path: &str) {
    let layer1_allow_read_file = [Rule {
        path: rule_path,
        access: LANDLOCK_ACCESS_FS_READ_FILE,
    }];
    let layer2_deny_everything_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_FILE);
    let dev_null_path = "/dev/null";

    // Checks without Landlock.
    expect_eq!(Ok(()), test_open(dev_null_path, O_RDONLY | O_CLOEXEC));
    expect_eq!(Ok(()), test_open(file_path, O_RDONLY | O_CLOEXEC));

    enforce_fs(LANDLOCK_ACCESS_FS_READ_FILE, &layer1_allow_read_file);

    expect_eq!(
        Err(Errno::EACCES),
        test_open(dev_null_path, O_RDONLY | O_CLOEXEC)
    );
    expect_eq!(Ok(()), test_open(file_path, O_RDONLY | O_CLOEXEC));

    // Forbids directory reading.
    let ruleset_fd = assert_ok!(create_ruleset(&layer2_deny_everything_attr));
    enforce_ruleset(&ruleset_fd);
    expect_eq!(Ok(()), close(ruleset_fd));

    // Checks with Landlock and forbidden access.
    expect_eq!(
        Err(Errno::EACCES),
        test_open(dev_null_path, O_RDONLY | O_CLOEXEC)
    );
    expect_eq!(
        Err(Errno::EACCES),
        test_open(file_path, O_RDONLY | O_CLOEXEC)
    );
}

// Matrix of tests to check file hierarchy evaluation.

test_f!(layout3_fs, tag_inode_dir_parent, |self, variant| {
    // The current directory must not be the root for this test.
    layer3_fs_tag_inode(&self.file_path(variant), ".");
});

test_f!(layout3_fs, tag_inode_dir_mnt, |self, variant| {
    layer3_fs_tag_inode(&self.file_path(variant), TMP_DIR);
});

test_f!(layout3_fs, tag_inode_dir_child, |self, variant| {
    let file_path = self.file_path(variant);

    layer3_fs_tag_inode(&file_path, dirname(&file_path));
});

test_f!(layout3_fs, tag_inode_file, |self, variant| {
    let file_path = self.file_path(variant);

    layer3_fs_tag_inode(&file_path, &file_path);
});

// Light version of layout1.release_inodes
test_f!(layout3_fs, release_inodes, |self, variant| {
    let layer1 = [Rule {
        path: TMP_DIR,
        access: LANDLOCK_ACCESS_FS_READ_DIR,
    }];
    let file_path = self.file_path(variant);

    // Clean up for the teardown to not fail.
    if self.has_created_file {
        expect_eq!(Ok(()), remove_path(&file_path));
    }

    if self.has_created_dir {
        // Don't check for error because of cgroup specificities.
        let _ = remove_path(dirname(&file_path));
    }

    let ruleset_fd = create_ruleset_with(LANDLOCK_ACCESS_FS_READ_DIR, &layer1);

    // Unmount the filesystem while it is being used by a ruleset.
    set_cap(Cap::SysAdmin);
    assert_eq!(Ok(()), umount(TMP_DIR));
    clear_cap(Cap::SysAdmin);

    // Replaces with a new mount point to simplify FIXTURE_TEARDOWN.
    set_cap(Cap::SysAdmin);
    assert_eq!(Ok(()), mount_opt(&MNT_TMP, TMP_DIR));
    clear_cap(Cap::SysAdmin);

    enforce_ruleset(&ruleset_fd);
    assert_eq!(Ok(()), close(ruleset_fd));

    // Checks that access to the new mount point is denied.
    assert_eq!(Err(Errno::EACCES), test_open(TMP_DIR, O_RDONLY));
});

/// C's `matches_log_fs_extra()`: the next Landlock access record denies `blockers` on `path`
/// (absolute, as the kernel prints it), on any device and inode, then says `extra`.
#[track_caller]
fn matches_log_fs_extra(
    audit_fd: &AuditSocket,
    blockers: &str,
    path: &str,
    extra: &str,
) -> Result<(), Errno> {
    // It is assumed that the absolute path contains neither control characters nor spaces
    // (the kernel would print it in hexadecimal).
    let absolute_path = std::fs::canonicalize(path)
        .map_err(|err| Errno::from_raw(err.raw_os_error().unwrap_or(libc::EIO)))?;
    let head = format!(
        " blockers={blockers} path=\"{}\" dev=\"",
        absolute_path.display()
    );
    audit_fd
        .match_record_with(
            AUDIT_LANDLOCK_ACCESS,
            &format!("{head}<device>\" ino=<number>{extra}"),
            |rest| {
                rest.strip_prefix(head.as_str())
                    .and_then(|rest| rest.split_once("\" ino="))
                    .is_some_and(|(dev, rest)| {
                        !dev.is_empty()
                            && !dev.contains('"')
                            && rest.strip_suffix(extra).is_some_and(is_number)
                    })
            },
        )
        .map(drop)
}

/// C's `matches_log_fs()`.
#[track_caller]
fn matches_log_fs(audit_fd: &AuditSocket, blockers: &str, path: &str) -> Result<(), Errno> {
    matches_log_fs_extra(audit_fd, blockers, path, "")
}

/// C's `matches_log_domain_allocated()`: the next domain record tells that process `pid`
/// created a domain. C also checks that the command name ends with `_test`, as its test
/// programs are named; this one's is `fs_test-<hash>`, cut at 15 characters.
#[track_caller]
fn matches_log_domain_allocated(
    audit_fd: &AuditSocket,
    pid: nix::unistd::Pid,
) -> Result<(), Errno> {
    let head = format!(" status=allocated mode=enforcing pid={pid} uid=");
    audit_fd
        .match_record_with(
            AUDIT_LANDLOCK_DOMAIN,
            &format!("{head}<number> exe=\"<path>\" comm=\"<name>\""),
            |rest| {
                rest.strip_prefix(head.as_str())
                    .and_then(|rest| rest.split_once(" exe=\""))
                    .is_some_and(|(uid, rest)| {
                        is_number(uid)
                            && rest.split_once("\" comm=\"").is_some_and(|(exe, comm)| {
                                !exe.is_empty() && !exe.contains('"') && comm.ends_with('"')
                            })
                    })
            },
        )
        .map(drop)
}

/// Whether `text` is a decimal number (C's `[0-9]\+`).
fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

// The audit daemon's socket of the case. A fixture with a parent teardown is plain data, shared
// with the parent: the socket stays in the test process, where setup and body run.
static AUDIT_FD: OnceLock<AuditSocket> = OnceLock::new();

/// The socket that the `audit_layout1` setup opened (C's `self->audit_fd`).
fn audit_fd() -> &'static AuditSocket {
    AUDIT_FD
        .get()
        .expect("the audit_layout1 setup opens the audit socket")
}

fixture! {
    #[derive(Clone, Copy)]
    audit_layout1 {}
    setup: |_| {
        require_audit();
        prepare_layout();

        create_layout1();

        let audit_fd = audit_init();
        assert_true!(AUDIT_FD.set(audit_fd).is_ok());
        disable_caps();
        Self {}
    },
    // The test process ends restricted: the audit filter rule, which it leaves in place, is
    // deleted from here.
    teardown_parent: |self, _| {
        remove_layout1();

        cleanup_layout();

        expect_eq!(Ok(()), audit::delete_filter_rule());
    },
}

/// What `audit_count_records()` must find: `access` and `domain` records.
const fn records(access: usize, domain: usize) -> AuditRecords {
    AuditRecords { access, domain }
}

test_f!(audit_layout1, execute_make, exclusive = audit, |_, _| {
    copy_file(BIN_TRUE, file1_s1d1);
    test_execute(None, file1_s1d1);
    test_check_exec(None, file1_s1d1);

    // C's drop_access_rights(): a ruleset without rules.
    enforce_fs(LANDLOCK_ACCESS_FS_EXECUTE, &[]);

    test_execute(Some(Errno::EACCES), file1_s1d1);
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.execute", file1_s1d1));
    test_check_exec(Some(Errno::EACCES), file1_s1d1);
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.execute", file1_s1d1));

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

// Using a set of handled/denied access rights make it possible to check that only the blocked
// ones are logged.
const ACCESS_FS_16: u64 = LANDLOCK_ACCESS_FS_EXECUTE
    | LANDLOCK_ACCESS_FS_WRITE_FILE
    | LANDLOCK_ACCESS_FS_READ_FILE
    | LANDLOCK_ACCESS_FS_READ_DIR
    | LANDLOCK_ACCESS_FS_REMOVE_DIR
    | LANDLOCK_ACCESS_FS_REMOVE_FILE
    | LANDLOCK_ACCESS_FS_MAKE_CHAR
    | LANDLOCK_ACCESS_FS_MAKE_DIR
    | LANDLOCK_ACCESS_FS_MAKE_REG
    | LANDLOCK_ACCESS_FS_MAKE_SOCK
    | LANDLOCK_ACCESS_FS_MAKE_FIFO
    | LANDLOCK_ACCESS_FS_MAKE_BLOCK
    | LANDLOCK_ACCESS_FS_MAKE_SYM
    | LANDLOCK_ACCESS_FS_REFER
    | LANDLOCK_ACCESS_FS_TRUNCATE
    | LANDLOCK_ACCESS_FS_IOCTL_DEV;

test_f!(audit_layout1, execute_read, exclusive = audit, |_, _| {
    copy_file(BIN_TRUE, file1_s1d1);
    test_execute(None, file1_s1d1);
    test_check_exec(None, file1_s1d1);

    enforce_fs(ACCESS_FS_16, &[]);

    // The only difference with the previous audit_layout1.execute_read test is the extra
    // ",fs\\.read_file" blocked by the executable file.
    test_execute(Some(Errno::EACCES), file1_s1d1);
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.execute,fs.read_file", file1_s1d1)
    );
    test_check_exec(Some(Errno::EACCES), file1_s1d1);
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.execute,fs.read_file", file1_s1d1)
    );

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

test_f!(audit_layout1, write_file, exclusive = audit, |_, _| {
    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_WRONLY));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.write_file", file1_s1d1)
    );

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, read_file, exclusive = audit, |_, _| {
    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), test_open(file1_s1d1, O_RDONLY));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.read_file", file1_s1d1)
    );

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, read_dir, exclusive = audit, |_, _| {
    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), test_open(dir_s1d1, O_DIRECTORY));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.read_dir", dir_s1d1));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, remove_dir, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));
    expect_eq!(Ok(()), unlink(file2_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), rmdir(dir_s1d3));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_dir", dir_s1d2)
    );

    expect_eq!(
        Err(Errno::EACCES),
        unlinkat(AT_FDCWD, dir_s1d3, AT_REMOVEDIR)
    );
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_dir", dir_s1d2)
    );

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

test_f!(audit_layout1, remove_file, exclusive = audit, |_, _| {
    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), unlink(file1_s1d3));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_file", dir_s1d3)
    );

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_char, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    // A character device numbered 0:0 is a whiteout: a kernel with Landlock's erratum 4
    // (whiteouts need MAKE_REG) logs it as fs.make_reg, where Linux 6.18 logs fs.make_char.
    let blockers = if errata().is_fixed(ERRATUM_WHITEOUT) {
        "fs.make_reg"
    } else {
        "fs.make_char"
    };
    expect_eq!(Err(Errno::EACCES), mknod(file1_s1d3, S_IFCHR | 0o644, 0));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), blockers, dir_s1d3));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_dir, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), mkdir(file1_s1d3, 0o755));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.make_dir", dir_s1d3));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_reg, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), mknod(file1_s1d3, S_IFREG | 0o644, 0));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.make_reg", dir_s1d3));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_sock, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), mknod(file1_s1d3, S_IFSOCK | 0o644, 0));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.make_sock", dir_s1d3));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_fifo, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), mknod(file1_s1d3, S_IFIFO | 0o644, 0));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.make_fifo", dir_s1d3));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_block, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), mknod(file1_s1d3, S_IFBLK | 0o644, 0));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.make_block", dir_s1d3)
    );

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, make_sym, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), symlink("target", file1_s1d3));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.make_sym", dir_s1d3));

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, refer_handled, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(LANDLOCK_ACCESS_FS_REFER, &[]);

    expect_eq!(Err(Errno::EXDEV), link(file1_s1d1, file1_s1d3));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.refer", dir_s1d1));
    expect_eq!(
        Ok(()),
        matches_log_domain_allocated(audit_fd(), nix::unistd::getpid())
    );
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.refer", dir_s1d3));

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

test_f!(audit_layout1, refer_make, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER, &[]);

    expect_eq!(Err(Errno::EACCES), link(file1_s1d1, file1_s1d3));
    expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.refer", dir_s1d1));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.make_reg,fs.refer", dir_s1d3)
    );

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

test_f!(audit_layout1, refer_rename, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), test_rename(file1_s1d2, file1_s2d3));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_file,fs.refer", dir_s1d2)
    );
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_file,fs.make_reg,fs.refer", dir_s2d3)
    );

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

test_f!(audit_layout1, refer_exchange, exclusive = audit, |_, _| {
    expect_eq!(Ok(()), unlink(file1_s1d3));

    enforce_fs(ACCESS_FS_16, &[]);

    // The only difference with the previous audit_layout1.refer_rename test is the extra
    // ",fs\\.make_reg" blocked by the source directory.
    expect_eq!(Err(Errno::EACCES), test_exchange(file1_s1d2, file1_s2d3));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_file,fs.make_reg,fs.refer", dir_s1d2)
    );
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.remove_file,fs.make_reg,fs.refer", dir_s2d3)
    );

    expect_eq!(Ok(records(0, 0)), audit_fd().count_records());
});

// This test checks that the audit record is correctly generated when the operation is only
// partially denied. This is the case for rename(2) when the source file is allowed to be
// referenced but the destination directory is not.
//
// This is also a regression test for commit d617f0d72d80 ("landlock: Optimize file path walks
// and prepare for audit support") and commit 058518c20920 ("landlock: Align partial refer
// access checks with final ones").
test_f!(
    audit_layout1,
    refer_rename_half,
    exclusive = audit,
    |_, _| {
        let layer1 = [Rule {
            path: dir_s2d2,
            access: LANDLOCK_ACCESS_FS_REFER,
        }];
        let ruleset_fd = create_ruleset_with(LANDLOCK_ACCESS_FS_REFER, &layer1);

        enforce_ruleset(&ruleset_fd);
        assert_eq!(Ok(()), close(ruleset_fd));

        assert_eq!(Err(Errno::EXDEV), test_rename(dir_s1d2, dir_s2d3));

        // Only half of the request is denied.
        expect_eq!(Ok(()), matches_log_fs(audit_fd(), "fs.refer", dir_s1d1));

        expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
    }
);

test_f!(audit_layout1, truncate, exclusive = audit, |_, _| {
    enforce_fs(ACCESS_FS_16, &[]);

    expect_eq!(Err(Errno::EACCES), nix::unistd::truncate(file1_s1d3, 0));
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.truncate", file1_s1d3)
    );

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, ioctl_dev, exclusive = audit, |_, _| {
    enforce_fs(ACCESS_FS_16 & !LANDLOCK_ACCESS_FS_READ_FILE, &[]);

    let fd = assert_ok!(open("/dev/null", O_RDONLY | O_CLOEXEC));
    expect_eq!(Err(Errno::EACCES), ioctl_error(&fd, libc::FIONREAD));
    expect_eq!(
        Ok(()),
        matches_log_fs_extra(audit_fd(), "fs.ioctl_dev", "/dev/null", " ioctlcmd=0x541b")
    );

    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_f!(audit_layout1, mount, exclusive = audit, |_, _| {
    enforce_fs(LANDLOCK_ACCESS_FS_EXECUTE, &[]);

    set_cap(Cap::SysAdmin);
    expect_eq!(
        Err(Errno::EPERM),
        mount(None, dir_s3d2, None, MsFlags::MS_RDONLY, None)
    );
    clear_cap(Cap::SysAdmin);
    expect_eq!(
        Ok(()),
        matches_log_fs(audit_fd(), "fs.change_topology", dir_s3d2)
    );
    expect_eq!(Ok(records(0, 1)), audit_fd().count_records());
});

test_harness_main!();
