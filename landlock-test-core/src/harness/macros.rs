//! The `expect_*!` and `assert_*!` families, `th_log!` and `skip!`.
//!
//! As in kselftest_harness.h, the expected value comes first: `expect_eq!(0, ret)`. Each argument
//! is evaluated once. An optional format string after the two operands is printed only when the
//! check fails, like a `TH_LOG()` following `EXPECT_*()` in C.

#[doc(hidden)]
#[macro_export]
macro_rules! __compare {
    ($fatal:expr, $op:tt, $expected:expr, $seen:expr $(,)?) => {
        $crate::__compare!(@emit $fatal, $op, $expected, $seen, ::core::option::Option::None)
    };
    ($fatal:expr, $op:tt, $expected:expr, $seen:expr, $($arg:tt)+) => {
        $crate::__compare!(@emit $fatal, $op, $expected, $seen,
            ::core::option::Option::Some(::core::format_args!($($arg)+)))
    };
    (@emit $fatal:expr, $op:tt, $expected:expr, $seen:expr, $message:expr) => {
        match (&$expected, &$seen) {
            (expected, seen) => {
                if !(*expected $op *seen) {
                    $crate::__private::compare_failed(
                        ::core::file!(),
                        ::core::line!(),
                        ::core::stringify!($expected),
                        expected,
                        ::core::stringify!($op),
                        ::core::stringify!($seen),
                        seen,
                        $message,
                        $fatal,
                    );
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __check_bool {
    ($fatal:expr, $wanted:expr, $cond:expr $(,)?) => {
        $crate::__check_bool!(@emit $fatal, $wanted, $cond, ::core::option::Option::None)
    };
    ($fatal:expr, $wanted:expr, $cond:expr, $($arg:tt)+) => {
        $crate::__check_bool!(@emit $fatal, $wanted, $cond,
            ::core::option::Option::Some(::core::format_args!($($arg)+)))
    };
    (@emit $fatal:expr, $wanted:expr, $cond:expr, $message:expr) => {
        if bool::from($cond) != $wanted {
            $crate::__private::bool_failed(
                ::core::file!(),
                ::core::line!(),
                ::core::stringify!($cond),
                $wanted,
                $message,
                $fatal,
            );
        }
    };
}

/// `expected == seen`, or mark the case failed and go on (EXPECT_EQ).
#[macro_export]
macro_rules! expect_eq {
    ($($t:tt)+) => { $crate::__compare!(false, ==, $($t)+) };
}

/// `expected == seen`, or mark the case failed and end the body; teardown still runs
/// (ASSERT_EQ).
#[macro_export]
macro_rules! assert_eq {
    ($($t:tt)+) => { $crate::__compare!(true, ==, $($t)+) };
}

/// `expected != seen`, or mark the case failed and go on (EXPECT_NE).
#[macro_export]
macro_rules! expect_ne {
    ($($t:tt)+) => { $crate::__compare!(false, !=, $($t)+) };
}

/// `expected != seen`, or mark the case failed and end the body; teardown still runs
/// (ASSERT_NE).
#[macro_export]
macro_rules! assert_ne {
    ($($t:tt)+) => { $crate::__compare!(true, !=, $($t)+) };
}

/// `expected < seen`, or mark the case failed and go on (EXPECT_LT).
#[macro_export]
macro_rules! expect_lt {
    ($($t:tt)+) => { $crate::__compare!(false, <, $($t)+) };
}

/// `expected < seen`, or mark the case failed and end the body; teardown still runs
/// (ASSERT_LT).
#[macro_export]
macro_rules! assert_lt {
    ($($t:tt)+) => { $crate::__compare!(true, <, $($t)+) };
}

/// `expected <= seen`, or mark the case failed and go on (EXPECT_LE).
#[macro_export]
macro_rules! expect_le {
    ($($t:tt)+) => { $crate::__compare!(false, <=, $($t)+) };
}

/// `expected <= seen`, or mark the case failed and end the body; teardown still runs
/// (ASSERT_LE).
#[macro_export]
macro_rules! assert_le {
    ($($t:tt)+) => { $crate::__compare!(true, <=, $($t)+) };
}

/// `expected > seen`, or mark the case failed and go on (EXPECT_GT).
#[macro_export]
macro_rules! expect_gt {
    ($($t:tt)+) => { $crate::__compare!(false, >, $($t)+) };
}

/// `expected > seen`, or mark the case failed and end the body; teardown still runs
/// (ASSERT_GT).
#[macro_export]
macro_rules! assert_gt {
    ($($t:tt)+) => { $crate::__compare!(true, >, $($t)+) };
}

/// `expected >= seen`, or mark the case failed and go on (EXPECT_GE).
#[macro_export]
macro_rules! expect_ge {
    ($($t:tt)+) => { $crate::__compare!(false, >=, $($t)+) };
}

/// `expected >= seen`, or mark the case failed and end the body; teardown still runs
/// (ASSERT_GE).
#[macro_export]
macro_rules! assert_ge {
    ($($t:tt)+) => { $crate::__compare!(true, >=, $($t)+) };
}

/// `cond` is true (EXPECT_TRUE): marks the case failed and goes on.
#[macro_export]
macro_rules! expect_true {
    ($($t:tt)+) => { $crate::__check_bool!(false, true, $($t)+) };
}

/// `cond` is false (EXPECT_FALSE): marks the case failed and goes on.
#[macro_export]
macro_rules! expect_false {
    ($($t:tt)+) => { $crate::__check_bool!(false, false, $($t)+) };
}

/// `cond` is true (ASSERT_TRUE): marks the case failed and ends the body.
#[macro_export]
macro_rules! assert_true {
    ($($t:tt)+) => { $crate::__check_bool!(true, true, $($t)+) };
}

/// `cond` is false (ASSERT_FALSE): marks the case failed and ends the body.
#[macro_export]
macro_rules! assert_false {
    ($($t:tt)+) => { $crate::__check_bool!(true, false, $($t)+) };
}

/// A diagnostic line `file:line:case:message` on stderr (TH_LOG).
#[macro_export]
macro_rules! th_log {
    ($($arg:tt)+) => {
        $crate::__private::log_at(::core::file!(), ::core::line!(), ::core::format_args!($($arg)+))
    };
}

/// Ends the setup or the body with a skip and its reason (SKIP). From setup, neither body nor
/// teardown runs; from the body, teardown runs. A case that already failed stays failed.
#[macro_export]
macro_rules! skip {
    ($($arg:tt)+) => {
        $crate::__private::skip_at(::core::file!(), ::core::line!(), ::core::format_args!($($arg)+))
    };
}

/// `result` is `Ok`: evaluates to the value, or marks the case failed and ends the body
/// (C's `ASSERT_LE(0, fd)` after a call that returns a descriptor or -1).
#[macro_export]
macro_rules! assert_ok {
    ($result:expr $(,)?) => {
        $crate::__assert_ok!($result, ::core::format_args!(""))
    };
    ($result:expr, $($arg:tt)+) => {
        $crate::__assert_ok!($result, ::core::format_args!(": {}", ::core::format_args!($($arg)+)))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __assert_ok {
    ($result:expr, $message:expr) => {
        match $result {
            ::core::result::Result::Ok(value) => value,
            ::core::result::Result::Err(error) => $crate::__private::fatal_at(
                ::core::file!(),
                ::core::line!(),
                ::core::format_args!(
                    "Expected {} to be Ok, got Err({:?}){}",
                    ::core::stringify!($result),
                    error,
                    $message
                ),
            ),
        }
    };
}
